/**
 * bench/soak.ts: the checks (pure, on synthetic samples) and the CI variant of the soak — 300 hosts for
 * 60 s on MySQL with the cron strategy, its restart, edits and refetch — which must pass every check.
 * (The 3-minute CI soak does not fit the CI budget; the 1-hour run is bench-only.)
 */
import { describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../contract/result.js';
import { soakBench, soakVerdict } from '../../bench/soak.js';
import { EXIT } from '../../lib/exit-codes.js';
import { createTestDatabase, describeMysql } from '../helpers/mysql.js';

function doc(rss: (t: number) => number, loop: (t: number) => number, thresholds: Array<[string, number | null]>): ResultDocument {
  const samples = Array.from({ length: 100 }, (_, t) => ({ t, cpu_pct: 10, rss_mb: rss(t), event_loop_p99_ms: loop(t) }));
  return { server: { samples }, thresholds: thresholds.map(([expr, value]) => ({ expr, value, ok: value === 0 })) } as unknown as ResultDocument;
}

const clean: Array<[string, number | null]> = [['errors.outside_faults.rate == 0', 0], ['counts.error.max == 0', 0]];
const flatRss = Array.from({ length: 100 }, (_, t) => ({ t, rss_mb: 200 }));

describe('soak checks', () => {
  it('passes a flat run with no errors and no deadlocks', () => {
    const verdict = soakVerdict({ strategy: 'cron', doc: doc(() => 150, () => 12, clean), deadlocks: 0, simulatorRss: flatRss, durationS: 100, warmupS: 20 });
    expect(verdict.failures).toEqual([]);
    expect(verdict.server_rss_growth).toBe(0);
  });

  it('fails growth ≥ 10% after warm-up, a rising event loop, deadlocks, errors and missing data', () => {
    const verdict = soakVerdict({
      strategy: 'incremental',
      doc: doc((t) => (t < 20 ? 400 : 150 + t), (t) => (t > 70 ? 40 : 10), [['errors.outside_faults.rate == 0', 0.01], ['counts.error.max == 0', null]]),
      deadlocks: 2,
      simulatorRss: [],
      durationS: 100,
      warmupS: 20,
    });
    expect(verdict.failures).toEqual([
      'errors outside the restart: 0.01',
      'counts off by no data at the end',
      '2 InnoDB deadlocks',
      expect.stringMatching(/^server RSS grew \d+\.\d% after warm-up$/),
      'simulator RSS: no samples',
      'server event-loop p99 rose from 10 ms to 40 ms',
    ]);
  });
});

describeMysql('soak, CI variant (60 s)', () => {
  it('300 hosts for 60 s on MySQL (cron): every check passes', { timeout: 180_000 }, async () => {
    const database = await createTestDatabase();
    const stdout: string[] = [];
    const stderr: string[] = [];
    try {
      const code = await soakBench.execute(['--hosts', '300', '--duration', '60s', '--strategies', 'cron', '--store', database.url, '--json'], { stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t) });
      const document = JSON.parse(stdout.join('')) as { results: { ok: boolean; runs: Array<{ failures: string[]; deadlocks: number }> } };
      expect(document.results.runs.map((r) => r.failures), stderr.join('')).toEqual([[]]);
      expect(document.results.runs[0]!.deadlocks).toBe(0);
      expect(code).toBe(EXIT.OK);
    } finally {
      await database.drop();
    }
  });
});
