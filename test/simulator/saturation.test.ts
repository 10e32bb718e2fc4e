import { describe, expect, test } from 'vitest';
import { classifySaturation, measuredSaturation, SaturationDetector, SaturationWatch, type GeneratorSecond } from '../../simulator/saturation.js';

function second(
  t: number,
  health: { elu?: number; loopP99?: number; scheduled?: number; late?: number; warmup?: boolean; queueP99?: number; limited?: number; limitErrors?: Record<string, number> } = {},
): GeneratorSecond & { warmup: boolean } {
  return {
    t,
    warmup: health.warmup ?? false,
    checkins: { scheduled: health.scheduled ?? 100, late: health.late ?? 0, max_lag_ms: 0 },
    generator: {
      elu_max: health.elu ?? 0.3,
      event_loop_p99_ms: health.loopP99 ?? 5,
      in_flight: 0,
      client_queue_p99_ms: health.queueP99 ?? 1,
      client_queue_max_ms: health.queueP99 ?? 1,
      connections: 10,
      limited: health.limited ?? 0,
      limit_errors: health.limitErrors ?? {},
    },
  };
}

describe('SaturationDetector', () => {
  test('a busy event loop counts only from its third second in a row', () => {
    const detector = new SaturationDetector();
    expect(detector.observe(second(0, { elu: 0.96 }))).toEqual([]);
    expect(detector.observe(second(1, { elu: 0.95 }))).toEqual([]);
    expect(detector.observe(second(2, { elu: 0.99 }))).toEqual(['elu']);
    expect(detector.observe(second(3, { elu: 0.97 }))).toEqual(['elu']);
    expect(detector.observe(second(4, { elu: 0.94 }))).toEqual([]);
    expect(detector.observe(second(5, { elu: 0.99 }))).toEqual([]);
  });

  test('an event-loop delay p99 of 200 ms saturates at once', () => {
    const detector = new SaturationDetector();
    expect(detector.observe(second(0, { loopP99: 199 }))).toEqual([]);
    expect(detector.observe(second(1, { loopP99: 200 }))).toEqual(['delay']);
  });

  test('more than 1% late check-ins saturates, given at least 100 scheduled', () => {
    const detector = new SaturationDetector();
    expect(detector.observe(second(0, { scheduled: 100, late: 1 }))).toEqual([]);
    expect(detector.observe(second(1, { scheduled: 100, late: 2 }))).toEqual(['late']);
    expect(detector.observe(second(2, { scheduled: 99, late: 50 }))).toEqual([]);
  });

  test('a client queue p99 of 100 ms (requests waiting inside the simulator) saturates at once', () => {
    const detector = new SaturationDetector();
    expect(detector.observe(second(0, { queueP99: 99 }))).toEqual([]);
    expect(detector.observe(second(1, { queueP99: 100 }))).toEqual(['queue']);
  });

  test('any request that met an OS limit (connection budget, EMFILE, EADDRNOTAVAIL) is a generator limit', () => {
    const detector = new SaturationDetector();
    expect(detector.observe(second(0, { limitErrors: {} }))).toEqual([]);
    expect(detector.observe(second(1, { limited: 1 }))).toEqual(['limit']);
    expect(detector.observe(second(2, { limitErrors: { EMFILE: 3 } }))).toEqual(['limit']);
    expect(detector.observe(second(3, { limitErrors: { EADDRNOTAVAIL: 1 } }))).toEqual(['limit']);
  });
});

describe('SaturationWatch', () => {
  test('announces each rule once, then summarises when, how long and how bad', () => {
    const watch = new SaturationWatch();
    expect(watch.observe(second(0))).toEqual([]);
    expect(watch.saturated).toBe(false);
    const raised = watch.observe(second(1, { loopP99: 250 }));
    expect(raised).toEqual([expect.stringMatching(/^GENERATOR SATURATED: worker event-loop delay p99 ≥ 200 ms at t=1 s \(worst 250 ms\)/)]);
    expect(watch.observe(second(2, { loopP99: 400 }))).toEqual([]);
    expect(watch.observe(second(3, { late: 5 }))).toEqual([expect.stringMatching(/> 1% of check-ins started > 1 s late at t=3 s \(worst 5\.0%\)/)]);
    expect(watch.saturated).toBe(true);
    expect(watch.summary()).toEqual([
      expect.stringMatching(/delay p99 ≥ 200 ms in 2 s between t=1 and t=2 s \(worst 400 ms\); latency figures include the generator's own delay/),
      expect.stringMatching(/late at t=3 s \(worst 5\.0%\)/),
    ]);
  });

  test('a busy loop is announced from the second that completes its streak', () => {
    const watch = new SaturationWatch();
    watch.observe(second(7, { elu: 0.97 }));
    watch.observe(second(8, { elu: 0.97 }));
    expect(watch.observe(second(9, { elu: 0.98 }))).toEqual([expect.stringMatching(/event loop was ≥ 95% busy at t=9 s/)]);
  });
});

describe('SaturationWatch limits', () => {
  test('the limit warning quotes the open-file limit and says what to do', () => {
    const watch = new SaturationWatch({ fileLimit: 20000, portRange: { low: 32768, high: 60999 } });
    const [warning] = watch.observe(second(4, { limitErrors: { EMFILE: 7 }, limited: 3 }));
    expect(warning).toMatch(/^GENERATOR LIMIT: up to 10 request\(s\) a second met an OS limit on connections \(open files: ulimit -n = 20000; ephemeral ports: net\.ipv4\.ip_local_port_range = 32768–60999\) at t=4 s; raise the open-file limit/);
    expect(new SaturationWatch().observe(second(4, { limited: 1 }))[0]).toMatch(/\(open files: ulimit -n; ephemeral ports: net\.ipv4\.ip_local_port_range\)/);
    expect(warning).toMatch(/fixed pool \(--connections <n>\)/);
  });

  test('a long client queue is announced with its worst p99', () => {
    const watch = new SaturationWatch();
    watch.observe(second(1, { queueP99: 150 }));
    watch.observe(second(2, { queueP99: 13600 }));
    expect(watch.summary()).toEqual([expect.stringMatching(/^GENERATOR SATURATED: requests waited ≥ 100 ms \(p99\) inside the simulator before the HTTP client took them in 2 s between t=1 and t=2 s \(worst 13600 ms\)/)]);
  });
});

describe('classifySaturation', () => {
  const healthy = { count: 1000, serviceP99Ms: 20, timeouts: 0, serverErrors: 0 };

  test('none when the generator kept its schedule and the target answered quickly', () => {
    expect(classifySaturation({ generatorWarnings: [], endpoints: { read: healthy, write: healthy } })).toEqual({ side: 'none', reasons: [] });
  });

  test('target when service time p99 reaches 500 ms while the generator is healthy', () => {
    const verdict = classifySaturation({ generatorWarnings: [], endpoints: { read: { ...healthy, serviceP99Ms: 500 }, write: healthy } });
    expect(verdict.side).toBe('target');
    expect(verdict.reasons).toEqual(['TARGET SATURATED: read service time p99 500 ms (≥ 500 ms), while the generator kept its schedule']);
  });

  test('target when ≥ 1% of an endpoint\'s requests timed out or answered 5xx', () => {
    expect(classifySaturation({ generatorWarnings: [], endpoints: { read: { ...healthy, timeouts: 6, serverErrors: 4 } } })).toEqual({
      side: 'target',
      reasons: ['TARGET SATURATED: read: 10 of 1000 requests timed out or answered 5xx, while the generator kept its schedule'],
    });
    expect(classifySaturation({ generatorWarnings: [], endpoints: { read: { ...healthy, timeouts: 9 } } }).side).toBe('none');
  });

  test('generator first: its warnings win, and a slow target is named as undecidable', () => {
    const verdict = classifySaturation({ generatorWarnings: ['GENERATOR SATURATED: queue'], endpoints: { read: { ...healthy, serviceP99Ms: 13600 } } });
    expect(verdict.side).toBe('generator');
    expect(verdict.reasons).toEqual(['GENERATOR SATURATED: queue', "the target may be saturated too (read service time p99 13600 ms (≥ 500 ms)), but its service times include the generator's delay"]);
  });

  test('a generator saturated on an oversubscribed machine says the machine was short of CPU', () => {
    const busy = { generatorWarnings: ['GENERATOR SATURATED: busy'], endpoints: { read: healthy } };
    expect(classifySaturation({ ...busy, machine: { loadAvgMax: 24.2, cpus: 2 } }).reasons).toEqual([
      'GENERATOR SATURATED: busy',
      "the machine was oversubscribed (1-minute load average up to 24.2 on 2 CPUs): other processes competed for the CPU, so the generator's delay may be the machine's, not the simulator's own cost",
    ]);
    expect(classifySaturation({ ...busy, machine: { loadAvgMax: 3, cpus: 2 } }).reasons).toEqual(['GENERATOR SATURATED: busy']);
    expect(classifySaturation({ generatorWarnings: [], endpoints: { read: healthy }, machine: { loadAvgMax: 24.2, cpus: 2 } }).side).toBe('none');
  });

  test('endpoints without requests are not judged', () => {
    expect(classifySaturation({ generatorWarnings: [], endpoints: { log: { count: 0, serviceP99Ms: 0, timeouts: 0, serverErrors: 0 } } }).side).toBe('none');
  });
});

describe('measuredSaturation', () => {
  test('ignores the warm-up', () => {
    expect(measuredSaturation([second(0, { warmup: true, elu: 1, loopP99: 900 }), second(1, { warmup: true, elu: 1 }), second(2, { elu: 1 }), second(3)])).toEqual([]);
  });

  test('judges lateness over the whole measured window, not second by second', () => {
    // 2 of 100 late in one second breaks the per-second rule, but 2 of 200 over the window does not.
    expect(measuredSaturation([second(5, { late: 2 }), second(6)])).toEqual([]);
    expect(measuredSaturation([second(5, { late: 3 }), second(6)])).toEqual(['3 of 200 check-ins started > 1 s late']);
  });

  test('names a long client queue and OS limits in the measured window', () => {
    expect(measuredSaturation([second(5, { queueP99: 240 }), second(6, { limited: 2, limitErrors: { EMFILE: 1 } })])).toEqual([
      'client queue p99 240 ms at t=5',
      '3 request(s) met an OS connection limit at t=6',
    ]);
  });

  test('names each busy streak once and each delayed second', () => {
    const busy = [5, 6, 7, 8].map((t) => second(t, { elu: 0.97 }));
    expect(measuredSaturation([...busy, second(9, { loopP99: 250 })])).toEqual([
      "a worker's event loop was ≥ 95% busy for 3 s (t=7)",
      'worker event-loop delay p99 250 ms at t=9',
    ]);
  });
});
