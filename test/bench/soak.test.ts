/**
 * bench/soak.ts: the checks (pure, on synthetic samples), the deadlock attribution (real deadlocks on
 * MySQL, in the run's database and in another one), the chart, and the CI variant of the soak — 300
 * hosts for 3 minutes on MySQL with the cron strategy, its restart, edits, refetch and new policies —
 * which must pass every check (issue 16 item 5: "A 3-minute version runs in CI").
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import type { ResultDocument } from '../../contract/result.js';
import { soakBench, soakScenario, soakVerdict, soakWindows, watchDeadlocks, type SoakVerdict } from '../../bench/soak.js';
import { soakChartSvg } from '../../bench/soak-chart.js';
import { EXIT } from '../../lib/exit-codes.js';
import { mysqlConnectionOptions } from '../../server/store/mysql/connection.js';
import { createTestDatabase, describeMysql } from '../helpers/mysql.js';

function doc(rss: (t: number) => number, loop: (t: number) => number, thresholds: Array<[string, number | null]>): ResultDocument {
  const samples = Array.from({ length: 100 }, (_, t) => ({ t, cpu_pct: 10, rss_mb: rss(t), event_loop_p99_ms: loop(t) }));
  return { server: { samples }, thresholds: thresholds.map(([expr, value]) => ({ expr, value, ok: value === 0 })) } as unknown as ResultDocument;
}

const clean: Array<[string, number | null]> = [['errors.outside_faults.rate == 0', 0], ['counts.error.max == 0', 0]];
const flatRss = Array.from({ length: 100 }, (_, t) => ({ t, rss_mb: 200 }));

describe('soak checks', () => {
  it('compares the first and the last third of the measured window', () => {
    expect(soakWindows(100, 20)).toEqual({ baseline: [20, 20 + 80 / 3], end: [100 - 80 / 3, 101] });
  });

  it('passes a flat run with no errors and no deadlocks', () => {
    const verdict = soakVerdict({ strategy: 'cron', doc: doc(() => 150, () => 12, clean), deadlocks: 0, simulatorRss: flatRss, durationS: 100, warmupS: 20, rssGatedWindowS: 0 });
    expect(verdict.failures).toEqual([]);
    expect(verdict.server_rss_growth).toBe(0);
    expect(verdict.server_rss_baseline_mb).toBe(150);
  });

  it('passes a GC sawtooth around a flat level when a third spans its periods, fails the same sawtooth on a rising floor', () => {
    // V8: RSS climbs until a major GC gives pages back. Period 9 s, 150 → 222 MB, flat on average.
    const sawtooth = (t: number): number => 150 + 8 * (t % 9);
    const flat = soakVerdict({ strategy: 'cron', doc: doc(sawtooth, () => 12, clean), deadlocks: 0, simulatorRss: flatRss, durationS: 100, warmupS: 20, rssGatedWindowS: 0 });
    expect(flat.failures).toEqual([]);
    expect(Math.abs(flat.server_rss_growth!)).toBeLessThan(0.05);
    // The same sawtooth on a floor that rises 0.5 MB/s (a leak): 40 s between the windows' middles → ≈ +11%.
    const leaking = soakVerdict({ strategy: 'cron', doc: doc((t) => sawtooth(t) + 0.5 * t, () => 12, clean), deadlocks: 0, simulatorRss: flatRss, durationS: 100, warmupS: 20, rssGatedWindowS: 0 });
    expect(leaking.failures).toEqual([expect.stringMatching(/^server RSS grew 1\d\.\d% after warm-up$/)]);
  });

  it('fails steady growth ≥ 10%, a rising event loop, deadlocks, errors and missing data', () => {
    const verdict = soakVerdict({
      strategy: 'incremental',
      doc: doc((t) => (t < 20 ? 400 : 150 + t), (t) => (t > 70 ? 40 : 10), [['errors.outside_faults.rate == 0', 0.01], ['counts.error.max == 0', null]]),
      deadlocks: 2,
      simulatorRss: [],
      durationS: 100,
      warmupS: 20,
      rssGatedWindowS: 0,
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

  const heap = (level: (t: number) => number): Array<{ t: number; heap_mb: number }> => Array.from({ length: 20 }, (_, i) => ({ t: i * 5, heap_mb: level(i * 5) }));

  it('in windows under 5 minutes, RSS growth is a note and the heap after GC decides', () => {
    const rising = doc((t) => 150 + t, () => 12, clean);
    const flatHeap = soakVerdict({ strategy: 'cron', doc: rising, deadlocks: 0, simulatorRss: flatRss, serverHeap: heap(() => 44), simulatorHeap: heap(() => 25), durationS: 100, warmupS: 20 });
    expect(flatHeap.rss_gated).toBe(false);
    expect(flatHeap.failures).toEqual([]);
    expect(flatHeap.notes).toEqual([expect.stringMatching(/^server RSS grew \d+\.\d% \(not a failure: windows under 5 min, heap after GC 0\.0%\)$/)]);
    const leakingHeap = soakVerdict({ strategy: 'cron', doc: rising, deadlocks: 0, simulatorRss: flatRss, serverHeap: heap((t) => 44 + t / 4), simulatorHeap: heap(() => 25), durationS: 100, warmupS: 20 });
    expect(leakingHeap.failures).toEqual([expect.stringMatching(/^server heap after GC grew \d+\.\d% after warm-up$/)]);
    // No heap samples in a short run: it cannot pass on RSS it does not judge.
    const unprobed = soakVerdict({ strategy: 'cron', doc: doc(() => 150, () => 12, clean), deadlocks: 0, simulatorRss: flatRss, durationS: 100, warmupS: 20 });
    expect(unprobed.failures).toEqual(['server memory: windows under 5 min and no heap-after-GC samples (no probe)', 'simulator memory: windows under 5 min and no heap-after-GC samples (no probe)']);
  });

  it('in windows of 5 minutes or more, RSS growth fails the run even with a flat heap', () => {
    const hour = { length: 3600 };
    const samples = Array.from(hour, (_, t) => ({ t, cpu_pct: 10, rss_mb: 150 + t / 100, event_loop_p99_ms: 12 }));
    const longDoc = { server: { samples }, thresholds: clean.map(([expr, value]) => ({ expr, value, ok: true })) } as unknown as ResultDocument;
    const verdict = soakVerdict({ strategy: 'cron', doc: longDoc, deadlocks: 0, simulatorRss: Array.from(hour, (_, t) => ({ t, rss_mb: 300 })), serverHeap: [{ t: 1000, heap_mb: 44 }, { t: 3500, heap_mb: 44 }], durationS: 3600, warmupS: 720 });
    expect(verdict.rss_gated).toBe(true);
    expect(verdict.failures).toEqual([expect.stringMatching(/^server RSS grew 1\d\.\d% after warm-up$/)]);
  });

  it('ends the warm-up a detail interval after the restart (one server process, refilled, is compared)', () => {
    const yaml = soakScenario(300, 180_000, 'cron');
    expect(yaml).toMatch(/at: 9000ms\n\s+restart_server/);
    expect(yaml).toContain('detail_update_interval: 45000ms');
    // 9 s restart + 45 s details < 63 s warm-up.
    expect(yaml).toContain('warmup: 63000ms');
  });

  it('puts the first event of every kind inside the warm-up, after the restart', () => {
    const yaml = soakScenario(300, 180_000, 'cron');
    const events = [...yaml.matchAll(/- at: (\d+)ms\n\s+(\w+):/g)].map((m) => ({ at: Number(m[1]), kind: m[2]! }));
    const first = new Map<string, number>();
    for (const e of events) if (!first.has(e.kind)) first.set(e.kind, e.at);
    expect([...first.keys()].sort()).toEqual(['add_policies', 'edit_policies', 'refetch_hosts', 'restart_server']);
    for (const [kind, at] of first) {
      expect(at, kind).toBeLessThan(63_000);
      if (kind !== 'restart_server') expect(at, kind).toBeGreaterThan(first.get('restart_server')!);
    }
    // And each kind again in the measured window.
    for (const kind of ['add_policies', 'edit_policies', 'refetch_hosts']) expect(events.some((e) => e.kind === kind && e.at > 63_000), kind).toBe(true);
  });
});

describe('soak chart', () => {
  it('draws both processes, the event loop, the compared windows and the events', () => {
    const svg = soakChartSvg({
      title: 'soak <test>',
      durationS: 100,
      warmupS: 20,
      baseline: [20, 46.7],
      end: [73.3, 101],
      server: Array.from({ length: 100 }, (_, t) => ({ t, rss_mb: 150, event_loop_p99_ms: t === 5 ? 2000 : 10 })),
      simulator: [{ t: -3, rss_mb: 900 }, ...flatRss],
      serverHeap: [{ t: 30, heap_mb: 44 }, { t: 60, heap_mb: 45 }],
      events: [{ t: 5, kind: 'restart_server' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('soak &lt;test&gt;');
    expect(svg.match(/<path /g)).toHaveLength(4);
    expect(svg).toContain('stroke-dasharray="5,3"><title>server heap after major GC (MB)');
    // The simulator's sample before t = 0 is left out: the line starts at the axis, and 900 MB set no scale.
    expect(svg).toMatch(/<path d="M60\.0,[\d.]+L/);
    expect(svg).toContain('>125 MB<'); // axis 0–500 MB (ticks of 125), not 0–1000
    expect(svg).toContain('<title>memory baseline</title>');
    expect(svg).toContain('<title>restart_server at 5s</title>');
  });
});

describe('soak heap probe (bench/soak-heap-probe.cjs)', () => {
  const probe = fileURLToPath(new URL('../../bench/soak-heap-probe.cjs', import.meta.url));
  /** Runs `script` in a fresh node with the probe preloaded as bench/soak.ts preloads it into the server; the samples written. */
  const samples = (script: string, gcMs: number): Array<{ pid: number; heap_mb: number }> => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-soak-probe-'));
    const file = join(dir, 'heap.jsonl');
    try {
      const run = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_OPTIONS: `--require ${JSON.stringify(probe)}`, OSQSIM_SOAK_HEAP_FILE: file, OSQSIM_SOAK_HEAP_GC_MS: String(gcMs) }, encoding: 'utf8', timeout: 20_000 });
      expect(run.status, run.stderr).toBe(0);
      return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { pid: number; heap_mb: number }) : [];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("records the main thread's heap after forced full GCs", () => {
    const got = samples('const keep = new Array(2e6).fill(1); setTimeout(() => keep.length, 400)', 50);
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.every((s) => s.heap_mb >= 16)).toBe(true); // the 2e6-element array (16 MB) is live in every sample
  });

  it("ignores worker threads' heaps (a preload runs in every worker too)", () => {
    // A worker that churns 80 MB through major GCs; the main thread allocates nothing and forces none.
    const script = "const { Worker } = require('node:worker_threads'); new Worker('const a = []; for (let i = 0; i < 400; i++) { a.push(new Array(1e5).fill(i)); if (a.length > 100) a.shift(); }', { eval: true }).on('exit', () => setTimeout(() => {}, 100))";
    expect(samples(script, 0)).toEqual([]);
  });
});

/** Two transactions that lock two rows in opposite order: InnoDB kills one of them (ER_LOCK_DEADLOCK). */
async function makeDeadlock(url: string): Promise<void> {
  const { connection, database } = mysqlConnectionOptions(url);
  const options = { ...connection, database };
  const [a, b] = await Promise.all([mysql.createConnection(options), mysql.createConnection(options)]);
  try {
    await a.query('CREATE TABLE IF NOT EXISTS soak_deadlock (id INT PRIMARY KEY, v INT)');
    await a.query('INSERT IGNORE INTO soak_deadlock VALUES (1, 0), (2, 0)');
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query('UPDATE soak_deadlock SET v = v + 1 WHERE id = 1');
    await b.query('UPDATE soak_deadlock SET v = v + 1 WHERE id = 2');
    const outcomes = await Promise.allSettled([a.query('UPDATE soak_deadlock SET v = v + 1 WHERE id = 2'), b.query('UPDATE soak_deadlock SET v = v + 1 WHERE id = 1')]);
    expect(outcomes.some((o) => o.status === 'rejected' && String(o.reason).includes('Deadlock'))).toBe(true);
  } finally {
    await Promise.allSettled([a.query('ROLLBACK'), b.query('ROLLBACK')]);
    await Promise.allSettled([a.end(), b.end()]);
  }
}

describeMysql('soak deadlock attribution', () => {
  it("counts the run's own deadlocks and tells other databases' apart", { timeout: 30_000 }, async () => {
    const [ours, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      const watcher = await watchDeadlocks(ours.url, 200);
      await makeDeadlock(other.url);
      await new Promise((resolve) => setTimeout(resolve, 600));
      await makeDeadlock(ours.url);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const tally = await watcher.stop();
      // Other helpers' tests may deadlock on the same server meanwhile: those count elsewhere, never as ours.
      expect(tally.ours).toBe(1);
      expect(tally.elsewhere).toBeGreaterThanOrEqual(1);
      expect(tally.statements).toEqual(expect.arrayContaining([expect.stringMatching(/^UPDATE soak_deadlock/)]));
    } finally {
      await Promise.all([ours.drop(), other.drop()]);
    }
  });
});

describeMysql('soak, CI variant (3 minutes)', () => {
  it('300 hosts for 3 minutes on MySQL (cron): every check passes', { timeout: 240_000 }, async () => {
    const database = await createTestDatabase();
    const out = mkdtempSync(join(tmpdir(), 'osqsim-soak-test-'));
    const stdout: string[] = [];
    const stderr: string[] = [];
    let passed = false;
    try {
      const code = await soakBench.execute(['--hosts', '300', '--duration', '3m', '--strategies', 'cron', '--heap-gc', '15s', '--store', database.url, '--out', out, '--json'], { stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t) });
      const document = JSON.parse(stdout.join('')) as { results: { ok: boolean; runs: SoakVerdict[] } };
      const [run] = document.results.runs;
      console.log(`soak CI variant: ${JSON.stringify(run)}`);
      expect(document.results.runs.map((r) => r.failures), stderr.join('')).toEqual([[]]);
      expect(run!.deadlocks).toBe(0);
      expect(run!.server_rss_growth).not.toBeNull();
      expect(run!.server_heap_growth).not.toBeNull();
      expect(run!.simulator_heap_growth).not.toBeNull();
      expect(readFileSync(run!.chart!, 'utf8')).toContain('<svg');
      expect(code).toBe(EXIT.OK);
      passed = true;
    } finally {
      await database.drop();
      // A failed run's result.json, report.html and soak chart stay for whoever reads the failure (the path is in its message).
      if (passed) rmSync(out, { recursive: true, force: true });
    }
  });
});
