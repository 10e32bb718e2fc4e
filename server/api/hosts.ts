/**
 * Host views (reference fleet-policies.md §6.5): the list with Fleet's policy filter, the detail
 * with each in-scope policy's `response` and the host's vitals (software, users, disk space, …),
 * refetch, delete and team transfer.
 */
import type { FastifyInstance } from 'fastify';
import type { Host, HostListFilter, MembershipRow, Policy } from '../store/store.js';
import { fleetPlatformOf } from '../../contract/platforms.js';
import type { ApiDeps } from './deps.js';
import { badRequest, notFound } from './errors.js';
import { hostJson, hostOrbitInfoJson, hostVitalsJson, issuesJson, labelJson, policyJson, type HostPolicyJson } from './serialize.js';
import { asObject, idList, listPaging, pathId, queryInt, queryString } from './validate.js';

type Params = Record<string, string | undefined>;
type Query = Record<string, unknown>;

/** Per-request cache of in-scope policies by (team, Fleet platform). */
class ScopeCache {
  private readonly scopes = new Map<string, Promise<Policy[]>>();
  constructor(private readonly deps: ApiDeps) {}
  policiesFor(host: Host): Promise<Policy[]> {
    const platform = fleetPlatformOf(host.platform);
    const key = `${host.teamId ?? 'none'}|${platform}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = this.deps.context.store.policiesForHost(host.teamId, platform);
      this.scopes.set(key, scope);
    }
    return scope;
  }
}

/** The response of each in-scope policy; rows older than a pending query-change clean-up read as "". */
async function hostPolicies(deps: ApiDeps, host: Host, scopes: ScopeCache): Promise<HostPolicyJson[]> {
  const [policies, rows] = await Promise.all([scopes.policiesFor(host), deps.context.store.hostMembership(host.id)]);
  const byPolicy = new Map<number, MembershipRow>(rows.map((row) => [row.policyId, row]));
  return policies.map((policy) => {
    const row = byPolicy.get(policy.id);
    const staleBefore = deps.cleanup.staleBefore(policy.id);
    const fresh = row !== undefined && (staleBefore === undefined || row.updatedAt >= staleBefore);
    const response = !fresh || row.passes === null ? '' : row.passes ? 'pass' : 'fail';
    return { ...policyJson(policy), response };
  });
}

const failingCount = (policies: readonly HostPolicyJson[]): number => policies.filter((p) => p.response === 'fail').length;

async function teamNames(deps: ApiDeps): Promise<Map<number, string>> {
  return new Map((await deps.context.store.listTeams()).map((team) => [team.id, team.name]));
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The store filter; `none` = the answer is empty whatever the store holds (see the clean-up window). */
async function listFilter(deps: ApiDeps, query: Query): Promise<{ filter: HostListFilter; none?: boolean }> {
  const { store } = deps.context;
  const filter: { -readonly [K in keyof HostListFilter]: HostListFilter[K] } = {};
  const teamId = queryInt(query, 'team_id');
  if (teamId !== undefined) {
    if (teamId !== 0 && !(await store.getTeam(teamId))) throw notFound(`team ${teamId} was not found`);
    filter.teamId = teamId === 0 ? null : teamId;
  }
  const policyId = queryInt(query, 'policy_id');
  const response = queryString(query, 'policy_response');
  if (response !== undefined) {
    if (response !== 'passing' && response !== 'failing') {
      throw badRequest(`invalid policy_response "${response}": valid options are 'passing' or 'failing'`);
    }
    if (policyId === undefined) throw badRequest('policy_response requires policy_id');
    filter.policyResponse = response;
  }
  if (policyId !== undefined) {
    if (!(await store.getPolicy(policyId))) throw notFound(`policy ${policyId} was not found`);
    if (deps.cleanup.staleBefore(policyId) === undefined) {
      filter.policyId = policyId;
    } else if (filter.policyResponse !== undefined) {
      // The query changed and its old answers are still being removed: no host has answered yet.
      return { filter, none: true };
    } else {
      delete filter.policyResponse; // every host is "no answer yet": the unfiltered list
    }
  }
  const { page, perPage } = listPaging(query);
  if (perPage !== undefined) {
    filter.perPage = perPage;
    filter.page = page;
  }
  return { filter };
}

/** Fleet's host list entries (also the hosts of a label, server/api/labels.ts). */
export async function hostListJson(deps: ApiDeps, hosts: readonly Host[]): Promise<Array<Record<string, unknown>>> {
  const names = await teamNames(deps);
  const scopes = new ScopeCache(deps);
  const now = deps.context.now();
  return mapLimited(hosts, 8, async (host) => {
    const failing = failingCount(await hostPolicies(deps, host, scopes));
    return hostJson(host, { teamName: host.teamId === null ? null : (names.get(host.teamId) ?? null), failing, now });
  });
}

export function registerHostRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, events } = deps.context;

  const hostFrom = async (params: unknown): Promise<Host> => {
    const id = pathId((params as Params)['id'], 'host');
    const host = await store.getHost(id);
    if (!host) throw notFound(`host ${id} was not found`);
    return host;
  };

  app.get('/hosts', async (request) => {
    const { filter, none } = await listFilter(deps, request.query as Query);
    if (none) return { hosts: [] };
    return { hosts: await hostListJson(deps, await store.listHosts(filter)) };
  });
  app.get('/hosts/count', async (request) => {
    const { filter, none } = await listFilter(deps, request.query as Query);
    if (none) return { count: 0 };
    return { count: await store.countHosts({ ...filter, page: undefined, perPage: undefined }) };
  });
  app.get('/hosts/:id', async (request) => {
    const host = await hostFrom(request.params);
    const [policies, vitals, orbitInfo] = await Promise.all([
      hostPolicies(deps, host, new ScopeCache(deps)),
      store.getHostVitals(host.id),
      store.getHostOrbitInfo(host.id),
    ]);
    const team = host.teamId === null ? undefined : await store.getTeam(host.teamId);
    const json = hostJson(host, { teamName: team?.name ?? null, failing: failingCount(policies), now: deps.context.now() });
    // Fleet's host detail lists the labels the host is a member of (HostDetail.Labels).
    const labels = (await Promise.all((await store.hostLabelIds(host.id)).map((id) => store.getLabel(id)))).filter((l) => l !== undefined);
    // A host deleted between the two reads: its vitals are simply absent.
    const vitalsJson = vitals === undefined ? {} : hostVitalsJson(vitals);
    return { host: { ...json, ...hostOrbitInfoJson(orbitInfo), ...vitalsJson, policies, labels: labels.map((label) => labelJson(label)), issues: issuesJson(failingCount(policies)) } };
  });
  app.post('/hosts/:id/refetch', async (request) => {
    const id = pathId((request.params as Params)['id'], 'host');
    if (!(await store.setRefetchRequested(id, true))) throw notFound(`host ${id} was not found`);
    events.emit('hostChanged', id);
    return {};
  });
  app.delete('/hosts/:id', async (request) => {
    const id = pathId((request.params as Params)['id'], 'host');
    const removed = await store.deleteHost(id);
    if (removed === undefined) throw notFound(`host ${id} was not found`);
    if (removed.length > 0) events.emit('membershipChanged', removed);
    events.emit('hostChanged', id);
    return {};
  });
  app.post('/hosts/transfer', async (request) => {
    const body = asObject(request.body);
    const rawTeam = body['team_id'];
    let teamId: number | null;
    if (rawTeam === null || rawTeam === undefined || rawTeam === 0) teamId = null;
    else if (typeof rawTeam === 'number' && Number.isInteger(rawTeam) && rawTeam > 0) teamId = rawTeam;
    else throw badRequest('invalid field "team_id": expected a team id or null');
    const hostIds = idList(body, 'hosts');
    if (teamId !== null && !(await store.getTeam(teamId))) throw notFound(`team ${teamId} was not found`);
    for (const id of hostIds) if (!(await store.getHost(id))) throw notFound(`host ${id} was not found`);
    const changes = await store.moveHostsToTeam(hostIds, teamId);
    if (changes.length > 0) events.emit('membershipChanged', changes);
    for (const id of hostIds) events.emit('hostChanged', id);
    return {};
  });
}
