import { describe, expect, it } from 'vitest';
import type { ResultDocument, Window } from '../../contract/result.js';
import { errorRateOutsideFaults, faultPeriods, recoveryGraceS } from '../../reports/fault-windows.js';
import { evaluateThresholds } from '../../scenarios/thresholds.js';

function window(t: number, count: number, errors: number, warmup = false): Window {
  return { t, warmup, hosts_enrolled: 10, endpoints: { read: { count, errors, p50: 1, p99: 2, max: 3 } } };
}

function doc(windows: Window[], timeline: ResultDocument['timeline'], agent: Record<string, unknown> = { distributed_interval: 10_000, logger_tls_period: 10_000 }): ResultDocument {
  return { scenario: { agent }, windows, timeline } as unknown as ResultDocument;
}

describe('errors outside the injected faults', () => {
  it('the recovery grace is the longest check-in period plus osquery\'s distributed retry sleeps (1 s + 4 s), scaled like them', () => {
    expect(recoveryGraceS(doc([], []))).toBe(15);
    expect(recoveryGraceS(doc([], [], { distributed_interval: 2000, logger_tls_period: 3000, distributed_tls_max_attempts: 4, retry_sleep_scale: 0.5 }))).toBe(3 + (1 + 4 + 9) * 0.5);
  });

  it('leaves out the warm-up and every window from a fault\'s start to its end plus the grace', () => {
    const windows = [window(0, 10, 10, true), window(1, 100, 0), window(2, 100, 80), window(3, 100, 50), window(19, 100, 5), window(20, 100, 1), window(21, 100, 0)];
    const d = doc(windows, [
      { t: 2, kind: 'restart_server', detail: '', ok: true, until: 4 },
      { t: 1, kind: 'refetch_hosts', detail: '', ok: true },
    ]);
    expect(faultPeriods(d)).toEqual([{ from: 2, to: 19 }]);
    // Windows 1, 19, 20 and 21 count (19 starts when the period ends); 2 and 3 lie in the fault period.
    expect(errorRateOutsideFaults(d)).toBeCloseTo(6 / 400);
    expect(evaluateThresholds(d, ['errors.outside_faults.rate < 2%'])).toEqual([{ expr: 'errors.outside_faults.rate < 2%', value: 6 / 400, ok: true }]);
    expect(evaluateThresholds(doc(windows.slice(0, 4), d.timeline), ['errors.outside_faults.rate == 0'])[0]).toMatchObject({ value: 0, ok: true });
  });

  it('has no data when every measured window is inside a fault, and ignores skipped faults', () => {
    const windows = [window(0, 10, 0, true), window(1, 100, 100)];
    expect(errorRateOutsideFaults(doc(windows, [{ t: 1, kind: 'store_unavailable', detail: '', ok: true, until: 2 }]))).toBeNull();
    expect(errorRateOutsideFaults(doc(windows, [{ t: 1, kind: 'store_unavailable', detail: '', ok: false, skipped: true }]))).toBe(1);
  });
});
