/**
 * Policy membership, the policy results of each host (Fleet: policy_membership in
 * server/datastore/mysql/policies.go): the ingest batch write, reads, and the batched clean-up
 * after a policy edit.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { platformList } from '../../../contract/platforms.js';
import { collapseChanges } from '../common.js';
import type { RecordResultsOutcome } from '../store.js';
import type { HostPolicyResults, MembershipChange, MembershipRow, PolicyPasses } from '../types.js';
import { type Db, readRows, run } from './db.js';
import { BULK_ROWS, type CellRow, chunks, ids, passesSql, sqlDatetime, toPasses } from './sql.js';
import { type CellsByHost, cellKeysCondition, cellsOfRows, deleteStaleCellsSql, staleCells, type StoredCell } from './cell-keys.js';
import { tx } from './tx.js';
import { type VitalsPreRead, vitalsPreRead, vitalsStatements } from './vitals.js';

export async function recordPolicyResults(
  db: Db,
  batch: readonly HostPolicyResults[],
  options: { trackChanges?: boolean } = {},
): Promise<RecordResultsOutcome> {
  // Last write of a cell (and of a host's timestamp) wins, as it would in the memory store.
  const cells = new Map<string, BatchCell>();
  const hostTimes = new Map<number, Date>();
  // Hosts whose write was a policy run: their rows older than the run (not answered by it) are stale.
  const runs = new Map<number, Date>();
  const batchHosts = new Set<number>();
  let rowsWritten = 0;
  for (const entry of batch) {
    const at = sqlDatetime(entry.reportedAt);
    for (const r of entry.results) {
      cells.set(`${r.policyId}:${entry.hostId}`, { policyId: r.policyId, hostId: entry.hostId, passes: r.passes, at, time: entry.reportedAt });
      rowsWritten++;
    }
    batchHosts.add(entry.hostId);
    if (!entry.keepPolicyTimer) hostTimes.set(entry.hostId, entry.reportedAt);
    if (entry.deleteUnanswered) runs.set(entry.hostId, entry.reportedAt);
  }
  if (batchHosts.size === 0) return { rowsWritten: 0, changes: [] };
  const rows = [...cells.values()].sort((a, b) => a.policyId - b.policyId || a.hostId - b.hostId);
  const hostIds = [...batchHosts].sort((a, b) => a - b);
  const stampedIds = [...hostTimes.keys()].sort((a, b) => a - b);
  const runIds = [...runs.keys()].sort((a, b) => a - b);

  // Lock order everywhere: hosts rows first, then their membership rows (enroll, move, delete do the same).
  // host_team_id comes from the hosts row this transaction has just locked (UPDATE hosts first):
  // known teams are written as literals, otherwise one session variable per host read by a
  // primary-key lookup (NULL when the host does not exist).
  const statements = (pre: VitalsPreRead | undefined, stale: CellsByHost, teamOf?: ReadonlyMap<number, number | null>): string[] => {
    const out: string[] = [];
    const vitals = vitalsStatements(batch, pre);
    for (const chunk of chunks(stampedIds, BULK_ROWS)) out.push(hostsTouchSql(chunk, hostTimes));
    out.push(...vitals.hostUpdates);
    if (rows.length > 0) {
      if (teamOf === undefined) {
        for (const chunk of chunks(hostIds, BULK_ROWS)) {
          out.push(`SET ${chunk.map((id) => `@osqsim_t${id} = (SELECT COALESCE(team_id, 0) FROM hosts WHERE id = ${id})`).join(', ')}`);
        }
      }
      const team = (hostId: number): string => {
        if (teamOf === undefined) return `@osqsim_t${hostId}`;
        return teamOf.has(hostId) ? String(teamOf.get(hostId) ?? 0) : 'NULL';
      };
      for (const chunk of chunks(rows, BULK_ROWS)) {
        out.push(
          `INSERT INTO policy_membership (policy_id, host_id, passes, updated_at, host_team_id) VALUES ${chunk
            .map((r) => `(${r.policyId},${r.hostId},${passesSql(r.passes)},'${r.at}',${team(r.hostId)})`)
            .join(',')} ON DUPLICATE KEY UPDATE passes = VALUES(passes), updated_at = VALUES(updated_at), host_team_id = VALUES(host_team_id)`,
        );
      }
    }
    // The run hosts' stale cells, by primary key (cell-keys.ts: a host_id scan deadlocks with other
    // batches); the run's time still guards each one.
    out.push(...deleteStaleCellsSql(stale, runs));
    out.push(...vitals.rest);
    return out;
  };

  // On the ingest pool; BEGIN and COMMIT travel inside the batch's own multi-statement queries.
  return run(() =>
    tx(
      db.ingestPool,
      async (conn) => {
        let changes: MembershipChange[] = [];
        // Host vitals diffs read first, outside the transaction (as Fleet reads a host's software
        // before its write); a host's writes are never in two batches at once (the committer's keys).
        const pre = await vitalsPreRead(conn, batch);
        let sent = pre?.statements ?? 0;
        if (options.trackChanges && (rows.length > 0 || runIds.length > 0)) {
          const previous = await previousValues(conn, cells, hostIds, runs);
          changes = previous.changes;
          const all = statements(pre, previous.stale, previous.teamOf);
          await sendInTransaction(conn, [...all, 'COMMIT']);
          sent += all.length + previous.statements + 1; // COMMIT
        } else {
          // Stale cells by a plain read before the transaction: it locks nothing, and no other
          // writer adds cells of these hosts meanwhile (a host's writes are never in two batches
          // at once; clean-ups only delete, and the DELETE's time guard covers a refreshed cell).
          const stale = runIds.length === 0 ? new Map<number, number[]>() : staleCells(await storedCells(conn, runIds), cells, runs);
          if (runIds.length > 0) sent++;
          const all = statements(pre, stale);
          if (all.length > 0) await sendInTransaction(conn, ['START TRANSACTION', ...all, 'COMMIT']);
          if (all.length > 0) sent += all.length + 2;
        }
        return { rowsWritten, changes, statements: sent };
      },
      { inlineBeginCommit: true },
    ),
  );
}

/**
 * Text per round trip of one batch. A batch of hosts with large software lists (Fleet's Ubuntu
 * average is 2,460 packages) can run to tens of MB of SQL, above max_allowed_packet (16 MiB by
 * default on MariaDB 10.11 and 64 MiB on MySQL 8); the statements then travel in several round trips
 * of one transaction (a failure rolls all of it back in tx()).
 */
export const MAX_QUERY_TEXT = 4 * 1024 * 1024;

/** Sends the statements (BEGIN/COMMIT included by the caller) in as few queries as MAX_QUERY_TEXT allows. */
export async function sendInTransaction(conn: PoolConnection, statements: readonly string[], maxText = MAX_QUERY_TEXT): Promise<void> {
  let part: string[] = [];
  let size = 0;
  for (const statement of statements) {
    if (part.length > 0 && size + statement.length > maxText) {
      await conn.query(part.join(';\n'));
      part = [];
      size = 0;
    }
    part.push(statement);
    size += statement.length + 2;
  }
  if (part.length > 0) await conn.query(part.join(';\n'));
}

/** One cell of an ingest batch. */
interface BatchCell {
  readonly policyId: number;
  readonly hostId: number;
  readonly passes: PolicyPasses;
  /** reportedAt as SQL text, and as a Date. */
  readonly at: string;
  readonly time: Date;
}

/**
 * Opens the transaction, locks the batch's hosts and then their existing cells (the cells the
 * batch writes, and all cells of hosts whose write was a policy run), and returns how each cell
 * changes (for delta strategies) and which cells are stale. Every writer of a host's cells locks
 * the host row first, so no cell can appear underneath; the cells are found by a plain read and
 * then locked by primary key (cell-keys.ts: a locking scan of the host_id index deadlocks with
 * other batches). A cell a clean-up deleted in between is simply not locked. Hosts that do not
 * exist report no change (their rows are never counted).
 */
async function previousValues(
  conn: PoolConnection,
  cells: ReadonlyMap<string, BatchCell>,
  hostIds: readonly number[],
  runs: ReadonlyMap<number, Date>,
): Promise<{ changes: MembershipChange[]; stale: CellsByHost; teamOf: Map<number, number | null>; statements: number }> {
  const rows = [...cells.values()];
  const policyIds = ids(rows.map((r) => r.policyId));
  const runIds = [...runs.keys()];
  const conditions: string[] = [];
  const values: unknown[] = [hostIds, hostIds];
  if (policyIds.length > 0) {
    conditions.push('policy_id IN (?)');
    values.push(policyIds);
  }
  if (runIds.length > 0) {
    conditions.push('host_id IN (?)');
    values.push(runIds);
  }
  const [results] = await conn.query<RowDataPacket[][]>(
    `START TRANSACTION;
     SELECT id, team_id FROM hosts WHERE id IN (?) ORDER BY id FOR UPDATE;
     SELECT policy_id, host_id FROM policy_membership WHERE host_id IN (?) AND (${conditions.join(' OR ')})`,
    values,
  );
  const [, teams, found] = results as unknown as [unknown, RowDataPacket[], RowDataPacket[]];
  const teamOf = new Map<number, number | null>();
  for (const t of teams) teamOf.set(Number(t.id), t.team_id === null ? null : Number(t.team_id));
  const keys = cellsOfRows(found);
  let previous: RowDataPacket[] = [];
  if (keys.size > 0) {
    [previous] = await conn.query<RowDataPacket[]>(
      `SELECT pm.policy_id, pm.host_id, pm.passes, pm.updated_at FROM policy_membership pm FORCE INDEX (PRIMARY)
        WHERE ${cellKeysCondition(keys)} ORDER BY pm.policy_id, pm.host_id FOR UPDATE`,
    );
  }
  const before = new Map<string, PolicyPasses>();
  for (const r of previous) before.set(`${r.policy_id}:${r.host_id}`, toPasses(r.passes as number | null));
  const changes: MembershipChange[] = [];
  for (const r of rows) {
    const key = `${r.policyId}:${r.hostId}`;
    const old = before.has(key) ? before.get(key) : undefined;
    if (old === r.passes || !teamOf.has(r.hostId)) continue;
    changes.push({ policyId: r.policyId, hostId: r.hostId, hostTeamId: teamOf.get(r.hostId)!, before: old, after: r.passes });
  }
  const stale = staleCells(
    previous.map((r) => ({ policyId: Number(r.policy_id), hostId: Number(r.host_id), updatedAt: (r.updated_at as Date).getTime() })),
    cells,
    runs,
  );
  // The DELETE of stale cells removes them: known hosts only (rows of unknown hosts are never counted).
  for (const [hostId, stalePolicies] of stale) {
    if (!teamOf.has(hostId)) continue;
    for (const policyId of stalePolicies) {
      const key = `${policyId}:${hostId}`;
      const now = cells.has(key) ? cells.get(key)!.passes : before.get(key);
      changes.push({ policyId, hostId, hostTeamId: teamOf.get(hostId)!, before: now, after: undefined });
    }
  }
  changes.sort((a, b) => a.policyId - b.policyId || a.hostId - b.hostId);
  return { changes: collapseChanges(changes), stale, teamOf, statements: keys.size > 0 ? 5 : 4 };
}

/** The stored cells of these hosts and when each was written, by a plain read (no locks). */
async function storedCells(conn: PoolConnection, hostIds: readonly number[]): Promise<StoredCell[]> {
  const [found] = await conn.query<RowDataPacket[]>(
    `SELECT policy_id, host_id, updated_at FROM policy_membership WHERE host_id IN (${[...hostIds].sort((a, b) => a - b).join(',')})`,
  );
  return found.map((r) => ({ policyId: Number(r.policy_id), hostId: Number(r.host_id), updatedAt: (r.updated_at as Date).getTime() }));
}

export async function hostMembership(db: Db, hostId: number): Promise<MembershipRow[]> {
  return run(async () =>
    (
      await readRows<CellRow>(
        db,
        'SELECT policy_id, host_id, passes, updated_at FROM policy_membership WHERE host_id = ? ORDER BY policy_id',
        [hostId],
      )
    ).map((r) => ({ policyId: r.policy_id, hostId: r.host_id, passes: toPasses(r.passes), updatedAt: r.updated_at! })),
  );
}

export async function getMembership(db: Db, policyId: number, hostId: number): Promise<PolicyPasses | undefined> {
  return run(async () => {
    const rows = await readRows<CellRow>(db, 'SELECT passes FROM policy_membership WHERE policy_id = ? AND host_id = ?', [
      policyId, hostId,
    ]);
    return rows[0] ? toPasses(rows[0].passes) : undefined;
  });
}

export async function clearPolicyMembershipBatch(
  db: Db,
  policyId: number,
  limit: number,
  keepPlatforms?: string,
  olderThan?: Date,
): Promise<readonly MembershipChange[]> {
  if (limit <= 0) return [];
  const keep = keepPlatforms === undefined ? undefined : platformList(keepPlatforms);
  // Rows that stay (kept platforms, fresh answers) are stepped over with a host_id cursor.
  const filtered = keep !== undefined || olderThan !== undefined;
  const cursorKey = `${policyId}:${keep?.join(',') ?? '*'}:${olderThan?.getTime() ?? ''}`;
  const fresh = olderThan === undefined ? '' : ` AND pm.updated_at < '${sqlDatetime(olderThan)}'`;
  return run(async () => {
    // 1. Candidates, by a plain read that locks nothing.
    const candidatesAfter = async (after: number): Promise<RowDataPacket[]> => {
      if (keep === undefined) {
        return readRows(
          db,
          `SELECT pm.host_id, h.team_id, h.id IS NULL AS orphan FROM policy_membership pm
             LEFT JOIN hosts h ON h.id = pm.host_id
            WHERE pm.policy_id = ? AND pm.host_id > ?${fresh} ORDER BY pm.host_id LIMIT ?`,
          [policyId, after, limit],
        );
      }
      const platformCondition = keep.length === 0 ? 'FALSE' : "(h.fleet_platform = '' OR h.fleet_platform NOT IN (?))";
      return readRows(
        db,
        `SELECT pm.host_id, h.team_id, h.id IS NULL AS orphan FROM policy_membership pm
           LEFT JOIN hosts h ON h.id = pm.host_id
          WHERE pm.policy_id = ? AND pm.host_id > ?${fresh} AND (h.id IS NULL OR ${platformCondition})
          ORDER BY pm.host_id LIMIT ?`,
        keep.length === 0 ? [policyId, after, limit] : [policyId, after, keep, limit],
      );
    };
    for (;;) {
      const after = filtered ? db.clearCursors.get(cursorKey) ?? 0 : 0;
      let candidates = await candidatesAfter(after);
      // The end of a pass: one more from the start catches rows committed behind the cursor.
      if (candidates.length === 0 && after > 0) candidates = await candidatesAfter(0);
      if (candidates.length === 0) {
        db.clearCursors.delete(cursorKey);
        return [];
      }
      const hostIds = candidates.map((r) => Number(r.host_id));
      const teamOf = new Map(candidates.map((r) => [Number(r.host_id), r.team_id === null ? null : Number(r.team_id)]));
      // 2. Lock exactly those cells by primary key, read their values, delete them (fresh ones stay).
      const removed = await tx(db.pool, async (c) => {
        const [locked] = await c.query<CellRow[]>(
          `SELECT host_id, passes FROM policy_membership pm FORCE INDEX (PRIMARY) WHERE policy_id = ? AND host_id IN (?)${fresh} ORDER BY host_id FOR UPDATE`,
          [policyId, hostIds],
        );
        if (locked.length === 0) return [];
        // By primary key, forced (cell-keys.ts): the optimizer may prefer the host_id index.
        await c.query('DELETE pm FROM policy_membership pm FORCE INDEX (PRIMARY) WHERE pm.policy_id = ? AND pm.host_id IN (?)', [
          policyId, locked.map((r) => r.host_id),
        ]);
        return locked.map((r): MembershipChange => ({
          policyId, hostId: r.host_id, hostTeamId: teamOf.get(r.host_id) ?? null, before: toPasses(r.passes), after: undefined,
        }));
      });
      if (filtered) db.clearCursors.set(cursorKey, hostIds[hostIds.length - 1]!);
      // Every candidate went or was refreshed meanwhile: look further (empty means finished).
      if (removed.length > 0) return removed;
    }
  });
}

export async function countMembership(db: Db): Promise<number> {
  return run(async () => Number((await readRows(db, 'SELECT COUNT(*) AS n FROM policy_membership'))[0]!.n));
}

/** A time per host as one SQL value: a literal when they are all equal, else a CASE on `column`. */
function perHostTime(hostIds: readonly number[], times: ReadonlyMap<number, Date>, column = 'host_id'): string {
  const distinct = new Set(hostIds.map((id) => times.get(id)!.getTime()));
  return distinct.size === 1
    ? `'${sqlDatetime(times.get(hostIds[0]!)!)}'`
    : `CASE ${column} ${hostIds.map((id) => `WHEN ${id} THEN '${sqlDatetime(times.get(id)!)}'`).join(' ')} END`;
}

/** UPDATE of the batch's hosts: policy_updated_at per host (one CASE when times differ), refetch cleared. */
function hostsTouchSql(hostIds: readonly number[], times: ReadonlyMap<number, Date>): string {
  // Single-table UPDATE assigns left to right, so updated_at takes the new policy_updated_at.
  return `UPDATE hosts SET policy_updated_at = ${perHostTime(hostIds, times, 'id')}, refetch_requested = 0, updated_at = policy_updated_at WHERE id IN (${hostIds.join(',')})`;
}
