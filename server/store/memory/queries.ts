/** Scheduled queries and their reports (query_results), unique by (team, name). */
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, assertFits } from '../limits.js';
import { isScheduledForAgents, newQueryRecord, patchQuery, queryKey, specAsPatch } from '../query-rules.js';
import type {
  QueryInput,
  QueryPatch,
  QueryResultRow,
  QueryResultsOutcome,
  QueryResultWrite,
  QueryUpdateResult,
  ScheduledQuery,
} from '../query-types.js';
import { type MemoryState, assertTeam } from './state.js';

function assertUniqueName(state: MemoryState, teamId: number | null, name: string, exceptId?: number): void {
  const existing = state.queriesByKey.get(queryKey(teamId, name));
  if (existing !== undefined && existing !== exceptId) throw osqsimError('STORE_CONFLICT', { what: `query "${name}"` });
}

export function createQuery(state: MemoryState, input: QueryInput): ScheduledQuery {
  assertFits('query name', input.name.normalize('NFC'), MAX_NAME_CHARS);
  assertTeam(state, input.teamId);
  assertUniqueName(state, input.teamId, input.name);
  const query: ScheduledQuery = { ...newQueryRecord(input), id: state.nextQueryId++ };
  state.queries.set(query.id, query);
  state.queriesByKey.set(queryKey(query.teamId, query.name), query.id);
  return query;
}

export function getQuery(state: MemoryState, id: number): ScheduledQuery | undefined {
  return state.queries.get(id);
}

export function getQueryByName(state: MemoryState, teamId: number | null, name: string): ScheduledQuery | undefined {
  const id = state.queriesByKey.get(queryKey(teamId, name));
  return id === undefined ? undefined : state.queries.get(id);
}

export function listQueries(state: MemoryState, teamId: number | null): ScheduledQuery[] {
  return [...state.queries.values()].filter((q) => q.teamId === teamId).sort((a, b) => a.id - b.id);
}

export function updateQuery(state: MemoryState, id: number, patch: QueryPatch): QueryUpdateResult | undefined {
  const old = state.queries.get(id);
  if (!old) return undefined;
  const result = patchQuery(old, patch);
  assertFits('query name', result.query.name, MAX_NAME_CHARS);
  assertUniqueName(state, old.teamId, result.query.name, id);
  state.queriesByKey.delete(queryKey(old.teamId, old.name));
  state.queries.set(id, result.query);
  state.queriesByKey.set(queryKey(old.teamId, result.query.name), id);
  if (result.resultsDiscarded) state.queryResults.delete(id);
  return result;
}

export function deleteQueries(state: MemoryState, ids: readonly number[]): number[] {
  const deleted: number[] = [];
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const query = state.queries.get(id);
    if (!query) continue;
    state.queries.delete(id);
    state.queriesByKey.delete(queryKey(query.teamId, query.name));
    state.queryResults.delete(id);
    deleted.push(id);
  }
  return deleted;
}

/** Deletes a team's queries and their reports (team deletion). */
export function deleteTeamQueries(state: MemoryState, teamId: number): void {
  deleteQueries(state, listQueries(state, teamId).map((q) => q.id));
}

/** Deletes a host's stored results (host deletion). */
export function deleteHostQueryResults(state: MemoryState, hostId: number): void {
  for (const byHost of state.queryResults.values()) byHost.delete(hostId);
}

export function scheduledQueries(state: MemoryState, teamId: number | null): ScheduledQuery[] {
  return listQueries(state, teamId).filter(isScheduledForAgents);
}

/** What can make an apply fail, checked before anything is written. */
export function checkQuerySpecs(state: MemoryState, specs: readonly QueryInput[]): void {
  for (const spec of specs) {
    assertTeam(state, spec.teamId);
    assertFits('query name', spec.name.normalize('NFC'), MAX_NAME_CHARS);
  }
}

/**
 * Checked first (teams and names), then applied: all or nothing. Returns the queries in spec
 * order; an existing (team, name) is updated with every field of the spec.
 */
export function applyQuerySpecs(
  state: MemoryState,
  specs: readonly QueryInput[],
): Array<{ query: ScheduledQuery; result: QueryUpdateResult | 'created' }> {
  checkQuerySpecs(state, specs);
  const out: Array<{ query: ScheduledQuery; result: QueryUpdateResult | 'created' }> = [];
  for (const spec of specs) {
    const existing = getQueryByName(state, spec.teamId, spec.name);
    if (!existing) {
      out.push({ query: createQuery(state, spec), result: 'created' });
      continue;
    }
    const result = updateQuery(state, existing.id, specAsPatch(spec))!;
    out.push({ query: result.query, result });
  }
  return out;
}

const dataRowCount = (state: MemoryState, queryId: number): number => {
  let n = 0;
  for (const stored of state.queryResults.get(queryId)?.values() ?? []) n += stored.rows.length;
  return n;
};

export function recordQueryResults(state: MemoryState, writes: readonly QueryResultWrite[], cap: number): QueryResultsOutcome {
  let stored = 0;
  let rowsInserted = 0;
  let droppedOverCap = 0;
  let droppedUnknown = 0;
  const totals = new Map<number, number>(); // data rows per query, counted once per batch
  for (const write of writes) {
    if (!state.queries.has(write.queryId) || !state.hosts.has(write.hostId)) {
      droppedUnknown++;
      continue;
    }
    let byHost = state.queryResults.get(write.queryId);
    const previous = byHost?.get(write.hostId)?.rows.length ?? 0;
    // Fleet's OverwriteQueryResultRows: a set over the cap is dropped whole, and a set that would
    // push the report past the cap changes nothing (hosts already in it keep updating).
    const total = totals.get(write.queryId) ?? dataRowCount(state, write.queryId);
    if (write.rows.length > cap || total - previous + write.rows.length > cap) {
      totals.set(write.queryId, total);
      droppedOverCap++;
      continue;
    }
    if (!byHost) {
      byHost = new Map();
      state.queryResults.set(write.queryId, byHost);
    }
    totals.set(write.queryId, total - previous + write.rows.length);
    byHost.set(write.hostId, { lastFetched: write.fetchedAt, rows: write.rows.map((row) => ({ ...row })) });
    stored++;
    rowsInserted += Math.max(1, write.rows.length);
  }
  return { stored, rowsInserted, droppedOverCap, droppedUnknown };
}

export function queryResults(state: MemoryState, queryId: number): QueryResultRow[] {
  const byHost = state.queryResults.get(queryId);
  if (!byHost) return [];
  const out: QueryResultRow[] = [];
  for (const hostId of [...byHost.keys()].sort((a, b) => a - b)) {
    const { lastFetched, rows } = byHost.get(hostId)!;
    if (rows.length === 0) out.push({ queryId, hostId, lastFetched, data: null });
    for (const row of rows) out.push({ queryId, hostId, lastFetched, data: { ...row } });
  }
  return out;
}

export function countQueryResults(state: MemoryState, queryId: number): number {
  return dataRowCount(state, queryId);
}
