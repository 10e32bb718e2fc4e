/**
 * fleetd's traffic (orbit and Fleet Desktop) per host, from the periods the simulator runs
 * (simulator/orbit/timings.ts): the one answer to "what does fleetd add per host", used by the
 * scenario plan (scenarios/plan.ts) and the capacity plan (capacity/figures.ts). Pure.
 *
 * Every ticker is a plain Go time.Ticker (reference fleetd-orbit.md §1, §7): a host sends one request
 * per period, so the steady rate is 1 / period. At defaults, with Fleet Desktop:
 *   orbit/config 1/30 s + orbit/ping 1/5 min + device/{token}/ping 1/5 min + orbit/device_token 1/h
 *   + device/{token}/desktop 1/5 min (+1 per rotation) + device/ping 1/10 s ≈ 0.1439 req/s/host,
 * against the 0.144 req/s/host by which Fleet's 492loadtest-orbit1 exceeds orbit0 (fleetd-orbit.md §5, §8;
 * osquery-perf's tickers sum to 0.1444 because its post-rotation burst is 1–5 token checks, not one summary).
 */
import type { OrbitEndpointName } from '../contract/vocabulary.js';
import {
  DESKTOP_PING_INTERVAL_MS,
  DESKTOP_SUMMARY_INTERVAL_MS,
  ORBIT_CAPABILITIES_INTERVAL_MS,
  ORBIT_CONFIG_INTERVAL_MS,
  TOKEN_EXPIRATION_MS,
  TOKEN_LOCAL_CHECK_MS,
  TOKEN_REMOTE_CHECK_MS,
} from '../simulator/orbit/timings.js';

/**
 * A token is rotated at the first 30 s local check after it is an hour old
 * (orbit/pkg/token/readwriter.go: expirationDuration 1 h, localCheckDuration 30 s): on average
 * 1 h + 15 s between rotations.
 */
export const TOKEN_ROTATION_PERIOD_S = (TOKEN_EXPIRATION_MS + TOKEN_LOCAL_CHECK_MS / 2) / 1000;

/** One fleetd endpoint's traffic per host: its ticker, its one-off requests at start, and who sends it. */
export interface FleetdTraffic {
  endpoint: OrbitEndpointName;
  /** Seconds between two requests of one host in steady state (null: no ticker). */
  periodS: number | null;
  /** Extra requests per rotation of the device token (Desktop's token check after the file changes). */
  perRotation: number;
  /** Requests each host sends once at start, besides its ticker's. */
  atStart: number;
  /**
   * Whether a freshly started host's first tick is one period after its start (`fleetd_phase: start`:
   * simulator/orbit/population.ts firstTick) rather than at its start. With `fleetd_phase: steady`
   * such tickers run at seeded phases from the start instead.
   */
  firstTickAfterPeriod: boolean;
  /** Sent by Fleet Desktop (only hosts with fleet_desktop on), else by orbit. */
  desktop: boolean;
  /** Where the period and the start-up requests come from. */
  source: string;
}

/** fleetd's endpoints in AGENT_ENDPOINTS order (simulator/orbit/population.ts sends exactly these). */
export const FLEETD_TRAFFIC: readonly FleetdTraffic[] = [
  {
    endpoint: 'orbit_enroll',
    periodS: null,
    perRotation: 0,
    atStart: 1,
    firstTickAfterPeriod: false,
    desktop: false,
    source: 'orbit/cmd/orbit/orbit.go: once at first start (no orbit node key yet), before the first config',
  },
  {
    endpoint: 'orbit_config',
    periodS: ORBIT_CONFIG_INTERVAL_MS / 1000,
    perRotation: 0,
    atStart: 0,
    firstTickAfterPeriod: false,
    desktop: false,
    source: 'orbit.go defaultOrbitConfigReceiverInterval 30 s, first at start (RunConfigReceivers)',
  },
  {
    endpoint: 'orbit_ping',
    periodS: ORBIT_CAPABILITIES_INTERVAL_MS / 1000,
    perRotation: 0,
    atStart: 1,
    firstTickAfterPeriod: true,
    desktop: false,
    source: 'orbit.go: one reachability ping at start, then the capabilitiesChecker every 5 min',
  },
  {
    endpoint: 'orbit_device_token',
    periodS: TOKEN_ROTATION_PERIOD_S,
    perRotation: 0,
    atStart: 1,
    firstTickAfterPeriod: true,
    desktop: false,
    source: 'orbit/pkg/token: the new token at start, then a rotation every 1 h (+ up to one 30 s local check)',
  },
  {
    endpoint: 'device_token_ping',
    periodS: TOKEN_REMOTE_CHECK_MS / 1000,
    perRotation: 0,
    atStart: 0,
    firstTickAfterPeriod: true,
    desktop: false,
    source: 'orbit/pkg/token/readwriter.go remoteCheckDuration 5 min',
  },
  {
    endpoint: 'desktop',
    periodS: DESKTOP_SUMMARY_INTERVAL_MS / 1000,
    perRotation: 1,
    atStart: 1,
    firstTickAfterPeriod: true,
    desktop: true,
    source: 'orbit/cmd/desktop/desktop.go: the token check at Desktop start and after each rotation, the summary every 5 min',
  },
  {
    endpoint: 'device_ping',
    periodS: DESKTOP_PING_INTERVAL_MS / 1000,
    perRotation: 0,
    atStart: 0,
    firstTickAfterPeriod: false,
    desktop: true,
    source: 'PR GH#31685: HEAD /api/fleet/device/ping every 10 s from Desktop start',
  },
];

/** Requests per second one fleetd host sends to `endpoint` in steady state. */
export function fleetdSteadyRatePerHost(traffic: FleetdTraffic): number {
  return (traffic.periodS === null ? 0 : 1 / traffic.periodS) + traffic.perRotation / TOKEN_ROTATION_PERIOD_S;
}

/**
 * Steady-state requests per second of `orbitHosts` fleetd hosts, `desktopHosts` of them with Fleet
 * Desktop (orbit_enroll is a one-off: 0 here).
 */
export function fleetdSteadyRates(orbitHosts: number, desktopHosts: number): Record<OrbitEndpointName, number> {
  return Object.fromEntries(FLEETD_TRAFFIC.map((t) => [t.endpoint, (t.desktop ? desktopHosts : orbitHosts) * fleetdSteadyRatePerHost(t)])) as Record<OrbitEndpointName, number>;
}
