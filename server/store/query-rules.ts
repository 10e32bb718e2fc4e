/**
 * Rules for scheduled queries that both stores share: the record a new query gets (Fleet's create
 * defaults), how a patch or a fleetctl spec applies and whether it makes the stored report stale,
 * and which queries go into an agent's schedule.
 */
import { normalisePlatformList } from '../../contract/platforms.js';
import type { QueryInput, QueryPatch, QueryUpdateResult, ScheduledQuery } from './query-types.js';

/** The record a new query gets (id 0 until the store assigns one). Names are NFC-normalised. */
export function newQueryRecord(input: QueryInput, now = new Date()): ScheduledQuery {
  return {
    id: 0,
    teamId: input.teamId,
    name: input.name.normalize('NFC'),
    description: input.description ?? '',
    query: input.query,
    interval: input.interval ?? 0,
    platform: normalisePlatformList(input.platform ?? ''),
    minOsqueryVersion: input.minOsqueryVersion ?? '',
    automationsEnabled: input.automationsEnabled ?? false,
    // Fleet's NewQuery / queryFromSpec: an empty logging type means snapshot.
    logging: input.logging ?? 'snapshot',
    discardData: input.discardData ?? false,
    observerCanRun: input.observerCanRun ?? false,
    authorId: null,
    authorName: '',
    authorEmail: '',
    createdAt: now,
    updatedAt: now,
  };
}

/** Fleet's comparePlatforms (server/service/queries.go): the same set in any order is no change. */
export function samePlatforms(a: string, b: string): boolean {
  const sorted = (list: string): string => list.split(',').map((p) => p.trim()).filter(Boolean).sort().join(',');
  return sorted(a) === sorted(b);
}

/**
 * Whether an edit makes the stored report stale (Fleet's ModifyQuery and ApplyQuerySpecs,
 * server/service/queries.go): new SQL, platforms or minimum version; a switch to a
 * non-snapshot logging type; discard_data turned on.
 */
export function editDiscardsResults(old: ScheduledQuery, next: ScheduledQuery): boolean {
  return (
    next.query !== old.query ||
    next.minOsqueryVersion !== old.minOsqueryVersion ||
    !samePlatforms(next.platform, old.platform) ||
    (next.logging !== old.logging && next.logging !== 'snapshot') ||
    (next.discardData && !old.discardData)
  );
}

/** A query with a PATCH applied (only the given fields change; the team never does). */
export function patchQuery(old: ScheduledQuery, patch: QueryPatch, now = new Date()): QueryUpdateResult {
  const query: ScheduledQuery = {
    ...old,
    name: patch.name === undefined ? old.name : patch.name.normalize('NFC'),
    description: patch.description ?? old.description,
    query: patch.query ?? old.query,
    interval: patch.interval ?? old.interval,
    platform: patch.platform === undefined ? old.platform : normalisePlatformList(patch.platform),
    minOsqueryVersion: patch.minOsqueryVersion ?? old.minOsqueryVersion,
    automationsEnabled: patch.automationsEnabled ?? old.automationsEnabled,
    logging: patch.logging ?? old.logging,
    discardData: patch.discardData ?? old.discardData,
    observerCanRun: patch.observerCanRun ?? old.observerCanRun,
    updatedAt: now,
  };
  return { query, resultsDiscarded: editDiscardsResults(old, query) };
}

/** A fleetctl spec replaces every field (absent ones at their defaults), as Fleet's ApplyQueries upsert. */
export function specAsPatch(spec: QueryInput): Required<QueryPatch> {
  const record = newQueryRecord(spec);
  return {
    name: record.name,
    query: record.query,
    description: record.description,
    interval: record.interval,
    platform: record.platform,
    minOsqueryVersion: record.minOsqueryVersion,
    automationsEnabled: record.automationsEnabled,
    logging: record.logging,
    discardData: record.discardData,
    observerCanRun: record.observerCanRun,
  };
}

/**
 * Fleet's ListScheduledQueriesForAgents filter (server/datastore/mysql/queries.go): a saved query
 * with an interval that either feeds automations or keeps a report (snapshot logging, data kept).
 * osqsim has no `query_reports_disabled` setting, so reports are always on.
 */
export function isScheduledForAgents(query: ScheduledQuery): boolean {
  return query.interval > 0 && (query.automationsEnabled || (!query.discardData && query.logging === 'snapshot'));
}

/**
 * Whether a host's result set is stored in the query's report (OSQ-B saveResultLogsToQueryReports):
 * only snapshot-logging queries that keep their data.
 */
export function keepsReport(query: ScheduledQuery): boolean {
  return !query.discardData && query.logging === 'snapshot';
}

/** The (team, name) key both stores keep unique: Fleet's UNIQUE (team_id_char, name). */
export function queryKey(teamId: number | null, name: string): string {
  return `${teamId ?? ''}\u0000${name.normalize('NFC')}`;
}
