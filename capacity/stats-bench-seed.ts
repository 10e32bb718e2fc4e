/**
 * `osqsim bench stats`, the data: teams, global policies, hosts and their membership rows seeded in
 * bulk (multi-row INSERTs of 1000 rows, 10 statements per transaction, two connections), or reused
 * when the database already holds the same shape.
 */
import mysql from 'mysql2/promise';
import { osqsimError } from '../lib/errors.js';
import { unitFloat } from '../lib/rng.js';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';
import { TABLES } from '../server/store/mysql/schema.js';
import type { StatsBenchOptions } from './stats-bench-results.js';

const ROWS_PER_STATEMENT = 1000;
const STATEMENTS_PER_TRANSACTION = 10;

/** A host's seeded answer for a policy: 60 % pass, 35 % fail, 5 % unknown. */
export function seededPasses(seed: number, policyId: number, hostId: number): 0 | 1 | null {
  const roll = unitFloat(seed, policyId, hostId);
  return roll < 0.6 ? 1 : roll < 0.95 ? 0 : null;
}

/** The team of seeded host h: teams round-robin, every (teams + 1)-th host in no team. */
export function seededTeam(hostId: number, teamIds: readonly number[]): number | null {
  const slot = hostId % (teamIds.length + 1);
  return slot < teamIds.length ? teamIds[slot]! : null;
}

/** A connection to the --store URL's database (or, with `withDatabase` false, to the server only). */
export function connectStore(url: string, withDatabase = true): Promise<mysql.Connection> {
  const { connection, database } = mysqlConnectionOptions(url);
  return mysql.createConnection(withDatabase ? { ...connection, database } : connection);
}

const sqlDate = (date: Date): string => `'${date.toISOString().slice(0, 23).replace('T', ' ')}'`;
export async function prepareData(
  options: StatsBenchOptions,
  admin: mysql.Connection,
): Promise<{ reused: boolean; rows: number; seconds: number; policyIds: number[]; teamIds: number[] }> {
  const say = options.progress ?? (() => undefined);
  const count = async (sql: string): Promise<number> => Number(((await admin.query(sql))[0] as Array<{ n: number }>)[0]!.n);
  const expectedRows = options.hosts * options.policies;
  const hosts = await count('SELECT COUNT(*) AS n FROM hosts');
  const policies = await count("SELECT COUNT(*) AS n FROM policies WHERE team_id IS NULL AND name LIKE 'bench-policy-%'");
  const teams = await count("SELECT COUNT(*) AS n FROM teams WHERE name LIKE 'bench-team-%'");
  if (!options.reset && hosts === options.hosts && policies === options.policies && teams === options.teams) {
    const rows = await count('SELECT COUNT(*) AS n FROM policy_membership');
    if (rows === expectedRows) {
      say(`reusing the seeded data: ${hosts} hosts × ${policies} policies = ${rows} membership rows`);
      const policyIds = ((await admin.query('SELECT id FROM policies ORDER BY id'))[0] as Array<{ id: number }>).map((r) => r.id);
      const teamIds = ((await admin.query('SELECT id FROM teams ORDER BY id'))[0] as Array<{ id: number }>).map((r) => r.id);
      return { reused: true, rows, seconds: 0, policyIds, teamIds };
    }
  }
  if (hosts > 0 && !options.reset) {
    throw osqsimError('CLI_INVALID_OPTION', {
      option: '--store',
      reason: `the database holds other data (${hosts} hosts); pass --reset to wipe it or use another database`,
    });
  }
  for (const table of TABLES) await admin.query(`TRUNCATE TABLE \`${table}\``);
  const started = performance.now();
  const now = sqlDate(new Date());
  const teamIds: number[] = [];
  for (let t = 1; t <= options.teams; t++) {
    const [result] = await admin.query(`INSERT INTO teams (name, description, created_at) VALUES (?, '', ${now})`, [`bench-team-${t}`]);
    teamIds.push((result as mysql.ResultSetHeader).insertId);
  }
  const policyIds: number[] = [];
  for (let p = 1; p <= options.policies; p++) {
    const [result] = await admin.query(
      `INSERT INTO policies (team_id, name, query, description, resolution, platforms, checksum, created_at, updated_at)
       VALUES (NULL, ?, ?, '', '', '', UNHEX(MD5(CONCAT_WS(CHAR(0), '', ?))), ${now}, ${now})`,
      [`bench-policy-${p}`, `SELECT 1 FROM osquery_info WHERE ${p} > 0;`, `bench-policy-${p}`],
    );
    policyIds.push((result as mysql.ResultSetHeader).insertId);
  }
  say(`seeding ${options.hosts} hosts …`);
  for (let first = 1; first <= options.hosts; first += ROWS_PER_STATEMENT) {
    const values: string[] = [];
    for (let h = first; h < first + ROWS_PER_STATEMENT && h <= options.hosts; h++) {
      const team = seededTeam(h, teamIds);
      values.push(
        `(${h},'bench-host-${h}','bench-node-${h}',${team ?? 'NULL'},'ubuntu','linux','bench-host-${h}','bench-uuid-${h}',` +
          `${now},${now},${now},${now},${now})`,
      );
    }
    await admin.query(
      `INSERT INTO hosts (id, osquery_host_id, node_key, team_id, platform, fleet_platform, hostname, uuid,
         detail_updated_at, policy_updated_at, last_enrolled_at, created_at, updated_at) VALUES ${values.join(',')}`,
    );
  }
  say(`seeding ${expectedRows.toLocaleString('en')} membership rows (${ROWS_PER_STATEMENT} rows per INSERT, 2 connections) …`);
  let written = 0;
  let lastReport = performance.now();
  const worker = async (share: number): Promise<void> => {
    const connection = await connectStore(options.store);
    try {
      let inTransaction = 0;
      for (let index = share; index < policyIds.length; index += 2) {
        const policyId = policyIds[index]!;
        for (let first = 1; first <= options.hosts; first += ROWS_PER_STATEMENT) {
          const values: string[] = [];
          for (let h = first; h < first + ROWS_PER_STATEMENT && h <= options.hosts; h++) {
            values.push(`(${policyId},${h},${seededPasses(options.seed, policyId, h) ?? 'NULL'},${now},${seededTeam(h, teamIds) ?? 0})`);
          }
          if (inTransaction === 0) await connection.query('BEGIN');
          await connection.query(`INSERT INTO policy_membership (policy_id, host_id, passes, updated_at, host_team_id) VALUES ${values.join(',')}`);
          written += values.length;
          if (++inTransaction === STATEMENTS_PER_TRANSACTION) {
            await connection.query('COMMIT');
            inTransaction = 0;
          }
          if (performance.now() - lastReport > 10_000) {
            lastReport = performance.now();
            const seconds = (lastReport - started) / 1000;
            say(`  ${written.toLocaleString('en')} rows in ${seconds.toFixed(0)} s (${Math.round(written / seconds).toLocaleString('en')} rows/s)`);
          }
        }
      }
      if (inTransaction > 0) await connection.query('COMMIT');
    } finally {
      await connection.end();
    }
  };
  await Promise.all([worker(0), worker(1)]);
  await admin.query('ANALYZE TABLE policy_membership, hosts');
  const seconds = (performance.now() - started) / 1000;
  say(`seeded ${written.toLocaleString('en')} rows in ${seconds.toFixed(1)} s`);
  return { reused: false, rows: written, seconds, policyIds, teamIds };
}
