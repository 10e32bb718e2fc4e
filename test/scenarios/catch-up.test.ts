/** The final read's wait for the counts (scenarios/catch-up.ts): up to the strategy's interval, but not for a cron run that cannot come. */
import { describe, expect, it } from 'vitest';
import { catchUpDeadline, type CatchUpInput } from '../../scenarios/catch-up.js';

const now = Date.parse('2026-12-05T12:00:00Z');
const at = (msBeforeNow: number) => new Date(now - msBeforeNow).toISOString();
const wait = (input: Omit<CatchUpInput, 'nowMs'>) => catchUpDeadline({ nowMs: now, ...input }) - now;
const started = now - 30_000;

describe('catchUpDeadline', () => {
  it('cron waits its interval + 3 s, at most 90 s, when its next run can start within that', () => {
    expect(wait({ strategy: 'cron', intervalMs: 10_000, runs: [{ strategy: 'cron', started_at: at(2000) }], serverStartedMs: started })).toBe(13_000);
    expect(wait({ strategy: 'cron', intervalMs: 100_000, runs: [{ strategy: 'cron', started_at: at(20_000) }], serverStartedMs: started })).toBe(90_000);
  });

  it('cron does not wait when this process ran it and its next run starts after the wait (an hourly cron in miniature: 180 s)', () => {
    expect(wait({ strategy: 'cron', intervalMs: 180_000, runs: [{ strategy: 'cron', started_at: at(20_000) }], serverStartedMs: started })).toBe(0);
  });

  it('cron keeps the whole wait before this process ran it (first run due at min(10 s, interval)), or with several instances', () => {
    expect(wait({ strategy: 'cron', intervalMs: 180_000, runs: [], serverStartedMs: started })).toBe(90_000);
    // Run by the process before a restart_server: the new process runs its first tick on its own clock.
    expect(wait({ strategy: 'cron', intervalMs: 180_000, runs: [{ strategy: 'cron', started_at: at(40_000) }], serverStartedMs: started })).toBe(90_000);
    expect(wait({ strategy: 'cron', intervalMs: 180_000, runs: [{ strategy: 'cron', started_at: at(20_000) }], serverStartedMs: undefined })).toBe(90_000);
    expect(wait({ strategy: 'cron', intervalMs: 180_000, runs: [{ strategy: 'incremental', started_at: at(20_000) }], serverStartedMs: started })).toBe(90_000);
  });

  it('other strategies keep their waits', () => {
    expect(wait({ strategy: 'incremental', intervalMs: 180_000, runs: [{ strategy: 'incremental', started_at: at(20_000) }], serverStartedMs: started })).toBe(90_000);
    expect(wait({ strategy: 'incremental', intervalMs: 30_000, runs: [], serverStartedMs: started })).toBe(33_000);
    expect(wait({ strategy: 'realtime', intervalMs: 30_000, runs: [], serverStartedMs: started })).toBe(3000);
    expect(wait({ strategy: null, intervalMs: 0, runs: [], serverStartedMs: undefined })).toBe(5000);
  });
});
