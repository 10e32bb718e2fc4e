/**
 * The host change feed the hot-path cache polls (Store.hostChangesSince): hosts.changed_at (database
 * clock, ON UPDATE CURRENT_TIMESTAMP(3)) and the host_deletions tombstones, read with an overlap
 * window.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { HostChanges } from '../store.js';
import { type Db, run } from './db.js';
import { sqlDatetime } from './sql.js';

/**
 * Change feed overlap: each read re-reads changes stamped up to this long before the previous
 * read's database time, so a transaction whose commit lands up to this long after its UPDATE of
 * the host row (hosts.changed_at = statement time) is still reported. Slower commits are caught
 * only by the cache's safety TTL.
 */
export const FEED_OVERLAP_MS = 5_000;
/** Tombstones of deleted hosts are kept this long; an older cursor gets reset. */
export const FEED_RETENTION_MS = 3_600_000;
const FEED_PRUNE_EVERY_MS = 60_000;

/**
 * One round trip: the database time (the next cursor), then hosts with changed_at and tombstones
 * with deleted_at ≥ previous cursor − FEED_OVERLAP_MS, then the policies version (counter row
 * bumped by every policy write + count and newest updated_at, so direct edits of the table count
 * too). READ COMMITTED: each SELECT sees what committed before it started, after the time read.
 */
export async function hostChangesSince(db: Db, cursor: string | undefined): Promise<HostChanges> {
  const previous = cursor === undefined ? NaN : Date.parse(`${cursor.replace(' ', 'T')}Z`);
  return run(async () => {
    const reset = !Number.isFinite(previous);
    const since = sqlDatetime(new Date((reset ? Date.now() : previous) - FEED_OVERLAP_MS));
    const [results] = await db.pool.query<RowDataPacket[][]>(
      `SELECT DATE_FORMAT(CURRENT_TIMESTAMP(3), '%Y-%m-%d %H:%i:%s.%f') AS now,
              (SELECT value FROM change_counters WHERE name = 'policies') AS counter,
              (SELECT CONCAT(COUNT(*), '/', COALESCE(DATE_FORMAT(MAX(updated_at), '%Y%m%d%H%i%s%f'), '')) FROM policies) AS summary;
       SELECT id FROM hosts WHERE changed_at >= ?;
       SELECT DISTINCT host_id FROM host_deletions WHERE deleted_at >= ?`,
      [since, since],
    );
    const [head, changed, deleted] = results as unknown as [RowDataPacket[], RowDataPacket[], RowDataPacket[]];
    const row = head[0]!;
    const now = String(row.now).slice(0, 23);
    const policiesVersion = `${row.counter ?? 0}:${String(row.summary)}`;
    const nowMs = Date.parse(`${now.replace(' ', 'T')}Z`);
    pruneFeed(db, nowMs);
    // A cursor older than the tombstones kept may have missed deletes: start over.
    const tooOld = !reset && nowMs - previous > FEED_RETENTION_MS - FEED_OVERLAP_MS;
    if (reset || tooOld) {
      return { cursor: now, reset: true, changedHostIds: [], deletedHostIds: [], policiesVersion };
    }
    return {
      cursor: now,
      reset: false,
      changedHostIds: changed.map((r) => Number(r.id)),
      deletedHostIds: deleted.map((r) => Number(r.host_id)),
      policiesVersion,
    };
  });
}

/** Drops tombstones older than FEED_RETENTION_MS, at most once a minute per store, off the caller's path. */
function pruneFeed(db: Db, nowMs: number): void {
  if (nowMs - db.feed.lastPrune < FEED_PRUNE_EVERY_MS) return;
  db.feed.lastPrune = nowMs;
  db.pool
    .query('DELETE FROM host_deletions WHERE deleted_at < ? LIMIT 10000', [sqlDatetime(new Date(nowMs - FEED_RETENTION_MS))])
    .catch(() => undefined);
}
