/**
 * Every route osqsim serves, as a fuzz target: its method, its path with placeholders for the ids
 * it names (`{hostId}` is the fixture's host, or a fuzzed segment), a valid body to mutate, and the
 * shape its errors must have. One prefix per route family is fuzzed (the /api/v1/osquery,
 * /api/v1/fleet and /api/2022-04/fleet aliases register the same handlers; osquery's alias is
 * picked at random). The property every case checks is in check.ts.
 */
import fc from 'fast-check';
import { anyString, bodies, type FuzzBody } from './arbitraries.js';
import { FUZZ_SECRET, FUZZ_TOKEN, type FuzzIds } from './fixture.js';

/** How the route's errors are shaped: osquery's `{error}`, Fleet's `{message, errors}`, or either (orbit answers both). */
export type ErrorShape = 'osquery' | 'fleet' | 'orbit' | 'osqsim';

export interface RouteTarget {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'HEAD';
  /** The path, `{key}` standing for an id of the fixture (FuzzIds key). */
  readonly path: string;
  readonly shape: ErrorShape;
  /** A valid body (a function of the fixture's ids); undefined when the route reads none. */
  readonly valid?: (ids: FuzzIds) => unknown;
  /** A success may remove a fixture entity: the fixture is rebuilt after one. */
  readonly destructive?: boolean;
  /** Writes to the store (also run against MySQL). */
  readonly writes?: boolean;
  /** 5xx answers Fleet itself gives (documented in docs/RELIABILITY.md). */
  readonly documented5xx?: (status: number, body: string) => boolean;
}

const OSQ = '/api/osquery';
const API = '/api/latest/fleet';

const labelQueryName = (ids: FuzzIds): string => `fleet_label_query_${ids.labelId}`;

/** Fleet answers an unknown log_type with 500 "unknown log type" (server/service/osquery.go submitLogsEndpoint; lib/errors.ts OSQ_LOG_TYPE). */
const unknownLogType = (status: number, body: string): boolean => status === 500 && body.includes('unknown log type');

export const ROUTE_TARGETS: readonly RouteTarget[] = [
  // --- osquery remote API ---------------------------------------------------------------------
  {
    name: 'osquery enroll', method: 'POST', path: `${OSQ}/enroll`, shape: 'osquery', writes: true,
    valid: () => ({
      enroll_secret: FUZZ_SECRET, host_identifier: 'fuzz-new-host',
      host_details: { os_version: { platform: 'darwin', name: 'macOS', version: '14.1' }, osquery_info: { version: '5.12.1' }, system_info: { hostname: 'new', uuid: 'uuid-new', hardware_serial: 'S' } },
    }),
  },
  { name: 'osquery config', method: 'POST', path: `${OSQ}/config`, shape: 'osquery', valid: (ids) => ({ node_key: ids.nodeKey }) },
  { name: 'osquery distributed/read', method: 'POST', path: `${OSQ}/distributed/read`, shape: 'osquery', valid: (ids) => ({ node_key: ids.nodeKey }) },
  {
    name: 'osquery distributed/write', method: 'POST', path: `${OSQ}/distributed/write`, shape: 'osquery', writes: true,
    valid: (ids) => ({
      node_key: ids.nodeKey,
      queries: {
        [`fleet_policy_query_${ids.policyId}`]: [{ 1: '1' }],
        fleet_detail_query_os_version: [{ name: 'Ubuntu', version: '22.04', platform: 'ubuntu', major: '22', minor: '4' }],
        fleet_detail_query_uptime: [{ total_seconds: '3600' }],
        [labelQueryName(ids)]: [],
      },
      statuses: { [`fleet_policy_query_${ids.policyId}`]: 0, fleet_detail_query_os_version: '0' },
      messages: {},
    }),
  },
  {
    name: 'osquery log (status)', method: 'POST', path: `${OSQ}/log`, shape: 'osquery', documented5xx: unknownLogType,
    valid: (ids) => ({ node_key: ids.nodeKey, log_type: 'status', data: [{ severity: '0', filename: 'a.cpp', line: '1', message: 'm', unixTime: '1700000000' }] }),
  },
  {
    name: 'osquery log (result)', method: 'POST', path: `${OSQ}/log`, shape: 'osquery', writes: true, documented5xx: unknownLogType,
    valid: (ids) => ({
      node_key: ids.nodeKey, log_type: 'result',
      data: [{ name: `pack/Global/${ids.queryName}`, hostIdentifier: 'fuzz-host', unixTime: 1_700_000_000, action: 'snapshot', snapshot: [{ a: '1', b: '2' }] }],
    }),
  },
  // --- orbit (fleetd) -------------------------------------------------------------------------
  {
    name: 'orbit enroll', method: 'POST', path: '/api/fleet/orbit/enroll', shape: 'orbit', writes: true,
    valid: () => ({ enroll_secret: FUZZ_SECRET, hardware_uuid: 'uuid-orbit-new', hardware_serial: 'S2', hostname: 'orbit-new', platform: 'darwin', osquery_identifier: '', computer_name: 'c', hardware_model: 'm' }),
  },
  { name: 'orbit config', method: 'POST', path: '/api/fleet/orbit/config', shape: 'orbit', valid: (ids) => ({ orbit_node_key: ids.orbitNodeKey }) },
  {
    name: 'orbit device_token', method: 'POST', path: '/api/fleet/orbit/device_token', shape: 'orbit', writes: true,
    valid: (ids) => ({ orbit_node_key: ids.orbitNodeKey, device_auth_token: 'fuzz-device-token-2' }),
  },
  { name: 'orbit ping', method: 'HEAD', path: '/api/fleet/orbit/ping', shape: 'orbit' },
  { name: 'device ping', method: 'HEAD', path: '/api/fleet/device/ping', shape: 'orbit' },
  { name: 'device token ping', method: 'HEAD', path: '/api/latest/fleet/device/{deviceToken}/ping', shape: 'orbit' },
  { name: 'device desktop', method: 'GET', path: '/api/latest/fleet/device/{deviceToken}/desktop', shape: 'orbit' },
  // --- REST: policies -------------------------------------------------------------------------
  { name: 'create global policy', method: 'POST', path: `${API}/global/policies`, shape: 'fleet', writes: true, valid: () => ({ name: 'fuzz new policy', query: 'SELECT 1 FROM osquery_info;', description: 'd', resolution: 'r', platform: 'darwin,linux', critical: true }) },
  { name: 'list global policies', method: 'GET', path: `${API}/global/policies`, shape: 'fleet' },
  { name: 'get global policy', method: 'GET', path: `${API}/global/policies/{policyId}`, shape: 'fleet' },
  { name: 'modify global policy', method: 'PATCH', path: `${API}/global/policies/{policyId}`, shape: 'fleet', writes: true, valid: () => ({ name: 'fuzz renamed', query: 'SELECT 2;', critical: false, platform: '' }) },
  { name: 'delete global policies', method: 'POST', path: `${API}/global/policies/delete`, shape: 'fleet', writes: true, destructive: true, valid: (ids) => ({ ids: [ids.policyId] }) },
  { name: 'count policies', method: 'GET', path: `${API}/policies/count`, shape: 'fleet' },
  { name: 'create team policy', method: 'POST', path: `${API}/teams/{teamId}/policies`, shape: 'fleet', writes: true, valid: () => ({ name: 'fuzz new team policy', query: 'SELECT 1;', platform: 'windows' }) },
  { name: 'list team policies', method: 'GET', path: `${API}/teams/{teamId}/policies`, shape: 'fleet' },
  { name: 'count team policies', method: 'GET', path: `${API}/teams/{teamId}/policies/count`, shape: 'fleet' },
  { name: 'get team policy', method: 'GET', path: `${API}/teams/{teamId}/policies/{teamPolicyId}`, shape: 'fleet' },
  { name: 'modify team policy', method: 'PATCH', path: `${API}/teams/{teamId}/policies/{teamPolicyId}`, shape: 'fleet', writes: true, valid: () => ({ name: 'fuzz team renamed', resolution: 'fix it' }) },
  { name: 'delete team policies', method: 'POST', path: `${API}/teams/{teamId}/policies/delete`, shape: 'fleet', writes: true, destructive: true, valid: (ids) => ({ ids: [ids.teamPolicyId] }) },
  {
    name: 'apply policy specs', method: 'POST', path: `${API}/spec/policies`, shape: 'fleet', writes: true,
    valid: () => ({ specs: [{ name: 'fuzz spec policy', query: 'SELECT 1;', description: '', resolution: '', platform: '', critical: false, team: '' }, { name: 'fuzz spec team policy', query: 'SELECT 1;', team: 'fuzz team', labels_include_any: ['fuzz label'] }] }),
  },
  // --- REST: teams ----------------------------------------------------------------------------
  { name: 'create team', method: 'POST', path: `${API}/teams`, shape: 'fleet', writes: true, valid: () => ({ name: 'fuzz new team', description: 'd' }) },
  { name: 'list teams', method: 'GET', path: `${API}/teams`, shape: 'fleet' },
  { name: 'get team', method: 'GET', path: `${API}/teams/{teamId}`, shape: 'fleet' },
  { name: 'delete team', method: 'DELETE', path: `${API}/teams/{teamId}`, shape: 'fleet', writes: true, destructive: true },
  { name: 'get team secrets', method: 'GET', path: `${API}/teams/{teamId}/secrets`, shape: 'fleet' },
  { name: 'modify team secrets', method: 'PATCH', path: `${API}/teams/{teamId}/secrets`, shape: 'fleet', writes: true, valid: () => ({ secrets: [{ secret: 'fuzz-secret-2' }, { secret: 'fuzz-secret-3' }] }) },
  // --- REST: hosts ----------------------------------------------------------------------------
  { name: 'list hosts', method: 'GET', path: `${API}/hosts`, shape: 'fleet' },
  { name: 'count hosts', method: 'GET', path: `${API}/hosts/count`, shape: 'fleet' },
  { name: 'get host', method: 'GET', path: `${API}/hosts/{hostId}`, shape: 'fleet' },
  { name: 'refetch host', method: 'POST', path: `${API}/hosts/{hostId}/refetch`, shape: 'fleet', writes: true },
  { name: 'delete host', method: 'DELETE', path: `${API}/hosts/{hostId}`, shape: 'fleet', writes: true, destructive: true },
  { name: 'transfer hosts', method: 'POST', path: `${API}/hosts/transfer`, shape: 'fleet', writes: true, valid: (ids) => ({ team_id: ids.teamId, hosts: [ids.hostId] }) },
  // --- REST: labels ---------------------------------------------------------------------------
  { name: 'create label', method: 'POST', path: `${API}/labels`, shape: 'fleet', writes: true, valid: () => ({ name: 'fuzz new label', query: 'SELECT 1 FROM os_version;', platform: 'darwin', description: 'd' }) },
  { name: 'list labels', method: 'GET', path: `${API}/labels`, shape: 'fleet' },
  { name: 'labels summary', method: 'GET', path: `${API}/labels/summary`, shape: 'fleet' },
  { name: 'get label', method: 'GET', path: `${API}/labels/{labelId}`, shape: 'fleet' },
  { name: 'modify label', method: 'PATCH', path: `${API}/labels/{labelId}`, shape: 'fleet', writes: true, valid: (ids) => ({ name: 'fuzz renamed label', description: 'd2', hosts: ['fuzz-host'], host_ids: [ids.hostId] }) },
  { name: 'label hosts', method: 'GET', path: `${API}/labels/{labelId}/hosts`, shape: 'fleet' },
  { name: 'delete label by id', method: 'DELETE', path: `${API}/labels/id/{labelId}`, shape: 'fleet', writes: true, destructive: true },
  { name: 'delete label by name', method: 'DELETE', path: `${API}/labels/{labelName}`, shape: 'fleet', writes: true, destructive: true },
  { name: 'add host labels', method: 'POST', path: `${API}/hosts/{hostId}/labels`, shape: 'fleet', writes: true, valid: () => ({ labels: ['fuzz label'] }) },
  { name: 'remove host labels', method: 'DELETE', path: `${API}/hosts/{hostId}/labels`, shape: 'fleet', writes: true, valid: () => ({ labels: ['fuzz label'] }) },
  {
    name: 'apply label specs', method: 'POST', path: `${API}/spec/labels`, shape: 'fleet', writes: true,
    valid: () => ({ specs: [{ name: 'fuzz spec label', query: 'SELECT 1;', platform: '', label_membership_type: 'dynamic' }, { name: 'fuzz manual label', query: '', label_membership_type: 'manual', hosts: ['fuzz-host'] }] }),
  },
  { name: 'list label specs', method: 'GET', path: `${API}/spec/labels`, shape: 'fleet' },
  { name: 'get label spec', method: 'GET', path: `${API}/spec/labels/{labelName}`, shape: 'fleet' },
  // --- REST: queries (reports) ----------------------------------------------------------------
  { name: 'list queries', method: 'GET', path: `${API}/queries`, shape: 'fleet' },
  { name: 'get query', method: 'GET', path: `${API}/queries/{queryId}`, shape: 'fleet' },
  { name: 'create query', method: 'POST', path: `${API}/queries`, shape: 'fleet', writes: true, valid: (ids) => ({ name: 'fuzz new query', query: 'SELECT 1;', interval: 60, team_id: ids.teamId, platform: 'linux', logging: 'snapshot', discard_data: false, min_osquery_version: '5.0.0' }) },
  { name: 'modify query', method: 'PATCH', path: `${API}/queries/{queryId}`, shape: 'fleet', writes: true, valid: () => ({ name: 'fuzz renamed query', interval: 120, automations_enabled: true }) },
  { name: 'delete query by name', method: 'DELETE', path: `${API}/queries/{queryName}`, shape: 'fleet', writes: true, destructive: true },
  { name: 'delete query by id', method: 'DELETE', path: `${API}/queries/id/{queryId}`, shape: 'fleet', writes: true, destructive: true },
  { name: 'delete queries', method: 'POST', path: `${API}/queries/delete`, shape: 'fleet', writes: true, destructive: true, valid: (ids) => ({ ids: [ids.queryId] }) },
  { name: 'query report', method: 'GET', path: `${API}/queries/{queryId}/report`, shape: 'fleet' },
  { name: 'host query report', method: 'GET', path: `${API}/hosts/{hostId}/queries/{queryId}`, shape: 'fleet' },
  { name: 'apply query specs', method: 'POST', path: `${API}/spec/queries`, shape: 'fleet', writes: true, valid: () => ({ specs: [{ name: 'fuzz spec query', query: 'SELECT 1;', team: '', interval: 60, platform: '', logging: 'snapshot' }] }) },
  // --- osqsim's own routes --------------------------------------------------------------------
  {
    name: 'osqsim spec file', method: 'POST', path: '/api/v1/osqsim/spec', shape: 'fleet', writes: true,
    valid: () => ({ policies: [{ name: 'fuzz file policy', query: 'SELECT 1;', team: '' }], queries: [{ name: 'fuzz file query', query: 'SELECT 1;', team: 'fuzz team', interval: 60 }] }),
  },
  { name: 'osqsim stats runs', method: 'GET', path: '/api/v1/osqsim/stats/runs', shape: 'fleet' },
  { name: 'osqsim faults', method: 'POST', path: '/api/v1/osqsim/faults', shape: 'osqsim', valid: () => ({ store_unavailable_ms: 0 }) },
];

/** One request of a case: everything the fuzzer chose. */
export interface RouteCase {
  /** The placeholder values: the fixture's id, or a fuzzed path segment (already encoded). */
  readonly segments: Readonly<Record<string, { readonly valid: true } | { readonly raw: string }>>;
  readonly query: string;
  readonly body: FuzzBody | undefined;
  readonly auth: 'valid' | 'none' | 'wrong';
  readonly contentType: string | undefined;
  /** osquery routes: the /api/v1/osquery alias. */
  readonly alias: boolean;
}

const segment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-1', '1.5', '1e3', ' 1', '0x10', 'abc', '99999999999999999999', '9007199254740993', '2147483648', '%00', '%2F', '%E2%80%AE', '%ZZ', '%', 'null', '..', 'No%20team'),
  fc.nat({ max: 20 }).map(String),
  anyString.filter((s) => s.length < 2_000).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
);

const queryKeys = fc.constantFrom('page', 'per_page', 'team_id', 'query', 'order_key', 'order_direction', 'label_id', 'policy_id', 'policy_response', 'status', 'platform', 'limit', 'after', 'merge_inherited', 'include_software');
const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.array(fc.tuple(queryKeys, fc.oneof(segment, fc.constantFrom('1', '2', '100', 'asc', 'desc', 'name', 'passing', 'failing')))).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`)) },
  { weight: 1, arbitrary: fc.constantFrom('?page[]=1', '?page[a]=1&page=2', '?per_page=0', '?per_page=-1', '?per_page=1e9', '?team_id=0', '?&&==&', '?query=%', '?query=%25_') },
);

const placeholders = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

export function routeCases(target: RouteTarget, ids: FuzzIds): fc.Arbitrary<RouteCase> {
  const keys = placeholders(target.path);
  const segmentChoice = fc.oneof({ weight: 3, arbitrary: fc.constant({ valid: true as const }) }, { weight: 2, arbitrary: segment.map((raw) => ({ raw })) });
  return fc.record({
    segments: fc.tuple(...keys.map(() => segmentChoice)).map((choices) => Object.fromEntries(keys.map((key, i) => [key, choices[i]!]))),
    query: queryString,
    body: target.valid === undefined ? fc.option(bodies({}), { nil: undefined, freq: 3 }) : bodies(target.valid(ids)),
    auth: fc.constantFrom<RouteCase['auth']>('valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'none', 'wrong'),
    contentType: fc.constantFrom<string | undefined>('application/json', 'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', undefined, 'application/x-www-form-urlencoded'),
    alias: fc.boolean(),
  });
}

/** The concrete request of a case. */
export function requestOf(target: RouteTarget, ids: FuzzIds, input: RouteCase): { method: string; url: string; payload: string | undefined; headers: Record<string, string> } {
  let path = target.path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const choice = input.segments[key];
    return choice !== undefined && 'raw' in choice ? choice.raw : encodeURIComponent(String(ids[key as keyof FuzzIds]));
  });
  if (input.alias && path.startsWith('/api/osquery/')) path = path.replace('/api/osquery/', '/api/v1/osquery/');
  let payload: string | undefined;
  if (input.body !== undefined) payload = 'text' in input.body ? input.body.text : (JSON.stringify(input.body.json) ?? '');
  const headers: Record<string, string> = {};
  headers['authorization'] = input.auth === 'valid' ? `Bearer ${FUZZ_TOKEN}` : input.auth === 'wrong' ? 'Bearer not-the-token' : '';
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  return { method: target.method, url: `${path}${input.query}`, payload: target.method === 'HEAD' || target.method === 'GET' ? undefined : payload, headers };
}
