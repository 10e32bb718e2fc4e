import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate } from '../../capacity/calibrate.js';
import { planCapacity } from '../../capacity/model.js';
import { DEFAULT_PLAN_INPUT } from '../../capacity/plan-types.js';
import { runSweep } from '../../capacity/sweep.js';
import { measuredSaturation } from '../../simulator/saturation.js';

const tinyScenario = join(fileURLToPath(new URL('.', import.meta.url)), 'tiny-sweep.yaml');

describe('sweep generator saturation', () => {
  it('judges generator saturation on the measured window only', () => {
    const second = (t: number, warmup: boolean, elu: number, loopP99: number, late = 0) => ({
      t, warmup, checkins: { scheduled: 100, late, max_lag_ms: 0 }, generator: { elu_max: elu, event_loop_p99_ms: loopP99, in_flight: 0, client_queue_p99_ms: 0, client_queue_max_ms: 0, connections: 0, limited: 0, limit_errors: {} },
    });
    // A blocked loop while workers load (warm-up) does not invalidate the step.
    expect(measuredSaturation([second(0, true, 1, 900), second(1, true, 1, 50), second(2, false, 0.3, 5), second(3, false, 0.4, 5)])).toEqual([]);
    expect(measuredSaturation([second(5, false, 0.97, 5), second(6, false, 0.99, 5), second(7, false, 0.96, 5)])[0]).toMatch(/busy for 3 s/);
    expect(measuredSaturation([second(5, false, 0.5, 250)])[0]).toMatch(/p99 250 ms/);
    expect(measuredSaturation([second(5, false, 0.5, 5, 3), second(6, false, 0.5, 5, 0)])).toEqual([expect.stringMatching(/3 of 200 check-ins/)]);
    expect(measuredSaturation([second(5, false, 0.5, 5, 2), second(6, false, 0.5, 5, 0)])).toEqual([]);
  });
});

describe('a tiny sweep end to end (memory store)', () => {
  it('runs two steps against a real server and fits a model the plan can use', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const sweep = await runSweep({
      scenarioFile: tinyScenario,
      from: 20,
      to: 40,
      steps: 2,
      until: ['read.p99 > 30s'],
      warmupMs: 4000,
      measureMs: 4000,
      workers: 1,
      cpuProbe: { hosts: 20, ratePerS: 100, seconds: 2 },
      onProgress: (line) => lines.push(line),
    });
    expect(sweep.stopped).toMatchObject({ reason: 'completed' });
    expect(sweep.params.tls).toBe('none');
    expect(sweep.steps.map((step) => step.hosts)).toEqual([20, 40]);
    expect(lines.filter((line) => line.startsWith('step ')).length).toBe(2);
    for (const step of sweep.steps) {
      // 2 s interval, 4 s window: every host reads about twice.
      expect(step.endpoints.read!.rate_per_s).toBeGreaterThan(step.hosts / 2 / 2);
      expect(step.endpoints.read!.rate_per_s).toBeLessThan(step.hosts / 2 * 1.5);
      expect(step.errors_rate).toBe(0);
      expect(step.server).not.toBeNull();
      expect(step.server!.cpu_ms).toBeGreaterThan(0);
      expect(step.server!.rss_mb).toBeGreaterThan(10);
      expect(step.membership_rows).toBe(step.hosts * 3);
      expect(step.membership_rows_per_s).toBeGreaterThan(0);
    }
    expect(sweep.steps.some((step) => step.aggregations.length > 0)).toBe(true);
    const calibration = calibrate(sweep);
    expect(calibration.perHostPerInterval.read!.value).toBeGreaterThan(0.5);
    const plan = planCapacity({ ...DEFAULT_PLAN_INPUT, hosts: 1000, policies: 3 }, sweep, 'sweep.json');
    expect(plan.requestRates.read.source).toMatch(/^measured: sweep\.json steps 1–2/);
    // The CPU probe measured each endpoint alone; the plan charges CPU per endpoint from it.
    expect(sweep.cpu_probe).toBeDefined();
    expect(sweep.cpu_probe!.idle_cpu_ms_per_s).toBeGreaterThanOrEqual(0);
    for (const endpoint of ['read', 'write', 'config'] as const) {
      expect(sweep.cpu_probe!.endpoints[endpoint]!.requests).toBeGreaterThan(100);
      expect(sweep.cpu_probe!.endpoints[endpoint]!.cpu_ms_per_req).toBeGreaterThanOrEqual(0);
    }
    expect(plan.serverCpuCores.source).toMatch(/for this plan's mix .* from the CPU probe's relative costs \(read [\d.]+, write [\d.]+, config [\d.]+ CPU-ms\/req/);
    expect(lines.some((line) => line.startsWith('CPU probe: idle'))).toBe(true);
  });
});
