/**
 * The `osqsim server` flags for a scenario's server section: its intervals, count strategy, store,
 * token, enroll secrets (one per team, `team:team`) and TLS folder, then the section's extra_args last so they
 * override. `osqsim run` and capacity sweeps start their server with these. Pure.
 */
import type { EditedPoliciesMode, StatsStrategyName } from '../../contract/vocabulary.js';
import type { Scenario as HarnessScenario } from '../schema/scenario.js';

export interface ServerArgsOptions {
  /** One count strategy (a scenario may list several; the caller runs one at a time). */
  strategy: StatsStrategyName;
  store: string;
  apiToken: string;
  /** Default: the scenario's server.log_level. */
  logLevel?: string;
  /** Default: the scenario's server.stats.interval. */
  statsIntervalMs?: number;
  /** A fleetctl YAML file of policies to apply at start (`--policies`). */
  policiesFile?: string;
  /** Serve HTTPS with a self-signed CA and certificate created in (or re-used from) this folder. */
  tlsDir?: string;
}

/** The mode the server runs with: the section's, unless extra_args (which come last) give the flag. */
export function editedPoliciesOf(server: NonNullable<HarnessScenario['server']>): EditedPoliciesMode {
  const at = server.extra_args.lastIndexOf('--edited-policies');
  const given = at >= 0 ? server.extra_args[at + 1] : undefined;
  return given === 'fleet' || given === 'immediate' ? given : server.edited_policies;
}

const ms = (value: number): string => `${Math.round(value)}ms`;
/** The agent's intervals in whole seconds, as osquery's flags take them. */
const seconds = (value: number): string => String(Math.max(1, Math.round(value / 1000)));

export function serverArgs(scenario: HarnessScenario, options: ServerArgsOptions): string[] {
  const server = scenario.server!;
  const teams = [...new Set(scenario.fleet.groups.map((g) => g.team).filter((t): t is string => typeof t === 'string' && t !== ''))];
  return [
    '--store', options.store,
    '--api-token', options.apiToken,
    '--log-level', options.logLevel ?? server.log_level,
    '--policy-update-interval', ms(server.policy_update_interval),
    '--detail-update-interval', ms(server.detail_update_interval),
    '--label-update-interval', ms(server.label_update_interval),
    '--max-jitter-percent', String(server.max_jitter_percent),
    '--distributed-interval', seconds(scenario.agent.distributed_interval),
    '--logger-tls-period', seconds(scenario.agent.logger_tls_period),
    '--config-refresh', seconds(scenario.agent.config_refresh),
    '--stats-strategy', options.strategy,
    '--stats-interval', ms(options.statsIntervalMs ?? server.stats.interval),
    '--edited-policies', server.edited_policies,
    '--enroll-secret', scenario.enroll_secret,
    ...teams.flatMap((team) => ['--enroll-secret', `${team}:${team}`]),
    ...(options.policiesFile !== undefined ? ['--policies', options.policiesFile] : []),
    ...(options.tlsDir !== undefined ? ['--tls', `self-signed:${options.tlsDir}`] : []),
    ...server.extra_args,
  ];
}
