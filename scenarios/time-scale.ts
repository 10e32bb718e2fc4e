/**
 * `osqsim run --time-scale K`: the scenario's clock runs K times faster. Every time the file gives
 * for the run's shape — its duration and warm-up, the server's update and count intervals, the
 * agents' check-in intervals and start spread, each timeline event's time and length, and osquery's
 * i² s retry sleeps (agent.retry_sleep_scale = 1/K, so a 15 s outage that outlasts the 1 s + 4 s of
 * retries still outlasts them at 0.5 s) — is divided by K: a 6-minute scenario with an outage at
 * 2 minutes becomes a 12-second run (K = 30) with the same events in the same order and the same
 * check-ins per host. Not scaled: request timeouts, enroll and logger back-off maxima, denylist and
 * crash-restart times (none of which a built-in scenario reaches). Latency thresholds keep their values. Applied to the parsed file before validation
 * and before --duration/--warmup (which are wall-clock). Pure.
 */
import { parseDurationMs } from '../lib/units.js';

const SCALED_SERVER = ['policy_update_interval', 'detail_update_interval', 'label_update_interval'] as const;
const SCALED_AGENT = ['distributed_interval', 'config_refresh', 'logger_tls_period', 'start_period', 'start_jitter'] as const;
/** Timeline event kind → its scaled length field. */
const SCALED_EVENT_FIELDS: Readonly<Record<string, string>> = { ramp_hosts: 'over', restart_server: 'down_for', store_unavailable: 'for' };
/** The run length when the file gives none (scenarios/schema/scenario.ts). */
const DEFAULT_DURATION = '5m';

type Doc = Record<string, unknown>;
const isRecord = (value: unknown): value is Doc => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A factor `--time-scale` accepts: a number ≥ 1. undefined when it is not one. */
export function parseTimeScale(value: string | number): number | undefined {
  const factor = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isFinite(factor) && factor >= 1 ? factor : undefined;
}

/** Divides the duration at `holder[key]` by `factor` (in place); a value that does not parse is left for the validator. */
function scaleField(holder: Doc, key: string, factor: number): void {
  const value = holder[key];
  if (typeof value !== 'string' && typeof value !== 'number') return;
  let ms: number;
  try {
    ms = parseDurationMs(value);
  } catch {
    return;
  }
  holder[key] = ms === 0 ? '0ms' : `${Math.max(1, Math.round(ms / factor))}ms`;
}

/** Scales the scenario document's times by 1/factor (in place). */
export function scaleScenarioTime(document: Doc, factor: number): void {
  if (factor === 1) return;
  document.duration ??= DEFAULT_DURATION;
  scaleField(document, 'duration', factor);
  scaleField(document, 'warmup', factor);
  if (isRecord(document.server)) {
    const server = { ...document.server };
    for (const key of SCALED_SERVER) scaleField(server, key, factor);
    if (isRecord(server.stats)) {
      server.stats = { ...server.stats };
      scaleField(server.stats as Doc, 'interval', factor);
    }
    document.server = server;
  }
  const agent: Doc = isRecord(document.agent) ? { ...document.agent } : {};
  for (const key of SCALED_AGENT) scaleField(agent, key, factor);
  const sleepScale = typeof agent.retry_sleep_scale === 'number' ? agent.retry_sleep_scale : 1;
  agent.retry_sleep_scale = sleepScale / factor;
  document.agent = agent;
  if (Array.isArray(document.timeline)) {
    document.timeline = document.timeline.map((entry: unknown) => {
      if (!isRecord(entry)) return entry;
      const event = { ...entry };
      scaleField(event, 'at', factor);
      for (const [kind, field] of Object.entries(SCALED_EVENT_FIELDS)) {
        if (isRecord(event[kind])) {
          const body = { ...(event[kind] as Doc) };
          scaleField(body, field, factor);
          event[kind] = body;
        }
      }
      return event;
    });
  }
}
