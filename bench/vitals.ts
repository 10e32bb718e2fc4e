/**
 * The hourly write with full host vitals on MySQL (issue 14 item 4): many concurrent Ubuntu hosts
 * each POST one distributed/write carrying Fleet's Linux detail answers (os_version, osquery_info,
 * system_info, uptime, osquery_flags, network_interface_unix, disk_space_unix, users, software_linux)
 * and their policy results — the write a host sends when its detail and policy gates open together
 * (reference fleet-host-vitals.md §2.2) — against a bare mysql2 bulk write of the same rows in the
 * same run and database.
 *
 * The data: every host has --software packages, --unique-software of them its own and the rest
 * shared by the fleet (one `software` row each, as Fleet's checksum dedupes them), --users users and
 * --policies policy results. Each round a fleet-wide update moves --churn of the shared packages to
 * a new version (new software rows; each host's diff deletes the old links and adds the new), and
 * every policy answer flips, so each round really writes. The bare write stores the same end state
 * the straightforward way: INSERT IGNORE the round's software rows, read their ids, then per chunk
 * of hosts one transaction that upserts policy_membership, host_users and host_disks, updates the
 * hosts, and replaces the hosts' host_software rows.
 *
 * "Rows" are the rows a write carries (policy results + software items + users + 1 disk + 1 host);
 * rows/s = hosts × rows per write / seconds for both. Also per write: request bytes, server CPU, and
 * the MySQL server's statement and row counters (Com_*, Handler_write/update/delete) (server-wide deltas: other sessions on a
 * shared server add to them).
 *
 *   npx tsx bench/vitals.ts [--hosts 300] [--software 400] [--unique-software 4] [--users 4]
 *                           [--policies 20] [--churn 0.05] [--rounds 3] [--connections 32]
 *                           [--mysql-url mysql://root@127.0.0.1:3306/] [--json]
 *
 * Budget: osqsim ≥ 0.5 × the bare bulk write (rows/s).
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { SoftwareItem } from '../server/store/store.js';
import { softwareChecksum } from '../server/store/vitals-rules.js';
import { benchDatabase, closedLoop, mean, MYSQL_URL_PARAM, round, startTarget, TARGET_SERVER_PARAMS, targetServerArgs, targetCpuMicros, type Target } from './common.js';
import { defineBench, mysqlFacts, option, positiveInt, positiveNumber } from './harness.js';

const BUDGET = 0.5;
const CHUNK_ROWS = 1000;

interface Shape {
  readonly hosts: number;
  readonly software: number;
  readonly uniqueSoftware: number;
  readonly users: number;
  readonly policies: number;
  readonly churn: number;
}

/** A host's software list in round k (deb packages, as software_linux reports them). */
function softwareOf(shape: Shape, hostIndex: number, k: number): SoftwareItem[] {
  const shared = Math.max(0, shape.software - shape.uniqueSoftware);
  const churned = Math.round(shared * shape.churn);
  const item = (name: string, version: string): SoftwareItem => ({
    name, version, source: 'deb_packages', bundleIdentifier: '', release: '', arch: 'amd64', vendor: '', extensionId: '', extensionFor: '', lastOpenedAt: null,
  });
  const out: SoftwareItem[] = [];
  for (let j = 0; j < shared; j++) out.push(item(`lib-package-${j}`, j < churned ? `1.${j}.0-0ubuntu${k}` : `1.${j}.0-0ubuntu1`));
  for (let j = 0; j < shape.uniqueSoftware; j++) out.push(item(`host-${hostIndex}-tool-${j}`, '0.9.1'));
  return out;
}

const passes = (k: number, hostIndex: number, policyIndex: number): boolean => (k + hostIndex + policyIndex) % 2 === 0;

function usersOf(shape: Shape): Array<{ uid: number; username: string; groupname: string; shell: string }> {
  return Array.from({ length: shape.users }, (_, j) => ({ uid: 1000 + j, username: `user${j}`, groupname: `user${j}`, shell: '/bin/bash' }));
}

/** The distributed/write body of host h in round k. */
function writeBody(shape: Shape, target: Target, h: number, k: number): string {
  const name = `bench-host-${h}`;
  const queries: Record<string, unknown> = {
    fleet_detail_query_os_version: [{ name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', major: '22', minor: '4', patch: '0', build: '', platform: 'ubuntu', platform_like: 'debian', codename: 'jammy', arch: 'x86_64' }],
    fleet_detail_query_osquery_info: [{ version: '5.13.1', uuid: `uuid-${name}`, instance_id: `inst-${name}`, build_platform: 'ubuntu', start_time: '1764892800' }],
    fleet_detail_query_system_info: [{
      hostname: name, uuid: `uuid-${name}`, cpu_type: 'x86_64', cpu_subtype: '6', cpu_brand: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz',
      cpu_physical_cores: '8', cpu_logical_cores: '16', physical_memory: '68719476736', hardware_vendor: 'Dell Inc.', hardware_model: 'PowerEdge R650',
      hardware_version: '', hardware_serial: `SN${h}`, computer_name: name,
    }],
    fleet_detail_query_uptime: [{ total_seconds: String(86_400 + k * 3600) }],
    fleet_detail_query_osquery_flags: [],
    fleet_detail_query_network_interface_unix: [{ address: `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${h & 255}`, mac: '52:54:00:12:34:56' }],
    fleet_detail_query_disk_space_unix: [{ percent_disk_space_available: String(40 + (k % 5)), gigs_disk_space_available: '41.2', gigs_total_disk_space: '103', gigs_all_disk_space: '120.5' }],
    fleet_detail_query_users: usersOf(shape).map((u) => ({ uid: String(u.uid), username: u.username, type: '', groupname: u.groupname, shell: u.shell })),
    fleet_detail_query_software_linux: softwareOf(shape, h, k).map((s) => ({
      name: s.name, version: s.version, source: s.source, extension_id: '', extension_for: '', vendor: '', release: '', arch: s.arch, last_opened_at: '', installed_path: '',
    })),
  };
  target.policyIds.forEach((id, p) => (queries[`fleet_policy_query_${id}`] = passes(k, h, p) ? [{ 1: '1' }] : []));
  return JSON.stringify({ node_key: target.nodeKeys[h], queries, statuses: {} });
}

/** Server-wide MySQL counters (statements by kind, InnoDB rows, redo bytes). */
const STATUS_NAMES = ['Com_select', 'Com_insert', 'Com_insert_select', 'Com_update', 'Com_delete', 'Com_commit', 'Handler_write', 'Handler_update', 'Handler_delete', 'Innodb_os_log_written'] as const;
type Status = Record<(typeof STATUS_NAMES)[number], number>;

async function status(conn: Connection): Promise<Status> {
  const [rows] = await conn.query<RowDataPacket[]>(`SHOW GLOBAL STATUS WHERE Variable_name IN (${STATUS_NAMES.map((n) => `'${n}'`).join(',')})`);
  const out = Object.fromEntries(STATUS_NAMES.map((n) => [n, 0])) as Status;
  for (const row of rows) out[row.Variable_name as keyof Status] = Number(row.Value);
  return out;
}

interface PerWrite {
  /** Statements the writer sent (osqsim: its ingest metric; bare: counted here), per write. */
  statements: number;
  /** Server-wide counters per write (other sessions on a shared server add to them). */
  server_statements: number;
  rows_written: number;
  redo_bytes: number;
}

function perWrite(before: Status, after: Status, writes: number, statements: number): PerWrite {
  const d = (n: keyof Status): number => (after[n] - before[n]) / writes;
  return {
    statements: round(statements / writes, 1),
    server_statements: round(d('Com_select') + d('Com_insert') + d('Com_insert_select') + d('Com_update') + d('Com_delete') + d('Com_commit'), 1),
    rows_written: round(d('Handler_write') + d('Handler_update') + d('Handler_delete'), 1),
    redo_bytes: round(d('Innodb_os_log_written'), 0),
  };
}

/** The target's ingest counters (statements sent, batches, hosts in them). */
async function ingestStats(target: Target): Promise<{ statements: number; batches: number; hosts: number }> {
  const text = await (await fetch(`${target.osqsimUrl}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { statements: value('osqsim_ingest_statements_total'), batches: value('osqsim_ingest_batch_hosts_count'), hosts: value('osqsim_ingest_batch_hosts_sum') };
}

interface Run {
  readonly target: Target;
  readonly conn: Connection;
  readonly shape: Shape;
  readonly connections: number;
  readonly rowsPerWrite: number;
}

interface OsqsimRound {
  rate: number;
  hostsPerBatch: number;
  bytesPerWrite: number;
  cpuUsPerWrite: number;
  mysql: PerWrite;
}

async function osqsimRound(run: Run, k: number): Promise<OsqsimRound> {
  const { target, shape } = run;
  const bodies = target.nodeKeys.map((_, h) => writeBody(shape, target, h, k));
  const bytes = mean(bodies.map((b) => Buffer.byteLength(b)));
  const statusBefore = await status(run.conn);
  const ingestBefore = await ingestStats(target);
  const cpuBefore = await targetCpuMicros(target.bareUrl);
  const result = await closedLoop(target.osqsimUrl, '/api/osquery/distributed/write', bodies, { connections: run.connections, amount: shape.hosts });
  const cpuAfter = await targetCpuMicros(target.bareUrl);
  const ingestAfter = await ingestStats(target);
  const statusAfter = await status(run.conn);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`osqsim round ${k}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rate: (shape.hosts * run.rowsPerWrite) / result.seconds,
    bytesPerWrite: round(bytes, 0),
    cpuUsPerWrite: round((cpuAfter - cpuBefore) / shape.hosts, 0),
    hostsPerBatch: round((ingestAfter.hosts - ingestBefore.hosts) / Math.max(1, ingestAfter.batches - ingestBefore.batches), 1),
    mysql: perWrite(statusBefore, statusAfter, shape.hosts, ingestAfter.statements - ingestBefore.statements),
  };
}

const hexOf = (checksum: string): string => `UNHEX('${checksum}')`;
const sqlText = (value: string): string => `'${value.replace(/'/g, "''")}'`;

async function bareRound(run: Run, k: number): Promise<{ rate: number; mysql: PerWrite }> {
  const { target, shape, conn } = run;
  const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
  const lists = target.hostIds.map((_, h) => softwareOf(shape, h, k));
  const statusBefore = await status(conn);
  let sent = 0;
  const started = performance.now();
  // 1. The round's software rows (shared rows once), and their ids.
  const distinct = new Map<string, SoftwareItem>();
  for (const list of lists) for (const item of list) distinct.set(softwareChecksum(item), item);
  const checksums = [...distinct.keys()].sort();
  const idOf = new Map<string, number>();
  for (let i = 0; i < checksums.length; i += CHUNK_ROWS) {
    const chunk = checksums.slice(i, i + CHUNK_ROWS);
    sent += 2;
    await conn.query(`INSERT IGNORE INTO software (checksum, name, version, source, arch) VALUES ${chunk
      .map((c) => { const s = distinct.get(c)!; return `(${hexOf(c)},${sqlText(s.name)},${sqlText(s.version)},${sqlText(s.source)},${sqlText(s.arch)})`; })
      .join(',')}`);
    const [rows] = await conn.query<RowDataPacket[]>(`SELECT id, LOWER(HEX(checksum)) AS c FROM software WHERE checksum IN (${chunk.map(hexOf).join(',')})`);
    for (const row of rows) idOf.set(String(row.c), Number(row.id));
  }
  // 2. Per chunk of hosts, one transaction with every table's rows.
  const hostsPerChunk = Math.max(1, Math.floor(CHUNK_ROWS / Math.max(shape.software, shape.policies)));
  const users = usersOf(shape);
  for (let start = 0; start < target.hostIds.length; start += hostsPerChunk) {
    const indexes = target.hostIds.slice(start, start + hostsPerChunk).map((_, j) => start + j);
    const ids = indexes.map((h) => target.hostIds[h]!);
    const membership = indexes.flatMap((h) => target.policyIds.map((p, pi) => `(${p},${target.hostIds[h]},${passes(k, h, pi) ? 1 : 0},'${now}')`));
    const links = indexes.flatMap((h) => lists[h]!.map((s) => `(${target.hostIds[h]},${idOf.get(softwareChecksum(s))})`));
    const statements = [
      'START TRANSACTION',
      `UPDATE hosts SET policy_updated_at = '${now}', detail_updated_at = '${now}', uptime_seconds = ${86_400 + k * 3600}, os_version = 'Ubuntu 22.04.4 LTS', osquery_version = '5.13.1',
         memory = 68719476736, cpu_brand = 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', cpu_logical_cores = 16, primary_ip = '10.0.0.1', primary_mac = '52:54:00:12:34:56', updated_at = '${now}'
         WHERE id IN (${ids.join(',')})`,
      ...(membership.length > 0
        ? [`INSERT INTO policy_membership (policy_id, host_id, passes, updated_at) VALUES ${membership.join(',')} ON DUPLICATE KEY UPDATE passes = VALUES(passes), updated_at = VALUES(updated_at)`]
        : []),
      `INSERT INTO host_disks (host_id, gigs_disk_space_available, percent_disk_space_available, gigs_total_disk_space, gigs_all_disk_space, created_at, updated_at) VALUES ${ids
        .map((id) => `(${id},41.2,${40 + (k % 5)},103,120.5,'${now}','${now}')`)
        .join(',')} ON DUPLICATE KEY UPDATE percent_disk_space_available = VALUES(percent_disk_space_available), updated_at = VALUES(updated_at)`,
      ...(users.length > 0
        ? [`INSERT INTO host_users (host_id, uid, username, groupname, shell) VALUES ${ids
            .flatMap((id) => users.map((u) => `(${id},${u.uid},'${u.username}','${u.groupname}','${u.shell}')`))
            .join(',')} ON DUPLICATE KEY UPDATE shell = VALUES(shell), removed_at = NULL`]
        : []),
      `DELETE FROM host_software WHERE host_id IN (${ids.join(',')})`,
      ...(links.length > 0 ? [`INSERT INTO host_software (host_id, software_id) VALUES ${links.join(',')}`] : []),
      'COMMIT',
    ];
    sent += statements.length;
    await conn.query(statements.join(';\n'));
  }
  const seconds = (performance.now() - started) / 1000;
  const statusAfter = await status(conn);
  return { rate: (shape.hosts * run.rowsPerWrite) / seconds, mysql: perWrite(statusBefore, statusAfter, shape.hosts, sent) };
}

/** Every host holds exactly its round-k software and users (a round that lost rows does not count). */
async function verify(run: Run, k: number): Promise<boolean> {
  const { shape, conn } = run;
  const expected = new Set(softwareOf(shape, 0, k).slice(0, Math.max(0, shape.software - shape.uniqueSoftware)).map((s) => s.version));
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS links, SUM(s.version IN (${[...expected].map(sqlText).join(',') || "''"}) OR s.name LIKE 'host-%') AS current
       FROM host_software hs JOIN software s ON s.id = hs.software_id`,
  );
  const [users] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM host_users WHERE removed_at IS NULL');
  const total = shape.hosts * shape.software;
  return Number(rows[0]!.links) === total && Number(rows[0]!.current) === total && Number(users[0]!.n) === shape.hosts * shape.users;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

await defineBench({
  name: 'vitals',
  description: 'The hourly write with full host vitals on MySQL: osqsim distributed/write against a bare mysql2 bulk write of the same rows, interleaved rounds',
  params: {
    hosts: option('--hosts <n>', 'hosts, each writing once per round', positiveInt, '300'),
    software: option('--software <n>', 'software items per host', positiveInt, '400'),
    uniqueSoftware: option('--unique-software <n>', 'of which unique to the host', positiveInt, '4'),
    users: option('--users <n>', 'users per host', positiveInt, '4'),
    policies: option('--policies <n>', 'policy results per write', positiveInt, '20'),
    churn: option('--churn <fraction>', 'share of the shared packages updated each round (a fleet-wide update)', positiveNumber, '0.05'),
    rounds: option('--rounds <n>', 'rounds of (osqsim, bare), order alternating', positiveInt, '3'),
    connections: option('--connections <n>', 'keep-alive connections of the closed loop', positiveInt, '32'),
    ...TARGET_SERVER_PARAMS,
    mysqlUrl: MYSQL_URL_PARAM,
  },
  async run(values, log) {
    const shape: Shape = {
      hosts: values.hosts, software: values.software, uniqueSoftware: Math.min(values.uniqueSoftware, values.software),
      users: values.users, policies: values.policies, churn: Math.min(1, values.churn),
    };
    const machine = await mysqlFacts(values.mysqlUrl);
    const database = await benchDatabase(values.mysqlUrl);
    log(`enrolling ${shape.hosts} hosts with ${shape.policies} policies…`);
    let target: Target;
    try {
      target = await startTarget(['--store', database.url, '--hosts', String(shape.hosts), '--policies', String(shape.policies), ...targetServerArgs(values)]);
    } catch (error) {
      await database.drop();
      throw error;
    }
    const rowsPerWrite = shape.policies + shape.software + shape.users + 2;
    const run: Run = { target, conn: await database.connection(), shape, connections: values.connections, rowsPerWrite };
    const osqsim: OsqsimRound[] = [];
    const bare: Array<{ rate: number; mysql: PerWrite }> = [];
    let verified = true;
    let first: OsqsimRound | undefined;
    try {
      // The first full write (every software link is new: what a host's first hour costs), then a
      // bare warm-up; neither is counted in the ratio.
      first = await osqsimRound(run, 1);
      log(`first write (all vitals new): ${Math.round(first.rate)} rows/s, ${first.mysql.statements} statements/write`);
      await bareRound(run, 2);
      let k = 3;
      for (let r = 0; r < values.rounds; r++) {
        const order: Array<'osqsim' | 'bare'> = r % 2 === 0 ? ['bare', 'osqsim'] : ['osqsim', 'bare'];
        for (const which of order) {
          if (which === 'osqsim') osqsim.push(await osqsimRound(run, k));
          else bare.push(await bareRound(run, k));
          if (!(await verify(run, k))) {
            verified = false;
            log(`round ${k} (${which}): the database does not hold round ${k}'s software and users`);
          }
          log(`round ${k}: ${which} ${Math.round(which === 'osqsim' ? osqsim.at(-1)!.rate : bare.at(-1)!.rate)} rows/s`);
          k++;
        }
      }
    } finally {
      await run.conn.end();
      await target.stop();
      await database.drop();
    }
    const ratio = median(osqsim.map((o, i) => o.rate / bare[i]!.rate));
    const avg = (pick: (m: PerWrite) => number, list: ReadonlyArray<{ mysql: PerWrite }>): number => round(mean(list.map((x) => pick(x.mysql))), 1);
    return {
      machine,
      params: { ...shape, rounds: values.rounds, connections: values.connections, rows_per_write: rowsPerWrite, bare_chunk_rows: CHUNK_ROWS },
      results: {
        osqsim_rows_per_s: round(mean(osqsim.map((o) => o.rate)), 0),
        bare_rows_per_s: round(mean(bare.map((b) => b.rate)), 0),
        osqsim_rounds: osqsim.map((o) => round(o.rate, 0)),
        bare_rounds: bare.map((b) => round(b.rate, 0)),
        bytes_per_write: round(mean(osqsim.map((o) => o.bytesPerWrite)), 0),
        rows_per_write: rowsPerWrite,
        server_cpu_us_per_write: round(mean(osqsim.map((o) => o.cpuUsPerWrite)), 0),
        osqsim_statements_per_write: avg((m) => m.statements, osqsim),
        osqsim_hosts_per_batch: round(mean(osqsim.map((o) => o.hostsPerBatch)), 1),
        osqsim_server_statements_per_write: avg((m) => m.server_statements, osqsim),
        osqsim_rows_written_per_write: avg((m) => m.rows_written, osqsim),
        osqsim_redo_bytes_per_write: avg((m) => m.redo_bytes, osqsim),
        bare_statements_per_write: avg((m) => m.statements, bare),
        bare_server_statements_per_write: avg((m) => m.server_statements, bare),
        bare_rows_written_per_write: avg((m) => m.rows_written, bare),
        bare_redo_bytes_per_write: avg((m) => m.redo_bytes, bare),
        first_write: first ? { rows_per_s: round(first.rate, 0), cpu_us_per_write: first.cpuUsPerWrite, ...first.mysql } : null,
        verified,
        budget: BUDGET,
        met: ratio >= BUDGET,
      },
      ratio: round(ratio, 3),
    };
  },
  format(doc) {
    const { results: r, params: p, machine: m } = doc;
    return [
      `hourly write: ${p.policies} policy results + ${p.software} software (${p.uniqueSoftware} unique, ${p.churn} updated per round) + ${p.users} users + disk + host row = ${r.rows_per_write} rows, ${r.bytes_per_write} bytes`,
      `target                          rows/s     statements/write  rows written/write redo bytes/write`,
      `osqsim distributed/write        ${String(r.osqsim_rows_per_s).padEnd(10)} ${String(r.osqsim_statements_per_write).padEnd(17)} ${String(r.osqsim_rows_written_per_write).padEnd(18)} ${r.osqsim_redo_bytes_per_write}`,
      `bare mysql2 bulk write          ${String(r.bare_rows_per_s).padEnd(10)} ${String(r.bare_statements_per_write).padEnd(17)} ${String(r.bare_rows_written_per_write).padEnd(18)} ${r.bare_redo_bytes_per_write}`,
      `osqsim server CPU ${r.server_cpu_us_per_write} µs/write; ${r.osqsim_hosts_per_batch} hosts per ingest transaction`,
      `server-wide statements/write (other sessions included): osqsim ${r.osqsim_server_statements_per_write}, bare ${r.bare_server_statements_per_write}; rows written and redo are server-wide too`,
      r.first_write ? `first write (all new): ${r.first_write.rows_per_s} rows/s, ${r.first_write.statements} statements/write, ${r.first_write.rows_written} rows written/write, CPU ${r.first_write.cpu_us_per_write} µs/write` : '',
      `ratio ${doc.ratio} (median of rounds) (budget ≥ ${BUDGET}: ${r.met ? 'met' : 'NOT met'}); every round verified in the database: ${r.verified}`,
      `machine: ${m.cpus} × ${m.cpu_model}, node ${m.node}, ${m.mysql_version}, innodb_buffer_pool_size ${m.innodb_buffer_pool_bytes}`,
    ].filter((line) => line !== '').join('\n');
  },
}).main();
