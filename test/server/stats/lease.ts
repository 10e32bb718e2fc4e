/**
 * Lease behaviour of the stats runner, on any store: two "instances" are two LeaseRunners with
 * different instance ids on two store handles of one database (or one memory store).
 */
import { expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetricsRegistry } from '../../../server/metrics.js';
import { LeaseRunner, STATS_LEASE_NAME, type LeaseRunnerOptions } from '../../../server/stats/runner.js';
import type { Store } from '../../../server/store/store.js';

export interface StorePair {
  readonly a: Store;
  readonly b: Store;
  close(): Promise<void>;
}

interface Span {
  readonly instance: string;
  readonly start: number;
  end: number;
}

function runnerFor(store: Store, instanceId: string, spans: Span[], workMs: number, overrides: Partial<LeaseRunnerOptions> = {}): LeaseRunner {
  return new LeaseRunner({
    strategy: 'cron',
    store,
    instanceId,
    intervalMs: 100,
    leaseTtlMs: 1000,
    firstTickMs: 0,
    now: () => new Date(),
    work: async () => {
      const span: Span = { instance: instanceId, start: performance.now(), end: Number.POSITIVE_INFINITY };
      spans.push(span);
      await sleep(workMs);
      span.end = performance.now();
      return { rowsScanned: 10, policiesUpdated: 2, drift: 0 };
    },
    ...overrides,
  });
}

function overlaps(spans: readonly Span[]): Array<[Span, Span]> {
  const sorted = [...spans].sort((x, y) => x.start - y.start);
  const out: Array<[Span, Span]> = [];
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) out.push([sorted[i - 1]!, sorted[i]!]);
  return out;
}

export function leaseProperties(openPair: () => Promise<StorePair>): void {
  it('two instances ticking at once: exactly one runs', async () => {
    const pair = await openPair();
    try {
      const spans: Span[] = [];
      const a = runnerFor(pair.a, 'instance-a', spans, 50, { intervalMs: 60_000 });
      const b = runnerFor(pair.b, 'instance-b', spans, 50, { intervalMs: 60_000 });
      const results = await Promise.all([a.tick(), b.tick()]);
      expect(results.filter((r) => r === 'ran')).toHaveLength(1);
      expect(results.filter((r) => r === 'held-elsewhere')).toHaveLength(1);
      expect(spans).toHaveLength(1);
      // The run is recorded with its cost, and right after it nobody runs again this interval.
      const [run] = await pair.a.listStatsRuns(5);
      expect(run).toMatchObject({ strategy: 'cron', rowsScanned: 10, policiesUpdated: 2, drift: 0, instance: spans[0]!.instance });
      expect(run!.durationMs).toBeGreaterThanOrEqual(40);
      expect(await b.tick()).toBe('recently-run');
    } finally {
      await pair.close();
    }
  });

  it('running side by side for a while, runs never overlap', async () => {
    const pair = await openPair();
    try {
      const spans: Span[] = [];
      const a = runnerFor(pair.a, 'instance-a', spans, 60);
      const b = runnerFor(pair.b, 'instance-b', spans, 60);
      a.start();
      b.start();
      await sleep(1500);
      await Promise.all([a.stop(), b.stop()]);
      expect(spans.length).toBeGreaterThanOrEqual(3);
      expect(overlaps(spans)).toEqual([]);
    } finally {
      await pair.close();
    }
  });

  it('the holder extends the lease while a run outlasts its TTL', async () => {
    const pair = await openPair();
    try {
      const spans: Span[] = [];
      // TTL 3 s: extended at 2.4 s; b tries at 3.3 s, past the TTL, while a's run (3.8 s) still goes on.
      const a = runnerFor(pair.a, 'instance-a', spans, 3800, { intervalMs: 60_000, leaseTtlMs: 3000 });
      const b = runnerFor(pair.b, 'instance-b', spans, 10, { intervalMs: 60_000, leaseTtlMs: 3000 });
      const running = a.tick();
      await sleep(3300);
      expect(await b.tick()).toBe('held-elsewhere');
      expect(await running).toBe('ran');
      expect(spans.map((s) => s.instance)).toEqual(['instance-a']);
    } finally {
      await pair.close();
    }
  });

  it('when the holder dies, another instance takes over within one lease period of expiry', async () => {
    const pair = await openPair();
    try {
      // A dead holder: took the lease and never extends or releases it.
      const takenAt = performance.now();
      expect(await pair.a.acquireLease(STATS_LEASE_NAME, 'dead-instance', 1000)).toBe(true);
      const spans: Span[] = [];
      const metrics = new MetricsRegistry();
      const b = runnerFor(pair.b, 'instance-b', spans, 10, { intervalMs: 60_000, metrics });
      b.start();
      const deadline = takenAt + 4000;
      while (spans.length === 0 && performance.now() < deadline) await sleep(20);
      await b.stop();
      expect(spans).toHaveLength(1);
      const sinceExpiry = spans[0]!.start - (takenAt + 1000);
      // B retries every half TTL: it runs after the lease expired and within one lease period of it.
      expect(sinceExpiry).toBeGreaterThanOrEqual(-50);
      expect(sinceExpiry).toBeLessThan(1000);
      expect(metrics.render()).toContain('osqsim_stats_runs_total{outcome="ok",strategy="cron"} 1');
    } finally {
      await pair.close();
    }
  });

  it('when the holder stops, the other instance carries on', async () => {
    const pair = await openPair();
    try {
      const spans: Span[] = [];
      const a = runnerFor(pair.a, 'instance-a', spans, 30, { intervalMs: 150 });
      a.start();
      await sleep(400);
      const b = runnerFor(pair.b, 'instance-b', spans, 30, { intervalMs: 150 });
      b.start();
      await sleep(200);
      await a.stop();
      const stoppedAt = performance.now();
      await sleep(800);
      await b.stop();
      expect(spans.filter((s) => s.instance === 'instance-b' && s.start > stoppedAt).length).toBeGreaterThanOrEqual(2);
      expect(overlaps(spans)).toEqual([]);
    } finally {
      await pair.close();
    }
  });
}
