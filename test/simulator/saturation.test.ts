import { describe, expect, test } from 'vitest';
import { measuredSaturation, SaturationDetector, SaturationWatch, type GeneratorSecond } from '../../simulator/saturation.js';

function second(t: number, health: { elu?: number; loopP99?: number; scheduled?: number; late?: number; warmup?: boolean } = {}): GeneratorSecond & { warmup: boolean } {
  return {
    t,
    warmup: health.warmup ?? false,
    checkins: { scheduled: health.scheduled ?? 100, late: health.late ?? 0, max_lag_ms: 0 },
    generator: { elu_max: health.elu ?? 0.3, event_loop_p99_ms: health.loopP99 ?? 5, in_flight: 0 },
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

describe('measuredSaturation', () => {
  test('ignores the warm-up', () => {
    expect(measuredSaturation([second(0, { warmup: true, elu: 1, loopP99: 900 }), second(1, { warmup: true, elu: 1 }), second(2, { elu: 1 }), second(3)])).toEqual([]);
  });

  test('judges lateness over the whole measured window, not second by second', () => {
    // 2 of 100 late in one second breaks the per-second rule, but 2 of 200 over the window does not.
    expect(measuredSaturation([second(5, { late: 2 }), second(6)])).toEqual([]);
    expect(measuredSaturation([second(5, { late: 3 }), second(6)])).toEqual(['3 of 200 check-ins started > 1 s late']);
  });

  test('names each busy streak once and each delayed second', () => {
    const busy = [5, 6, 7, 8].map((t) => second(t, { elu: 0.97 }));
    expect(measuredSaturation([...busy, second(9, { loopP99: 250 })])).toEqual([
      "a worker's event loop was ≥ 95% busy for 3 s (t=7)",
      'worker event-loop delay p99 250 ms at t=9',
    ]);
  });
});
