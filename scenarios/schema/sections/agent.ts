/** The `agent:` section: osquery's flags that shape each simulated host's traffic (durations in ms). */
import { AGENT_DEFAULTS, FLEETD_PHASES, NODE_KEY_AUTH, type AgentSpec } from '../../../contract/fleet-spec.js';
import { array, bool, duration, int, num, object, oneOf, str, type FieldSpec } from '../validate.js';

export const AGENT_FIELDS: Record<string, FieldSpec> = {
  distributed_interval: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.distributed_interval },
  config_refresh: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.config_refresh },
  logger_tls_period: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.logger_tls_period },
  pacing: { validate: oneOf(['fixed-delay', 'fixed-rate'] as const), default: () => AGENT_DEFAULTS.pacing },
  start_period: { validate: duration(), default: () => AGENT_DEFAULTS.start_period },
  start_jitter: { validate: duration(), default: () => AGENT_DEFAULTS.start_jitter },
  accelerate: { validate: bool(), default: () => AGENT_DEFAULTS.accelerate },
  startup_status_lines: { validate: int({ min: 0, max: 1000 }), default: () => AGENT_DEFAULTS.startup_status_lines },
  status_lines_per_hour: { validate: num({ min: 0 }), default: () => AGENT_DEFAULTS.status_lines_per_hour },
  request_timeout: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.request_timeout },
  // osquery's CLI-only flags: a served config cannot change them (plugins/config/parsers/options.cpp).
  config_tls_max_attempts: { validate: int({ min: 1, max: 100 }), default: () => AGENT_DEFAULTS.config_tls_max_attempts },
  config_accelerated_refresh: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.config_accelerated_refresh },
  tls_enroll_max_attempts: { validate: int({ min: 0, max: 1000 }), default: () => AGENT_DEFAULTS.tls_enroll_max_attempts },
  tls_enroll_max_interval: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.tls_enroll_max_interval },
  // Ordinary flags: these are the values until the served config's `options` set them.
  distributed_tls_max_attempts: { validate: int({ min: 1, max: 100 }), default: () => AGENT_DEFAULTS.distributed_tls_max_attempts },
  logger_tls_backoff_max: { validate: duration(), default: () => AGENT_DEFAULTS.logger_tls_backoff_max },
  logger_tls_max_lines: { validate: int({ min: 1, max: 1_000_000 }), default: () => AGENT_DEFAULTS.logger_tls_max_lines },
  buffered_log_max: { validate: int({ min: 0 }), default: () => AGENT_DEFAULTS.buffered_log_max },
  distributed_denylist_duration: { validate: duration(), default: () => AGENT_DEFAULTS.distributed_denylist_duration },
  node_key_auth: { validate: oneOf(NODE_KEY_AUTH), default: () => AGENT_DEFAULTS.node_key_auth },
  crash_queries: { validate: array(str({ nonEmpty: true })), default: () => [...AGENT_DEFAULTS.crash_queries] },
  crash_restart_delay: { validate: duration(), default: () => AGENT_DEFAULTS.crash_restart_delay },
  retained_results_max_bytes: { validate: int({ min: 1024 }), default: () => AGENT_DEFAULTS.retained_results_max_bytes },
  string_statuses: { validate: bool(), default: () => AGENT_DEFAULTS.string_statuses },
  fleetd_phase: { validate: oneOf(FLEETD_PHASES), default: () => AGENT_DEFAULTS.fleetd_phase },
  retry_sleep_scale: { validate: num({ min: 0.001, max: 1 }), default: () => AGENT_DEFAULTS.retry_sleep_scale },
};

export const agentValidator = object<AgentSpec>(AGENT_FIELDS);

/** The agent section when the scenario has none: osquery's defaults. */
export function agentDefaults(): AgentSpec {
  return { ...AGENT_DEFAULTS, crash_queries: [...AGENT_DEFAULTS.crash_queries] };
}
