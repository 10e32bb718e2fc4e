/**
 * Scheduled queries and their reports (Fleet: server/datastore/mysql/queries.go and
 * query_results.go). Names are unique per (team_id_char, name) as Fleet's idx_team_id_name_unq;
 * osqsim compares them exactly (utf8mb4_bin) where Fleet's collation ignores case.
 */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, assertFits } from '../limits.js';
import { isScheduledForAgents, newQueryRecord, patchQuery, specAsPatch } from '../query-rules.js';
import type {
  QueryInput,
  QueryLogging,
  QueryPatch,
  QueryResultRow,
  QueryResultsOutcome,
  QueryResultWrite,
  QueryUpdateResult,
  ScheduledQuery,
} from '../query-types.js';
import { type Db, readRows, run } from './db.js';
import { isDuplicate } from './errors.js';
import { BULK_ROWS, chunks, ids } from './sql.js';
import { assertTeam, tx } from './tx.js';

const QUERY_SELECT = `SELECT id, team_id, name, description, query, schedule_interval, platform, min_osquery_version,
  automations_enabled, logging_type, discard_data, observer_can_run, author_id, created_at, updated_at FROM queries`;

interface QueryRow extends RowDataPacket {
  id: number;
  team_id: number | null;
  name: string;
  description: string;
  query: string;
  schedule_interval: number;
  platform: string;
  min_osquery_version: string;
  automations_enabled: number;
  logging_type: string;
  discard_data: number;
  observer_can_run: number;
  author_id: number | null;
  created_at: Date;
  updated_at: Date;
}

function toQuery(r: QueryRow): ScheduledQuery {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    description: r.description,
    query: r.query,
    interval: r.schedule_interval,
    platform: r.platform,
    minOsqueryVersion: r.min_osquery_version,
    automationsEnabled: r.automations_enabled === 1,
    logging: r.logging_type as QueryLogging,
    discardData: r.discard_data === 1,
    observerCanRun: r.observer_can_run === 1,
    authorId: r.author_id,
    authorName: '',
    authorEmail: '',
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const teamChar = (teamId: number | null): string => (teamId === null ? '' : String(teamId));

/** The columns a query record writes (all but id and created_at). */
function columns(q: ScheduledQuery): Record<string, unknown> {
  return {
    name: q.name,
    description: q.description,
    query: q.query,
    schedule_interval: q.interval,
    platform: q.platform,
    min_osquery_version: q.minOsqueryVersion,
    automations_enabled: q.automationsEnabled ? 1 : 0,
    logging_type: q.logging,
    discard_data: q.discardData ? 1 : 0,
    observer_can_run: q.observerCanRun ? 1 : 0,
    updated_at: q.updatedAt,
  };
}

const conflict = (name: string) => osqsimError('STORE_CONFLICT', { what: `query "${name}"` });

async function insertQueryTx(c: PoolConnection, input: QueryInput): Promise<ScheduledQuery> {
  const record = newQueryRecord(input);
  assertFits('query name', record.name, MAX_NAME_CHARS);
  await assertTeam(c, record.teamId);
  try {
    const [result] = await c.query<ResultSetHeader>('INSERT INTO queries SET ?', [
      { ...columns(record), team_id: record.teamId, team_id_char: teamChar(record.teamId), saved: 1, created_at: record.createdAt },
    ]);
    return { ...record, id: result.insertId };
  } catch (err) {
    if (isDuplicate(err)) throw conflict(record.name);
    throw err;
  }
}

export async function createQuery(db: Db, input: QueryInput): Promise<ScheduledQuery> {
  return run(() => tx(db.pool, (c) => insertQueryTx(c, input)));
}

export async function getQuery(db: Db, id: number): Promise<ScheduledQuery | undefined> {
  return run(async () => {
    const rows = await readRows<QueryRow>(db, `${QUERY_SELECT} WHERE id = ?`, [id]);
    return rows[0] && toQuery(rows[0]);
  });
}

export async function getQueryByName(db: Db, teamId: number | null, name: string): Promise<ScheduledQuery | undefined> {
  return run(async () => {
    const rows = await readRows<QueryRow>(db, `${QUERY_SELECT} WHERE team_id_char = ? AND name = ?`, [teamChar(teamId), name.normalize('NFC')]);
    return rows[0] && toQuery(rows[0]);
  });
}

export async function listQueries(db: Db, teamId: number | null): Promise<ScheduledQuery[]> {
  return run(async () => (await readRows<QueryRow>(db, `${QUERY_SELECT} WHERE team_id_char = ? ORDER BY id`, [teamChar(teamId)])).map(toQuery));
}

/** Fleet's ListScheduledQueriesForAgents filter, in SQL (query-rules.ts isScheduledForAgents is the same rule). */
export async function scheduledQueries(db: Db, teamId: number | null): Promise<ScheduledQuery[]> {
  return run(async () => {
    const rows = await readRows<QueryRow>(
      db,
      `${QUERY_SELECT} WHERE team_id_char = ? AND saved = 1 AND schedule_interval > 0
         AND (automations_enabled = 1 OR (discard_data = 0 AND logging_type = 'snapshot')) ORDER BY id`,
      [teamChar(teamId)],
    );
    return rows.map(toQuery).filter(isScheduledForAgents);
  });
}

async function updateQueryTx(c: PoolConnection, id: number, patch: QueryPatch): Promise<QueryUpdateResult | undefined> {
  const [found] = await c.query<QueryRow[]>(`${QUERY_SELECT} WHERE id = ? FOR UPDATE`, [id]);
  if (!found[0]) return undefined;
  const result = patchQuery(toQuery(found[0]), patch);
  assertFits('query name', result.query.name, MAX_NAME_CHARS);
  try {
    await c.query('UPDATE queries SET ? WHERE id = ?', [columns(result.query), id]);
  } catch (err) {
    if (isDuplicate(err)) throw conflict(result.query.name);
    throw err;
  }
  if (result.resultsDiscarded) await c.query('DELETE FROM query_results WHERE query_id = ?', [id]);
  return result;
}

export async function updateQuery(db: Db, id: number, patch: QueryPatch): Promise<QueryUpdateResult | undefined> {
  return run(() => tx(db.pool, (c) => updateQueryTx(c, id, patch)));
}

export async function deleteQueries(db: Db, queryIds: readonly number[]): Promise<number[]> {
  const wanted = ids(queryIds);
  if (wanted.length === 0) return [];
  return run(() =>
    tx(db.pool, async (c) => {
      const [found] = await c.query<RowDataPacket[]>('SELECT id FROM queries WHERE id IN (?) ORDER BY id FOR UPDATE', [wanted]);
      const existing = found.map((r) => Number(r.id));
      if (existing.length === 0) return [];
      await c.query('DELETE FROM query_results WHERE query_id IN (?)', [existing]);
      await c.query('DELETE FROM queries WHERE id IN (?)', [existing]);
      return existing;
    }),
  );
}

/** Team deletion (inside its transaction): the team's queries and their reports go with it. */
export async function deleteTeamQueriesTx(c: PoolConnection, teamId: number): Promise<void> {
  await c.query('DELETE qr FROM query_results qr JOIN queries q ON q.id = qr.query_id WHERE q.team_id = ?', [teamId]);
  await c.query('DELETE FROM queries WHERE team_id = ?', [teamId]);
}

/** Host deletion (inside its transaction): Fleet's hostRefs include query_results. */
export async function deleteHostQueryResultsTx(c: PoolConnection, hostId: number): Promise<void> {
  await c.query('DELETE FROM query_results WHERE host_id = ?', [hostId]);
}

/** Upserts query specs by (team, name) inside a transaction; the teams were checked by the caller. */
export async function applyQuerySpecsTx(
  c: PoolConnection,
  specs: readonly QueryInput[],
): Promise<Array<{ query: ScheduledQuery; result: QueryUpdateResult | 'created' }>> {
  const out: Array<{ query: ScheduledQuery; result: QueryUpdateResult | 'created' }> = [];
  for (const spec of specs) {
    const name = spec.name.normalize('NFC');
    const [found] = await c.query<RowDataPacket[]>('SELECT id FROM queries WHERE team_id_char = ? AND name = ? FOR UPDATE', [
      teamChar(spec.teamId),
      name,
    ]);
    if (!found[0]) {
      out.push({ query: await insertQueryTx(c, spec), result: 'created' });
      continue;
    }
    const result = (await updateQueryTx(c, Number(found[0].id), specAsPatch(spec)))!;
    out.push({ query: result.query, result });
  }
  return out;
}

interface ExistingRow extends RowDataPacket {
  id: number;
  query_id: number;
  host_id: number;
  has_data: number;
}

/**
 * Fleet's OverwriteQueryResultRows for every write of the batch in one transaction, in a fixed
 * number of statements whatever the batch holds (a log request is one host with several queries):
 * lock the queries (share) and the hosts, count each query's rows with data (index only), read the
 * writers' existing rows, then one DELETE by id and multi-row INSERTs.
 */
export async function recordQueryResults(db: Db, writes: readonly QueryResultWrite[], cap: number): Promise<QueryResultsOutcome> {
  if (writes.length === 0) return { stored: 0, rowsInserted: 0, droppedOverCap: 0, droppedUnknown: 0 };
  // One set per (query, host): the last one given wins (a batch may carry two runs of a host).
  const latest = new Map<string, QueryResultWrite>();
  for (const write of writes) latest.set(`${write.queryId}:${write.hostId}`, write);
  // Sorted by (query, host): concurrent batches lock report rows in the same order.
  const sorted = [...latest.values()].sort((a, b) => a.queryId - b.queryId || a.hostId - b.hostId);
  const superseded = writes.length - sorted.length;
  return run(() =>
    tx(db.pool, async (c) => {
      let droppedOverCap = 0;
      let droppedUnknown = 0;
      const queryIds = ids(sorted.map((w) => w.queryId));
      const hostIds = ids(sorted.map((w) => w.hostId));
      // The query rows are locked in share mode: a concurrent delete or discarding edit waits, so
      // no result is stored for a query that is gone (or whose report was just cleared).
      const [queries] = await c.query<RowDataPacket[]>('SELECT id FROM queries WHERE id IN (?) ORDER BY id LOCK IN SHARE MODE', [queryIds]);
      // The hosts rows are locked (sorted, as every writer of a host's rows takes them first): one
      // host's result sets are then written one transaction at a time, and the plain read of its
      // rows below is exact until this one commits.
      const [hosts] = await c.query<RowDataPacket[]>('SELECT id FROM hosts WHERE id IN (?) ORDER BY id FOR UPDATE', [hostIds]);
      const knownQueries = new Set(queries.map((r) => Number(r.id)));
      const knownHosts = new Set(hosts.map((r) => Number(r.id)));
      const known = sorted.filter((w) => knownQueries.has(w.queryId) && knownHosts.has(w.hostId));
      droppedUnknown = sorted.length - known.length;
      if (known.length === 0) return { stored: 0, rowsInserted: 0, droppedOverCap, droppedUnknown: droppedUnknown + superseded };
      const liveQueries = ids(known.map((w) => w.queryId));
      const [counts] = await c.query<RowDataPacket[]>(
        'SELECT query_id, COUNT(*) AS n FROM query_results WHERE query_id IN (?) AND has_data = 1 GROUP BY query_id',
        [liveQueries],
      );
      const totals = new Map<number, number>(liveQueries.map((id) => [id, 0]));
      for (const row of counts) totals.set(Number(row.query_id), Number(row.n));
      // A plain read: nothing else can change these rows now (their hosts are locked above, their
      // queries in share mode). A locking read here scanned an index range past each (query,
      // host) into other hosts' rows and deadlocked with concurrent batches' deletes (5 victims in
      // 6 runs of 40–80 rounds of 4 batches × 20 interleaved hosts; 0 since:
      // test/server/store/query-results-deadlock.mysql.test.ts).
      const [existing] = await c.query<ExistingRow[]>(
        'SELECT id, query_id, host_id, has_data FROM query_results WHERE host_id IN (?) AND query_id IN (?) ORDER BY query_id, host_id, id',
        [ids(known.map((w) => w.hostId)), liveQueries],
      );
      const rowsOf = new Map<string, ExistingRow[]>();
      for (const row of existing) {
        const key = `${row.query_id}:${row.host_id}`;
        rowsOf.set(key, [...(rowsOf.get(key) ?? []), row]);
      }
      const doomed: number[] = [];
      const inserts: unknown[][] = [];
      let stored = 0;
      for (const write of known) {
        const previousRows = rowsOf.get(`${write.queryId}:${write.hostId}`) ?? [];
        const previous = previousRows.filter((r) => Number(r.has_data) === 1).length;
        const total = totals.get(write.queryId)!;
        if (write.rows.length > cap || total - previous + write.rows.length > cap) {
          droppedOverCap++;
          continue;
        }
        // Deleted by primary key, as Fleet does: a range delete would lock other hosts' inserts.
        doomed.push(...previousRows.map((r) => r.id));
        if (write.rows.length === 0) inserts.push([write.queryId, write.hostId, write.fetchedAt, null, 0]);
        for (const row of write.rows) inserts.push([write.queryId, write.hostId, write.fetchedAt, JSON.stringify(row), 1]);
        totals.set(write.queryId, total - previous + write.rows.length);
        stored++;
      }
      for (const chunk of chunks(doomed, BULK_ROWS)) await c.query('DELETE FROM query_results WHERE id IN (?)', [chunk]);
      for (const chunk of chunks(inserts, BULK_ROWS)) {
        await c.query('INSERT INTO query_results (query_id, host_id, last_fetched, data, has_data) VALUES ?', [chunk]);
      }
      return { stored: stored + superseded, rowsInserted: inserts.length, droppedOverCap, droppedUnknown };
    }),
  );
}

interface ResultRow extends RowDataPacket {
  query_id: number;
  host_id: number;
  last_fetched: Date;
  data: string | Record<string, string> | null;
}

export async function queryResults(db: Db, queryId: number): Promise<QueryResultRow[]> {
  return run(async () => {
    const rows = await readRows<ResultRow>(
      db,
      'SELECT query_id, host_id, last_fetched, data FROM query_results WHERE query_id = ? ORDER BY host_id, id',
      [queryId],
    );
    return rows.map((r) => ({
      queryId: r.query_id,
      hostId: r.host_id,
      lastFetched: r.last_fetched,
      // MariaDB's JSON is LONGTEXT (a string); MySQL 8 hands back the parsed object.
      data: r.data === null ? null : typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, string>) : r.data,
    }));
  });
}

export async function countQueryResults(db: Db, queryId: number): Promise<number> {
  return run(async () => {
    const rows = await readRows<RowDataPacket>(db, 'SELECT COUNT(*) AS n FROM query_results WHERE query_id = ? AND has_data = 1', [queryId]);
    return Number(rows[0]!.n);
  });
}
