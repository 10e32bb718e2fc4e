/**
 * Global and team policy routes (reference fleet-policies.md §6.1–§6.4). Counts come from
 * `context.counts` (the active count strategy), joined as Fleet joins policy_stats (§5.4):
 * the overall row for global/team lists and single gets, the team's inherited row for a team's
 * view of global policies.
 */
import { normalisePlatformList } from '../../contract/platforms.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Policy, PolicyPatch } from '../store/store.js';
import { countKey, invalidateAfterEdit, policyLabelNames, readCountIndex, requireTeamScope, type ApiDeps, type CountIndex } from './deps.js';
import { badRequest, notFound } from './errors.js';
import { policyWithCounts, type PolicyWithCountsJson } from './serialize.js';
import { listWindow as windowOf } from './list-window.js';
import {
  asObject,
  idList,
  optionalBoolean,
  optionalString,
  pathId,
  policyProblem,
  queryString,
  type JsonObject,
} from './validate.js';

type Params = Record<string, string | undefined>;
type Query = Record<string, unknown>;

const verificationError = (problem: string) => badRequest(`policy payload verification: ${problem}`);

async function readCreateBody(deps: ApiDeps, raw: unknown, teamId: number | null) {
  const body = asObject(raw);
  if (body['query_id'] !== undefined && body['query_id'] !== null) {
    throw verificationError(
      body['query'] ? 'both fields "queryID" and "query" cannot be set' : 'creating a policy from a saved query (query_id) is not supported by osqsim; send name and query',
    );
  }
  const name = optionalString(body, 'name') ?? '';
  const query = optionalString(body, 'query') ?? '';
  const platform = optionalString(body, 'platform') ?? '';
  const resolution = optionalString(body, 'resolution') ?? '';
  const problem = policyProblem({ name, query, platform, resolution }, false);
  if (problem) throw verificationError(problem);
  const labelsIncludeAny = await policyLabelNames(deps, body, 'labels_include_any');
  const labelsExcludeAny = await policyLabelNames(deps, body, 'labels_exclude_any');
  return {
    ...(labelsIncludeAny === undefined ? {} : { labelsIncludeAny }),
    ...(labelsExcludeAny === undefined ? {} : { labelsExcludeAny }),
    teamId,
    name: name.normalize('NFC'),
    query,
    description: optionalString(body, 'description') ?? '',
    resolution,
    platforms: normalisePlatformList(platform),
    critical: optionalBoolean(body, 'critical') ?? false,
    authorId: null,
    authorName: '',
    authorEmail: '',
  };
}

async function readPatchBody(deps: ApiDeps, raw: unknown): Promise<PolicyPatch> {
  const body: JsonObject = asObject(raw);
  const patch: PolicyPatch = {};
  const name = optionalString(body, 'name');
  const query = optionalString(body, 'query');
  const platform = optionalString(body, 'platform');
  const resolution = optionalString(body, 'resolution');
  const problem = policyProblem({ name, query, platform, resolution }, true);
  if (problem) throw verificationError(problem);
  if (name !== undefined) patch.name = name.normalize('NFC');
  if (query !== undefined) patch.query = query;
  if (platform !== undefined) patch.platforms = normalisePlatformList(platform);
  const description = optionalString(body, 'description');
  if (description !== undefined) patch.description = description;
  if (resolution !== undefined) patch.resolution = resolution;
  const critical = optionalBoolean(body, 'critical');
  if (critical !== undefined) patch.critical = critical;
  const labelsIncludeAny = await policyLabelNames(deps, body, 'labels_include_any');
  if (labelsIncludeAny !== undefined) patch.labelsIncludeAny = labelsIncludeAny;
  const labelsExcludeAny = await policyLabelNames(deps, body, 'labels_exclude_any');
  if (labelsExcludeAny !== undefined) patch.labelsExcludeAny = labelsExcludeAny;
  return patch;
}

const ORDER_KEYS = ['id', 'name', 'created_at', 'updated_at', 'passing_host_count', 'failing_host_count'] as const;

/** Fleet's list options (./list-window.ts). */
function listWindow(list: PolicyWithCountsJson[], query: Query): PolicyWithCountsJson[] {
  return windowOf(list, query, ORDER_KEYS, 'id').rows;
}

const withOverall = (policies: readonly Policy[], counts: CountIndex): PolicyWithCountsJson[] =>
  policies.map((p) => policyWithCounts(p, counts.get(countKey(p.id, null))));

/** Loads a policy and checks it belongs to the scope (null = global); 404 otherwise. */
async function policyInScope(deps: ApiDeps, id: number, teamId: number | null): Promise<Policy> {
  const policy = await deps.context.store.getPolicy(id);
  if (!policy || policy.teamId !== teamId) {
    throw notFound(teamId === null ? `policy ${id} was not found` : `policy ${id} was not found in team ${teamId}`);
  }
  return policy;
}

async function oneWithCounts(deps: ApiDeps, policy: Policy): Promise<{ policy: PolicyWithCountsJson }> {
  const counts = await readCountIndex(deps, [policy.id]);
  return { policy: policyWithCounts(policy, counts.get(countKey(policy.id, null))) };
}

async function deletePolicies(deps: ApiDeps, raw: unknown, teamId: number | null): Promise<{ deleted: number[] }> {
  const ids = idList(asObject(raw));
  const unique = [...new Set(ids)];
  for (const id of unique) await policyInScope(deps, id, teamId); // all or nothing: check before deleting
  const deleted = unique.length === 0 ? [] : await deps.context.store.deletePolicies(unique);
  if (deleted.length > 0) deps.context.events.emit('policiesChanged', deleted);
  return { deleted };
}

async function modify(deps: ApiDeps, id: number, teamId: number | null, raw: unknown): Promise<{ policy: PolicyWithCountsJson }> {
  const patch = await readPatchBody(deps, raw);
  await policyInScope(deps, id, teamId);
  const result = await deps.context.store.updatePolicy(id, patch);
  if (!result) throw notFound(`policy ${id} was not found`);
  await invalidateAfterEdit(deps, result, result.policy);
  deps.context.events.emit('policiesChanged', [id]);
  return oneWithCounts(deps, result.policy);
}

export function registerPolicyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, events } = deps.context;

  // --- global ---------------------------------------------------------------------------------
  for (const base of ['/global/policies', '/policies']) {
    app.post(base, async (request) => {
      const policy = await store.createPolicy(await readCreateBody(deps, request.body, null));
      events.emit('policiesChanged', [policy.id]);
      return { policy: policyWithCounts(policy, undefined) };
    });
    app.get(base, async (request: FastifyRequest) => {
      const policies = await store.listPolicies(null);
      const counts = await readCountIndex(deps, policies.map((p) => p.id));
      return { policies: listWindow(withOverall(policies, counts), request.query as Query) };
    });
    app.get(`${base}/:id`, async (request) => {
      const id = pathId((request.params as Params)['id'], 'policy');
      return oneWithCounts(deps, await policyInScope(deps, id, null));
    });
    app.patch(`${base}/:id`, async (request) => modify(deps, pathId((request.params as Params)['id'], 'policy'), null, request.body));
    app.post(`${base}/delete`, async (request) => deletePolicies(deps, request.body, null));
  }
  app.get('/policies/count', async (request) => {
    const policies = await store.listPolicies(null);
    const search = queryString(request.query as Query, 'query')?.trim().toLowerCase();
    return { count: search ? policies.filter((p) => p.name.toLowerCase().includes(search)).length : policies.length };
  });

  // --- team -----------------------------------------------------------------------------------
  const teamOf = async (request: FastifyRequest): Promise<number> => {
    const teamId = pathId((request.params as Params)['id'], 'team', true);
    await requireTeamScope(deps, teamId);
    return teamId;
  };
  app.post('/teams/:id/policies', async (request) => {
    const teamId = await teamOf(request);
    const policy = await store.createPolicy(await readCreateBody(deps, request.body, teamId));
    events.emit('policiesChanged', [policy.id]);
    return { policy: policyWithCounts(policy, undefined) };
  });
  app.get('/teams/:id/policies', async (request) => {
    const teamId = await teamOf(request);
    const query = request.query as Query;
    const [own, inherited] = await Promise.all([store.listPolicies(teamId), store.listPolicies(null)]);
    const counts = await readCountIndex(deps, [...own, ...inherited].map((p) => p.id));
    const ownJson = withOverall(own, counts);
    const inheritedJson = inherited.map((p) => policyWithCounts(p, counts.get(countKey(p.id, teamId))));
    const merge = queryString(query, 'merge_inherited');
    if (merge === 'true' || merge === '1') {
      return { policies: listWindow([...inheritedJson, ...ownJson], query) };
    }
    return { policies: listWindow(ownJson, query), inherited_policies: inheritedJson };
  });
  app.get('/teams/:id/policies/count', async (request) => {
    const teamId = await teamOf(request);
    const policies = await store.listPolicies(teamId);
    const search = queryString(request.query as Query, 'query')?.trim().toLowerCase();
    return { count: search ? policies.filter((p) => p.name.toLowerCase().includes(search)).length : policies.length };
  });
  app.get('/teams/:id/policies/:policy_id', async (request) => {
    const teamId = await teamOf(request);
    const id = pathId((request.params as Params)['policy_id'], 'policy');
    return oneWithCounts(deps, await policyInScope(deps, id, teamId));
  });
  app.patch('/teams/:id/policies/:policy_id', async (request) => {
    const teamId = await teamOf(request);
    return modify(deps, pathId((request.params as Params)['policy_id'], 'policy'), teamId, request.body);
  });
  app.post('/teams/:id/policies/delete', async (request) => deletePolicies(deps, request.body, await teamOf(request)));
}
