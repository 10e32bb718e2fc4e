/**
 * What the database holds, read straight from MariaDB (never through the server or a fault proxy), for
 * the row-by-row comparison with the agents' record of acknowledged results (./acked-agents.ts) and
 * the stats checks of the crash and instance-loss experiments.
 */
import mysql from 'mysql2/promise';
import { mysqlConnectionOptions } from '../../server/store/mysql/connection.js';
import type { MembershipRow } from './acked-agents.js';

export interface PolicyCounts {
  readonly policyId: number;
  readonly passing: number;
  readonly failing: number;
}

export interface StatsRun {
  readonly instance: string;
  readonly startedAt: number;
  readonly durationMs: number;
}

export class Ledger {
  private constructor(private readonly conn: mysql.Connection) {}

  static async open(url: string): Promise<Ledger> {
    const { connection, database } = mysqlConnectionOptions(url);
    return new Ledger(await mysql.createConnection({ ...connection, database }));
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => undefined);
  }

  async membership(): Promise<MembershipRow[]> {
    const [rows] = await this.conn.query<mysql.RowDataPacket[]>(
      'SELECT h.node_key, m.policy_id, m.passes FROM policy_membership m JOIN hosts h ON h.id = m.host_id',
    );
    return rows.map((r) => ({ nodeKey: r.node_key as string, policyId: Number(r.policy_id), passes: r.passes === null ? null : Number(r.passes) === 1 }));
  }

  /** Stored policy rows of one host (by node key). */
  async rowsOfHost(nodeKey: string): Promise<number> {
    const [rows] = await this.conn.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM policy_membership m JOIN hosts h ON h.id = m.host_id WHERE h.node_key = ?',
      [nodeKey],
    );
    return Number(rows[0]!.n);
  }

  /** The truth the counts must reach: passing and failing hosts per global policy, from membership. */
  async truthFromMembership(): Promise<PolicyCounts[]> {
    const [rows] = await this.conn.query<mysql.RowDataPacket[]>(
      `SELECT p.id AS policy_id,
              COALESCE(SUM(m.passes = 1), 0) AS passing,
              COALESCE(SUM(m.passes = 0), 0) AS failing
         FROM policies p LEFT JOIN policy_membership m ON m.policy_id = p.id
        GROUP BY p.id ORDER BY p.id`,
    );
    return rows.map((r) => ({ policyId: Number(r.policy_id), passing: Number(r.passing), failing: Number(r.failing) }));
  }

  /** The overall counts the stats strategy stored (policy_stats, inherited_team_id NULL). */
  async storedCounts(): Promise<PolicyCounts[]> {
    const [rows] = await this.conn.query<mysql.RowDataPacket[]>(
      `SELECT policy_id, passing_host_count, failing_host_count FROM policy_stats
        WHERE inherited_team_id IS NULL ORDER BY policy_id`,
    );
    return rows.map((r) => ({ policyId: Number(r.policy_id), passing: Number(r.passing_host_count), failing: Number(r.failing_host_count) }));
  }

  async statsRuns(): Promise<StatsRun[]> {
    const [rows] = await this.conn.query<mysql.RowDataPacket[]>('SELECT instance, started_at, duration_ms FROM stats_runs ORDER BY started_at, id');
    return rows.map((r) => ({ instance: String(r.instance), startedAt: (r.started_at as Date).getTime(), durationMs: Number(r.duration_ms) }));
  }
}

/** Pairs of stats runs whose [start, start + duration) intervals overlap (must be none). */
export function overlappingRuns(runs: readonly StatsRun[]): Array<[StatsRun, StatsRun]> {
  const sorted = [...runs].sort((a, b) => a.startedAt - b.startedAt);
  const out: Array<[StatsRun, StatsRun]> = [];
  let longest: StatsRun | undefined;
  for (const run of sorted) {
    // started_at is stored to the millisecond and duration_ms is fractional: 1 ms of rounding allowed.
    if (longest !== undefined && run.startedAt + 1 < longest.startedAt + longest.durationMs) out.push([longest, run]);
    if (longest === undefined || run.startedAt + run.durationMs > longest.startedAt + longest.durationMs) longest = run;
  }
  return out;
}
