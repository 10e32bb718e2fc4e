/** The `agent:` section: osquery's flags that shape each simulated host's traffic (durations in ms). */
import { AGENT_DEFAULTS, type AgentSpec } from '../../../contract/fleet-spec.js';
import { bool, duration, fail, int, num, object, oneOf, type FieldSpec } from '../validate.js';

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
  enroll_backoff: {
    validate: object<{ initial: number; max: number }>(
      {
        initial: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.enroll_backoff.initial },
        max: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.enroll_backoff.max },
      },
      (backoff, path, ctx) => {
        if (backoff.max < backoff.initial) fail(ctx, `${path}.max`, 'must be >= initial');
      },
    ),
    default: () => ({ ...AGENT_DEFAULTS.enroll_backoff }),
  },
  request_timeout: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.request_timeout },
  string_statuses: { validate: bool(), default: () => AGENT_DEFAULTS.string_statuses },
};

export const agentValidator = object<AgentSpec>(AGENT_FIELDS);

/** The agent section when the scenario has none: osquery's defaults. */
export function agentDefaults(): AgentSpec {
  return { ...AGENT_DEFAULTS, enroll_backoff: { ...AGENT_DEFAULTS.enroll_backoff } };
}
