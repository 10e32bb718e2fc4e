/**
 * The names every part shares: the osquery endpoints a host calls, how a request can end, and the
 * policy-count strategies the server implements (one file each in server/stats/).
 */

/** The osquery remote API endpoints, in the order a host first calls them. */
export const ENDPOINTS = ['enroll', 'config', 'read', 'write', 'log'] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

/**
 * The fleetd endpoints (orbit and Fleet Desktop) the server answers, as named in /metrics. Kept
 * apart from ENDPOINTS, which are the osquery endpoints the simulator drives and reports.
 */
export const ORBIT_ENDPOINTS = [
  'orbit_enroll',
  'orbit_config',
  'orbit_ping',
  'orbit_device_token',
  'device_token_ping',
  'desktop',
  'device_ping',
] as const;
export type OrbitEndpointName = (typeof ORBIT_ENDPOINTS)[number];

/**
 * Every endpoint a simulated host can call: osquery's, then fleetd's. The result document keys its
 * `endpoints` (and windows) by these names; orbit endpoints appear only when a fleetd group ran.
 */
export const AGENT_ENDPOINTS = [...ENDPOINTS, ...ORBIT_ENDPOINTS] as const;
export type AgentEndpointName = EndpointName | OrbitEndpointName;

/** Who sends an endpoint's requests: osquery, orbit (fleetd's supervisor) or Fleet Desktop. */
export const ENDPOINT_KINDS = ['osquery', 'orbit', 'desktop'] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export interface EndpointInfo {
  /** The request as people know it: method and path (Fleet's route; `{token}` is the device token). */
  label: string;
  kind: EndpointKind;
}

/**
 * The one table of what each agent endpoint is. Plans, reports, charts, thresholds and capacity
 * figures read their lists from here (AGENT_ENDPOINT_LIST), so a new endpoint shows up everywhere.
 * Routes: fleet-policies.md §1 (osquery), fleetd-orbit.md §1 (orbit and Fleet Desktop:
 * fleetdm/fleet server/service/handler.go). The Record's type makes every name need a row.
 */
export const ENDPOINT_INFO: Readonly<Record<AgentEndpointName, EndpointInfo>> = Object.freeze({
  enroll: { label: 'POST /api/osquery/enroll', kind: 'osquery' },
  config: { label: 'POST /api/osquery/config', kind: 'osquery' },
  read: { label: 'POST /api/osquery/distributed/read', kind: 'osquery' },
  write: { label: 'POST /api/osquery/distributed/write', kind: 'osquery' },
  log: { label: 'POST /api/osquery/log', kind: 'osquery' },
  orbit_enroll: { label: 'POST /api/fleet/orbit/enroll', kind: 'orbit' },
  orbit_config: { label: 'POST /api/fleet/orbit/config', kind: 'orbit' },
  orbit_ping: { label: 'HEAD /api/fleet/orbit/ping', kind: 'orbit' },
  orbit_device_token: { label: 'POST /api/fleet/orbit/device_token', kind: 'orbit' },
  device_token_ping: { label: 'HEAD /api/latest/fleet/device/{token}/ping', kind: 'orbit' },
  desktop: { label: 'GET /api/latest/fleet/device/{token}/desktop', kind: 'desktop' },
  device_ping: { label: 'HEAD /api/fleet/device/ping', kind: 'desktop' },
});

/** Every agent endpoint with its label and kind, in AGENT_ENDPOINTS order. */
export const AGENT_ENDPOINT_LIST: ReadonlyArray<{ name: AgentEndpointName } & EndpointInfo> = Object.freeze(
  AGENT_ENDPOINTS.map((name) => Object.freeze({ name, ...ENDPOINT_INFO[name] })),
);

/** The endpoints of one kind, in AGENT_ENDPOINTS order. */
export function endpointsOfKind(kind: EndpointKind): AgentEndpointName[] {
  return AGENT_ENDPOINT_LIST.filter((e) => e.kind === kind).map((e) => e.name);
}

/** How a request ended, as counted per endpoint. */
export const OUTCOMES = ['2xx', '4xx', '5xx', 'timeout', 'connect'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Policy-count strategies: Fleet's hourly recompute, count on read, exact deltas. */
export const STATS_STRATEGIES = ['cron', 'realtime', 'incremental'] as const;
export type StatsStrategyName = (typeof STATS_STRATEGIES)[number];

/**
 * When hosts re-run a policy whose query or platforms were edited: `fleet` at their normal policy
 * interval (Fleet's behaviour), `immediate` at their next distributed/read (a what-if).
 */
export const EDITED_POLICY_MODES = ['fleet', 'immediate'] as const;
export type EditedPoliciesMode = (typeof EDITED_POLICY_MODES)[number];
