/**
 * The osquery flags fleetd starts osquery with, where they differ from a plain osquery agent's
 * (orbit/pkg/osquery/flags.go FleetFlags; reference/fleetd-orbit.md §6):
 * - `--config_refresh=60` ("Osquery defaults config_refresh to 0");
 * - `--distributed_tls_max_attempts=10` (until a served config sets it; Fleet's agent options say 3).
 * fleetd does not set `distributed_interval` or `logger_tls_period`: they come from Fleet's agent
 * options in the served config (10 s each), which the agent adopts as for any osquery host.
 * `--host_identifier=uuid` is what osqsim's agents send already (host_identifier = the host's UUID).
 */
import type { AgentSpec, FleetGroupSpec } from '../../contract/fleet-spec.js';

export const FLEETD_CONFIG_REFRESH_MS = 60_000;
export const FLEETD_DISTRIBUTED_TLS_MAX_ATTEMPTS = 10;

/** The agent flags of a group's osquery: the run's, or fleetd's for `agent: fleetd` groups. */
export function osqueryFlagsFor(group: FleetGroupSpec, agent: AgentSpec): AgentSpec {
  if (group.agent !== 'fleetd') return agent;
  return { ...agent, config_refresh: FLEETD_CONFIG_REFRESH_MS, distributed_tls_max_attempts: FLEETD_DISTRIBUTED_TLS_MAX_ATTEMPTS };
}
