/**
 * policy_membership cells addressed by their primary key (policy_id, host_id), never by a scan of
 * the host_id index.
 *
 * Why: a range scan on idx_policy_membership_host_id_passes (`WHERE host_id IN (…)`) reads one
 * record past the end of each host's range, the first row of the next host id, and a locking read
 * or a DELETE locks that record before it can tell it does not match, even under READ COMMITTED.
 * Two ingest batches with disjoint but interleaved host sets then wait for each other's rows:
 * InnoDB deadlocks between `DELETE … WHERE host_id IN (16,23,…)` and the same for (17,18,…), found by
 * bench/soak.ts and reproduced by test/server/store/membership-deadlock.mysql.test.ts. A lookup of a
 * whole primary key reads only that record and, when it is absent, locks nothing (no gap locks
 * under READ COMMITTED), so lockers that take cells in primary-key order cannot form a cycle.
 *
 * Fleet finds the stale cells the same way: `RecordPolicyQueryExecutions` reads the host's stored
 * policy ids and returns the stale ones, and `cleanupOutOfScopePolicyMembership` deletes
 * `WHERE host_id = ? AND policy_id IN (…)` (server/datastore/mysql/policies.go,
 * server/service/osquery.go).
 */
import type { RowDataPacket } from 'mysql2/promise';
import { BULK_ROWS, chunks, sqlDatetime } from './sql.js';

/** A stored cell as read back: its key and when it was last written (ms since the epoch). */
export interface StoredCell {
  readonly policyId: number;
  readonly hostId: number;
  readonly updatedAt: number;
}

/** Policy ids per host id, both ascending. */
export type CellsByHost = ReadonlyMap<number, readonly number[]>;

/**
 * The cells a batch leaves stale: for each host whose write was a policy run (`runs`: host → run
 * time), every cell last written before the run — stored cells the batch does not write, and
 * cells the batch writes with an older report time (an earlier write of the same host in the
 * same batch that the run did not answer again).
 */
export function staleCells(
  stored: Iterable<StoredCell>,
  batchCells: ReadonlyMap<string, { readonly policyId: number; readonly hostId: number; readonly time: Date }>,
  runs: ReadonlyMap<number, Date>,
): Map<number, number[]> {
  const out = new Map<number, Set<number>>();
  const add = (hostId: number, policyId: number, time: number): void => {
    const run = runs.get(hostId);
    if (run === undefined || time >= run.getTime()) return;
    let policies = out.get(hostId);
    if (!policies) out.set(hostId, (policies = new Set()));
    policies.add(policyId);
  };
  for (const cell of stored) {
    if (!batchCells.has(`${cell.policyId}:${cell.hostId}`)) add(cell.hostId, cell.policyId, cell.updatedAt);
  }
  for (const cell of batchCells.values()) add(cell.hostId, cell.policyId, cell.time.getTime());
  return sortedCells(out);
}

/** The same cells as a sorted map (hosts ascending, each host's policy ids ascending). */
function sortedCells(cells: ReadonlyMap<number, Iterable<number>>): Map<number, number[]> {
  const hosts = [...cells.keys()].sort((a, b) => a - b);
  return new Map(hosts.map((hostId) => [hostId, [...new Set(cells.get(hostId)!)].sort((a, b) => a - b)]));
}

/** Rows read back with policy_id and host_id columns, as policy ids per host (sorted). */
export function cellsOfRows(rows: Iterable<RowDataPacket>): Map<number, number[]> {
  const byHost = new Map<number, number[]>();
  for (const row of rows) {
    const hostId = Number(row.host_id);
    if (!byHost.has(hostId)) byHost.set(hostId, []);
    byHost.get(hostId)!.push(Number(row.policy_id));
  }
  return sortedCells(byHost);
}

/** `WHERE` text that names each cell by its whole primary key (caller forces the PRIMARY index). */
export function cellKeysCondition(cells: CellsByHost): string {
  return [...cells].map(([hostId, policyIds]) => `(pm.host_id = ${hostId} AND pm.policy_id IN (${policyIds.join(',')}))`).join(' OR ');
}

/**
 * DELETE statements for the stale cells of run hosts, by primary key, each still guarded by the
 * run's time so that a cell written since is kept. The multi-table form is the one in which
 * MariaDB and MySQL both accept FORCE INDEX on a DELETE.
 */
export function deleteStaleCellsSql(cells: CellsByHost, runs: ReadonlyMap<number, Date>): string[] {
  const out: string[] = [];
  // Hosts that share a run time share a statement (a batch's hosts usually do).
  const byTime = new Map<number, Array<[number, readonly number[]]>>();
  for (const [hostId, policyIds] of cells) {
    if (policyIds.length === 0) continue;
    const at = runs.get(hostId)!.getTime();
    let group = byTime.get(at);
    if (!group) byTime.set(at, (group = []));
    group.push([hostId, policyIds]);
  }
  for (const [at, group] of byTime) {
    for (const part of chunks(group, BULK_ROWS)) {
      out.push(
        `DELETE pm FROM policy_membership pm FORCE INDEX (PRIMARY) WHERE (${cellKeysCondition(new Map(part))}) AND pm.updated_at < '${sqlDatetime(new Date(at))}'`,
      );
    }
  }
  return out;
}
