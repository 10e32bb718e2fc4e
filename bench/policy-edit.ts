/**
 * bench/policy-edit.ts — does editing a policy stall result ingestion?
 *
 * On MySQL: a policy with N membership rows (default 150,000 hosts) is edited (query changed)
 * through the REST API while simulated hosts keep posting results through distributed/write at a
 * fixed rate (open loop: latency is measured from each write's intended send time, so a stall is
 * not hidden by the generator waiting).
 *
 * Headline figure, robust to a shared, noisy machine: while the batched clean-up runs, it is paused
 * and resumed in alternating 1-second windows; "extra p99" = p99 of writes completed in windows
 * with the clean-up running − p99 in the interleaved windows with it paused (same period, same
 * background load). Also reported: p99 before / during / after the edit, the edit request's own
 * latency, and the clean-up's duration.
 *
 * Baseline in the same run: the pre-fix way (one `DELETE FROM policy_membership WHERE policy_id = ?`
 * over the re-seeded rows, as Fleet did before batching — reference §6.4), measured as p99 while it
 * runs − p99 just before. ratio = our extra p99 ÷ the single DELETE's extra p99.
 *
 * The server (buildServer) runs in this process so the bench can pause its clean-up job; the load
 * generator's own work per write is small next to the server's.
 *
 *   npx tsx bench/policy-edit.ts [--rows 150000] [--rate 200] [--writers 500] [--json]
 */
import { FleetApi } from '../contract/fleet-rest.js';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { Pool } from 'undici';
import { createHistogram, percentilesMs, recordMs, type Histogram } from '../lib/histogram.js';
import { cleanupJobOf } from '../server/api/index.js';
import { buildServer, type OsqsimServer } from '../server/app.js';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';
import { defineBench, durationMs, nonNegativeNumber, option, optional, positiveInt, positiveNumber, text, toggle, type ParamValues } from './harness.js';
import { queryMysqlFacts } from '../capacity/bench-mysql.js';

interface Phase {
  readonly name: string;
  readonly histogram: Histogram;
  sent: number;
  errors: number;
}

/** Interleaved windows: measured length and the unmeasured switch-over gap after each toggle. */
const WINDOW_MS = 1000;
const SWITCH_GAP_MS = 150;

const TOKEN = `bench-${randomBytes(8).toString('hex')}`;

const loadAverage1m = (): number => Math.round(loadavg()[0]! * 100) / 100;

async function seedHosts(db: mysql.Connection, rows: number): Promise<void> {
  const chunk = 5000;
  for (let start = 1; start <= rows; start += chunk) {
    const values: string[] = [];
    for (let i = start; i < Math.min(start + chunk, rows + 1); i++) {
      const platform = i % 5 === 0 ? "'ubuntu','linux'" : i % 3 === 0 ? "'windows','windows'" : "'darwin','darwin'";
      values.push(`('bench-${i}','nk-${i}',${platform},'bench-${i}',NOW(3),NOW(3),NOW(3),NOW(3),NOW(3))`);
    }
    await db.query(
      `INSERT INTO hosts (osquery_host_id,node_key,platform,fleet_platform,hostname,detail_updated_at,policy_updated_at,last_enrolled_at,created_at,updated_at) VALUES ${values.join(',')}`,
    );
  }
}

async function seedMembership(db: mysql.Connection, policyId: number): Promise<number> {
  const [result] = await db.query<mysql.ResultSetHeader>(
    'INSERT IGNORE INTO policy_membership (policy_id, host_id, passes, updated_at, host_team_id) SELECT ?, id, id % 2, NOW(3), COALESCE(team_id, 0) FROM hosts',
    [policyId],
  );
  return result.affectedRows;
}

/** Open-loop writer: one distributed/write every 1/rate s, rotating over the writer hosts. */
class Writers {
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private started = 0;
  private scheduled = 0;
  phase: Phase | undefined;
  inFlight = 0;
  private readonly bodies: string[];

  constructor(private readonly pool: Pool, writerHostIds: readonly number[], policyIds: readonly number[], private readonly rate: number) {
    this.bodies = writerHostIds.map((hostId, index) => {
      const queries: Record<string, unknown[]> = {};
      const statuses: Record<string, number> = {};
      policyIds.forEach((policyId, p) => {
        queries[`fleet_policy_query_${policyId}`] = (index + p) % 3 === 0 ? [] : [{ '1': '1' }];
        statuses[`fleet_policy_query_${policyId}`] = 0;
      });
      return JSON.stringify({ node_key: `nk-${hostId}`, queries, statuses });
    });
  }

  start(): void {
    this.started = performance.now();
    this.scheduled = 0;
    const tick = (): void => {
      const now = performance.now();
      const due = Math.floor(((now - this.started) / 1000) * this.rate);
      while (this.scheduled < due) {
        const intended = this.started + (this.scheduled * 1000) / this.rate;
        this.scheduled += 1;
        this.send(intended);
      }
      this.timer = setTimeout(tick, 1);
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private send(intended: number): void {
    const phase = this.phase;
    const body = this.bodies[this.next++ % this.bodies.length]!;
    this.inFlight += 1;
    this.pool
      .request({ method: 'POST', path: '/api/osquery/distributed/write', headers: { 'content-type': 'application/json' }, body })
      .then(async (response) => {
        await response.body.text();
        if (!phase) return;
        phase.sent += 1;
        if (response.statusCode !== 200) phase.errors += 1;
        else recordMs(phase.histogram, performance.now() - intended);
      })
      .catch(() => {
        if (phase) phase.errors += 1;
      })
      .finally(() => {
        this.inFlight -= 1;
      });
  }
}

const newPhase = (name: string): Phase => ({ name, histogram: createHistogram(), sent: 0, errors: 0 });

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, pollMs = 200): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await check()) return performance.now() - start;
    await sleep(pollMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms`);
}

/** The clean-up knobs of the server under test (absent: the server's defaults, 500 rows and 1×). */
async function measure(values: ParamValues<typeof POLICY_EDIT_PARAMS>, log: (line: string) => void) {
  const { rows, rate, policies: policyCount, naive: withNaive } = values;
  const writerCount = values.writers;
  const baselineMs = values.baseline;
  const afterMs = values.after;

  const loadAtStart = loadAverage1m();
  const { connection: serverOptions } = mysqlConnectionOptions(values.mysql);
  const dbName = `osqsim_bench_edit_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection(serverOptions);
  const facts = await queryMysqlFacts(admin);
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  const storeUrl = new URL(values.mysql);
  storeUrl.pathname = `/${dbName}`;
  let server: OsqsimServer | undefined;
  try {
    log(`starting osqsim server on ${dbName} …`);
    server = await buildServer({
      store: storeUrl.toString(),
      host: '127.0.0.1',
      port: 0,
      apiToken: TOKEN,
      logLevel: 'warn',
      statsIntervalMs: 24 * 3_600_000,
      ...(values.cleanupBatch === undefined ? {} : { cleanupBatchRows: values.cleanupBatch }),
      ...(values.cleanupPauseFactor === undefined ? {} : { cleanupPauseFactor: values.cleanupPauseFactor }),
    });
    const base = await server.listen();
    const job = cleanupJobOf(server.context)!;
    const http = new Pool(base, { connections: values.connections, pipelining: 1 });
    const rest = new FleetApi(base, TOKEN);
    const db = await mysql.createConnection({ ...serverOptions, database: dbName });

    const policyIds: number[] = [];
    for (let i = 0; i < policyCount; i++) {
      const created = await rest.call<{ policy: { id: number } }>('POST', '/api/v1/fleet/global/policies', { name: `bench policy ${i}`, query: `SELECT ${i + 1};` });
      policyIds.push(created.policy.id);
    }
    const edited = policyIds[0]!;
    log(`seeding ${rows} hosts and ${rows} membership rows for policy ${edited} …`);
    const seedStart = performance.now();
    await seedHosts(db, rows);
    const seeded = await seedMembership(db, edited);
    log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    // Writers spread over the id range, so their rows interleave with the clean-up's batches.
    const stride = Math.max(1, Math.floor(rows / writerCount));
    const writerIds = Array.from({ length: writerCount }, (_, i) => 1 + i * stride);
    const writers = new Writers(http, writerIds, policyIds, rate);
    writers.start();
    writers.phase = undefined; // warm-up (host cache, connections)
    await sleep(3000);

    // --- osqsim: PATCH, batched clean-up off the request path ---------------------------------
    const baseline = newPhase('baseline');
    writers.phase = baseline;
    await sleep(baselineMs);
    const during = newPhase('during-edit');
    writers.phase = during;
    const editAt = new Date();
    const editStart = performance.now();
    await rest.modifyPolicy({ id: edited, team_id: null }, { query: 'SELECT 42;' });
    const editMs = performance.now() - editStart;
    // Interleave 1-second windows with the clean-up running and paused until it is done.
    const on = newPhase('cleanup-running');
    const off = newPhase('cleanup-paused');
    const cleanupStart = performance.now();
    let running = true;
    let windows = 0;
    const idle = job.whenIdle().then(() => 'idle' as const);
    for (;;) {
      writers.phase = running ? on : off;
      const outcome = await Promise.race([idle, sleep(WINDOW_MS).then(() => 'tick' as const)]);
      windows += 1;
      if (outcome === 'idle') break;
      running = !running;
      if (running) job.resume();
      else job.pause();
      // A batch in progress finishes after pause(): leave the switch-over out of both sides.
      writers.phase = undefined;
      const settled = await Promise.race([idle, sleep(SWITCH_GAP_MS).then(() => 'tick' as const)]);
      if (settled === 'idle') break;
    }
    job.resume();
    const cleanupMs = performance.now() - cleanupStart;
    // Everything the clean-up saw before the edit is gone (fresh rows of writers are allowed).
    const [stale] = await db.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM policy_membership WHERE policy_id = ? AND updated_at < ?', [edited, editAt]);
    for (const w of [on, off]) {
      during.sent += w.sent;
      during.errors += w.errors;
      during.histogram.add(w.histogram);
    }
    const afterPhase = newPhase('after');
    writers.phase = afterPhase;
    await sleep(afterMs);

    // --- baseline: the pre-fix single DELETE over the same number of rows ---------------------
    let naive: { baseline: Phase; during: Phase; deleteMs: number; rows: number } | undefined;
    if (withNaive) {
      writers.phase = undefined;
      const reseeded = await seedMembership(db, edited);
      const naiveBaseline = newPhase('naive-baseline');
      writers.phase = naiveBaseline;
      await sleep(Math.min(baselineMs, 5000));
      const naiveDuring = newPhase('naive-during');
      writers.phase = naiveDuring;
      const deleteStart = performance.now();
      await db.query('DELETE FROM policy_membership WHERE policy_id = ?', [edited]);
      const deleteMs = performance.now() - deleteStart;
      // Writes that were queued behind the DELETE finish shortly after it.
      await sleep(500);
      naive = { baseline: naiveBaseline, during: naiveDuring, deleteMs, rows: reseeded };
    }
    writers.phase = undefined;
    writers.stop();
    await waitFor(async () => writers.inFlight === 0, 30_000, 50);
    await http.close();
    await db.end();

    const b = percentilesMs(baseline.histogram);
    const d = percentilesMs(during.histogram);
    const a = percentilesMs(afterPhase.histogram);
    const pOn = percentilesMs(on.histogram);
    const pOff = percentilesMs(off.histogram);
    const extra = pOn.p99 - pOff.p99; // signed: noise can make it negative
    const extraBeforeDuring = d.p99 - b.p99;
    const nb = naive ? percentilesMs(naive.baseline.histogram) : undefined;
    const nd = naive ? percentilesMs(naive.during.histogram) : undefined;
    const naiveExtra = nb && nd ? nd.p99 - nb.p99 : undefined;
    return {
      machine: { load_avg_1m_at_start: loadAtStart, load_avg_1m_at_end: loadAverage1m(), ...facts },
      params: {
        cleanup_batch: values.cleanupBatch ?? 'default',
        cleanup_pause_factor: values.cleanupPauseFactor ?? 'default',
        rows,
        membership_rows_seeded: seeded,
        rate_per_s: rate,
        writers: writerCount,
        policies_per_write: policyCount,
        baseline_s: baselineMs / 1000,
        connections: values.connections,
      },
      results: {
        write_latency_ms: { baseline: b, during_edit: d, after: a, cleanup_running: pOn, cleanup_paused: pOff },
        writes: { baseline: baseline.sent, during_edit: during.sent, after: afterPhase.sent, cleanup_running: on.sent, cleanup_paused: off.sent, errors: baseline.errors + during.errors + afterPhase.errors },
        extra_p99_ms: Math.round(extra * 1000) / 1000,
        extra_p99_before_vs_during_ms: Math.round(extraBeforeDuring * 1000) / 1000,
        interleaved_windows: windows,
        stale_rows_left: Number(stale[0]!.n),
        rows_removed_by_cleanup: job.rowsRemoved,
        cleanup_batches: job.batches,
        edit_request_ms: Math.round(editMs * 1000) / 1000,
        cleanup_s: Math.round(cleanupMs) / 1000,
        budget_extra_p99_ms: 10,
        within_budget: extra <= 10,
        single_delete:
          naive && nb && nd
            ? {
                rows: naive.rows,
                delete_ms: Math.round(naive.deleteMs),
                write_latency_ms: { baseline: nb, during: nd },
                writes_before: naive.baseline.sent,
                writes: naive.during.sent,
                extra_p99_ms: naiveExtra,
              }
            : null,
      },
      ratio: naiveExtra !== undefined && naiveExtra > 0 ? Math.round((Math.max(0, extra) / naiveExtra) * 1000) / 1000 : null,
    };
  } finally {
    await server?.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
  }
}

const POLICY_EDIT_PARAMS = {
  mysql: option('--mysql <url>', 'MySQL server (a fresh database is created and dropped)', text, process.env.OSQSIM_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/'),
  rows: option('--rows <n>', 'membership rows (hosts) of the edited policy', positiveInt, '150000'),
  rate: option('--rate <writes/s>', 'distributed/write rate (open loop)', positiveNumber, '200'),
  writers: option('--writers <n>', 'hosts that keep writing', positiveInt, '500'),
  policies: option('--policies <n>', 'policies per write (the edited one included)', positiveInt, '10'),
  baseline: option('--baseline <duration>', 'measured time before the edit', durationMs, '10s'),
  after: option('--after <duration>', 'measured time after the clean-up', durationMs, '3s'),
  connections: option('--connections <n>', 'HTTP connections of the load generator', positiveInt, '32'),
  naive: toggle('--no-naive', 'skip the single-DELETE comparison'),
  cleanupBatch: optional('--cleanup-batch <rows>', 'server: rows per clean-up batch (default 500)', positiveInt),
  cleanupPauseFactor: optional('--cleanup-pause-factor <x>', 'server: pause ≥ x × batch time between batches (default 1)', nonNegativeNumber),
};

type Latency = { p50: number; p99: number; max: number };

await defineBench({
  name: 'policy-edit',
  description: 'Extra distributed/write latency while a policy with many results is edited (MySQL)',
  params: POLICY_EDIT_PARAMS,
  run: measure,
  format(doc) {
    const { params: p, results: r, machine: m } = doc;
    const lat = r.write_latency_ms;
    const row = (name: string, l: Latency, n: number) =>
      `${name.padEnd(26)} ${String(n).padStart(7)} ${l.p50.toFixed(2).padStart(9)} ${l.p99.toFixed(2).padStart(9)} ${l.max.toFixed(2).padStart(9)}`;
    const single = r.single_delete;
    return [
      `policy-edit: ${p.membership_rows_seeded} membership rows for the edited policy, ${p.rate_per_s} writes/s × ${p.policies_per_write} policies from ${p.writers} hosts`,
      `machine: ${m.cpus} × ${m.cpu_model}, node ${m.node}, ${m.mysql_version}, buffer pool ${Math.round((m.innodb_buffer_pool_bytes ?? 0) / 1024 / 1024)} MiB, load ${m.load_avg_1m_at_start} → ${m.load_avg_1m_at_end}`,
      '',
      `${'distributed/write'.padEnd(26)} ${'writes'.padStart(7)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'max ms'.padStart(9)}`,
      row('before the edit', lat.baseline, r.writes.baseline),
      row('during batched clean-up', lat.during_edit, r.writes.during_edit),
      row('  windows: clean-up running', lat.cleanup_running, r.writes.cleanup_running),
      row('  windows: clean-up paused', lat.cleanup_paused, r.writes.cleanup_paused),
      row('after', lat.after, r.writes.after),
      ...(single ? [row('single DELETE: before', single.write_latency_ms.baseline, single.writes_before), row('single DELETE: during', single.write_latency_ms.during, single.writes)] : []),
      '',
      `edit request (PATCH):       ${r.edit_request_ms.toFixed(1)} ms`,
      `batched clean-up took:      ${r.cleanup_s.toFixed(2)} s`,
      `extra p99 (running − paused windows): ${r.extra_p99_ms.toFixed(2)} ms (budget 10 ms: ${r.within_budget ? 'met' : 'NOT met'})`,
      `extra p99 (during − before):          ${r.extra_p99_before_vs_during_ms.toFixed(2)} ms`,
      ...(single ? [`single DELETE took:         ${single.delete_ms.toFixed(0)} ms; extra p99 ${single.extra_p99_ms?.toFixed(2)} ms`] : []),
      `write errors:               ${r.writes.errors}`,
    ].join('\n');
  },
}).main();
