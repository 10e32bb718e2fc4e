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
