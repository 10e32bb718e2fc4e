/**
 * Scheduled queries ("reports"): Fleet's queries routes (server/service/queries.go; reference
 * fleet-host-vitals.md §4.2) — list (global, or `team_id=N` with `merge_inherited`), get, create,
 * modify, delete by name / by id / in batch, the stored report (whole, or one host's), and fleetctl's
 * `POST /spec/queries`. Bodies are checked before anything is written; an edit that makes the
 * report stale deletes it in the same transaction (the store's updateQuery).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { QueryInput, QueryPatch, ScheduledQuery } from '../store/store.js';
import type { ApiDeps } from './deps.js';
import { badRequest, notFound, type FleetErrorItem } from './errors.js';
import { intervalProblem, isQueryLogging, queryProblem } from './query-validate.js';
import { queryJson, type QueryJson } from './query-serialize.js';
import { iso } from './serialize.js';
import { asObject, idList, optionalBoolean, optionalString, pathId, queryString, type JsonObject } from './validate.js';
import { listWindow as windowOf, type ListWindow } from './list-window.js';

type Params = Record<string, string | undefined>;
type Query = Record<string, unknown>;

const verification = (problem: string) => badRequest(`query payload verification: ${problem}`);

function optionalInterval(body: JsonObject): number | undefined {
  const value = body['interval'];
  if (value === undefined || value === null) return undefined;
  const problem = intervalProblem(value);
  if (problem) throw badRequest(`invalid field "interval": ${problem}`);
  return value as number;
}

/** The fields a create or PATCH body may carry (only the given ones). */
function readFields(body: JsonObject, partial: boolean): QueryPatch {
  const name = optionalString(body, 'name');
  const query = optionalString(body, 'query');
  const platform = optionalString(body, 'platform');
  const description = optionalString(body, 'description');
  const minOsqueryVersion = optionalString(body, 'min_osquery_version');
  // Fleet's NewQuery and ModifyQuery: an empty logging type means snapshot.
  const rawLogging = optionalString(body, 'logging');
  const logging = rawLogging === '' ? 'snapshot' : rawLogging;
  const problem = queryProblem({ name, query, platform, logging, description, minOsqueryVersion }, partial);
  if (problem) throw verification(problem.message);
  const fields: QueryPatch = {};
  if (name !== undefined) fields.name = name.normalize('NFC');
  if (query !== undefined) fields.query = query;
  if (platform !== undefined) fields.platform = platform;
  if (description !== undefined) fields.description = description;
  if (minOsqueryVersion !== undefined) fields.minOsqueryVersion = minOsqueryVersion;
  if (logging !== undefined && isQueryLogging(logging)) fields.logging = logging;
  const interval = optionalInterval(body);
  if (interval !== undefined) fields.interval = interval;
  for (const [key, field] of [['automations_enabled', 'automationsEnabled'], ['discard_data', 'discardData'], ['observer_can_run', 'observerCanRun']] as const) {
    const value = optionalBoolean(body, key);
    if (value !== undefined) fields[field] = value;
  }
  return fields;
}

/** `team_id`: absent, null or 0 = global (Fleet's list treats 0 as global); otherwise a team that must exist. */
async function teamScope(deps: ApiDeps, raw: unknown, where: string): Promise<number | null> {
  if (raw === undefined || raw === null || raw === 0 || raw === '' || raw === '0') return null;
  const id = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 0) throw badRequest(`invalid ${where} "team_id": expected a team id`);
  if (!(await deps.context.store.getTeam(id))) throw notFound(`team ${id} was not found`);
  return id;
}

const ORDER_KEYS = ['id', 'name', 'created_at', 'updated_at'] as const;

/** Fleet's list options over the rows (./list-window.ts); queries are listed by name by default. */
function listWindow(list: QueryJson[], query: Query): ListWindow<QueryJson> {
  return windowOf(list, query, ORDER_KEYS, 'name');
}

async function queryById(deps: ApiDeps, request: FastifyRequest): Promise<ScheduledQuery> {
  const id = pathId((request.params as Params)['id'], 'query');
  const query = await deps.context.store.getQuery(id);
  if (!query) throw notFound(`query ${id} was not found`);
  return query;
}

export function registerQueryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, events } = deps.context;
  const changed = (ids: readonly number[]): void => {
    if (ids.length > 0) events.emit('queriesChanged', ids);
  };

  app.get('/queries', async (request) => {
    const query = request.query as Query;
    const teamId = await teamScope(deps, queryString(query, 'team_id'), 'query parameter');
    const merge = queryString(query, 'merge_inherited');
    const own = await store.listQueries(teamId);
    const list = teamId !== null && (merge === 'true' || merge === '1') ? [...(await store.listQueries(null)), ...own] : own;
    const platform = queryString(query, 'platform');
    let rows = list;
    if (platform !== undefined && platform !== '') {
      // Fleet's ListQueries platform filter: one targetable platform ("macos" = darwin); queries for all platforms match.
      const wanted = platform === 'macos' ? 'darwin' : platform;
      if (platform.includes(',')) throw badRequest('queries can only be filtered by one platform at a time');
      if (!['darwin', 'windows', 'linux'].includes(wanted)) throw badRequest('provided platform param cannot be a scheduled query target');
      rows = list.filter((q) => q.platform === '' || q.platform.split(',').includes(wanted));
    }
    const window = listWindow(rows.map(queryJson), query);
    return {
      queries: window.rows,
      count: rows.length,
      meta: { has_next_results: window.hasNext, has_previous_results: window.page > 0 },
    };
  });

  app.get('/queries/:id', async (request) => ({ query: queryJson(await queryById(deps, request)) }));

  app.post('/queries', async (request) => {
    const body = asObject(request.body);
    const fields = readFields(body, false);
    const teamId = await teamScope(deps, body['team_id'], 'field');
    const created = await store.createQuery({ ...fields, teamId, name: fields.name!, query: fields.query! });
    changed([created.id]);
    return { query: queryJson(created) };
  });

  app.patch('/queries/:id', async (request) => {
    const id = pathId((request.params as Params)['id'], 'query');
    const fields = readFields(asObject(request.body), true);
    const result = await store.updateQuery(id, fields);
    if (!result) throw notFound(`query ${id} was not found`);
    changed([id]);
    return { query: queryJson(result.query) };
  });

  // Fleet's DELETE /queries/{name} (team_id in the query string, 0 or absent = global).
  app.delete('/queries/:name', async (request) => {
    const name = (request.params as Params)['name'] ?? '';
    const teamId = await teamScope(deps, queryString(request.query as Query, 'team_id'), 'query parameter');
    const query = await store.getQueryByName(teamId, name);
    if (!query) throw notFound(`query "${name}" was not found${teamId === null ? '' : ` in team ${teamId}`}`);
    changed(await store.deleteQueries([query.id]));
    return {};
  });

  app.delete('/queries/id/:id', async (request) => {
    const query = await queryById(deps, request);
    changed(await store.deleteQueries([query.id]));
    return {};
  });

  app.post('/queries/delete', async (request) => {
    const ids = [...new Set(idList(asObject(request.body)))];
    // All or nothing: every id must exist before any is deleted.
    for (const id of ids) if (!(await store.getQuery(id))) throw notFound(`query ${id} was not found`);
    const deleted = ids.length === 0 ? [] : await store.deleteQueries(ids);
    changed(deleted);
    return { deleted: deleted.length };
  });

  // Fleet's query report: one entry per stored row with data; report_clipped once the cap is reached.
  app.get('/queries/:id/report', async (request) => {
    const query = await queryById(deps, request);
    if (query.discardData) return { query_id: query.id, results: [], report_clipped: false };
    const rows = (await store.queryResults(query.id)).filter((row) => row.data !== null);
    const hosts = new Map((await store.getHosts([...new Set(rows.map((r) => r.hostId))])).map((h) => [h.id, h]));
    const count = await store.countQueryResults(query.id);
    return {
      query_id: query.id,
      results: rows.map((row) => ({
        host_id: row.hostId,
        host_name: hosts.get(row.hostId)?.hostname ?? '',
        last_fetched: iso(row.lastFetched),
        columns: row.data,
      })),
      report_clipped: count >= deps.context.options.queryReportCap,
    };
  });

  // Fleet's host report (getHostQueryReportEndpoint): one host's stored rows of one query.
  app.get('/hosts/:id/queries/:query_id', async (request) => {
    const params = request.params as Params;
    const hostId = pathId(params['id'], 'host');
    const queryId = pathId(params['query_id'], 'query');
    const host = await store.getHost(hostId);
    if (!host) throw notFound(`host ${hostId} was not found`);
    const query = await store.getQuery(queryId);
    if (!query) throw notFound(`query ${queryId} was not found`);
    const rows = query.discardData ? [] : (await store.queryResults(queryId)).filter((row) => row.hostId === hostId);
    const lastFetched = rows.reduce<Date | undefined>((latest, row) => (latest && latest > row.lastFetched ? latest : row.lastFetched), undefined);
    return {
      query_id: queryId,
      host_id: hostId,
      host_name: host.hostname,
      last_fetched: lastFetched ? iso(lastFetched) : null,
      report_clipped: (await store.countQueryResults(queryId)) >= deps.context.options.queryReportCap,
      results: rows.filter((row) => row.data !== null).map((row) => ({ columns: row.data })),
    };
  });

  app.post('/spec/queries', async (request) => {
    const specs = asObject(request.body)['specs'];
    if (!Array.isArray(specs)) throw badRequest('invalid field "specs": expected an array of query specs');
    const inputs = await readQuerySpecs(deps, specs);
    if (inputs.length === 0) return {};
    const outcome = await store.applySpecs({ policies: [], queries: inputs });
    changed(outcome.queries.map(({ query }) => query.id));
    return {};
  });
}

/**
 * fleetctl query specs as the REST body sends them (Fleet's QuerySpec: team by name, "" global);
 * every spec is checked and every problem reported before anything is written.
 */
export async function readQuerySpecs(deps: ApiDeps, specs: readonly unknown[]): Promise<QueryInput[]> {
  const problems: FleetErrorItem[] = [];
  const inputs: QueryInput[] = [];
  const teams = new Map<string, number | null>([['', null]]);
  const seen = new Set<string>();
  for (const [index, raw] of specs.entries()) {
    const label = `specs[${index}]`;
    try {
      const spec = asObject(raw, `${label}`);
      const fields = readFields(spec, false);
      const named = `${label} (${fields.name})`;
      const teamName = (optionalString(spec, 'team') ?? optionalString(spec, 'fleet') ?? '').trim();
      if (!teams.has(teamName)) teams.set(teamName, (await deps.context.store.getTeamByName(teamName))?.id ?? -1);
      const teamId = teams.get(teamName)!;
      if (teamId === -1) {
        problems.push({ name: named, reason: `team "${teamName}" does not exist` });
        continue;
      }
      const key = `${teamId ?? ''}\u0000${fields.name}`;
      if (seen.has(key)) {
        problems.push({ name: named, reason: `query "${fields.name}" appears more than once for ${teamName === '' ? 'global queries' : `team "${teamName}"`}` });
        continue;
      }
      seen.add(key);
      inputs.push({ ...fields, teamId, name: fields.name!, query: fields.query! });
    } catch (error) {
      const reason = (error as { params?: { reason?: string } }).params?.reason ?? (error as Error).message;
      problems.push({ name: label, reason });
    }
  }
  if (problems.length > 0) throw badRequest(problems[0]!.reason, problems);
  return inputs;
}

