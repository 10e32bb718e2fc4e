/**
 * Errors outside the faults a scenario injects on purpose. During an outage (`restart_server`,
 * `store_unavailable`) every request an osquery agent makes fails: osquery keeps its schedule and
 * retries a distributed request `distributed_tls_max_attempts` times with i² s sleeps
 * (osquery/remote/utility.h TLSRequestHelper::go; simulator/agent/retry.ts), so the run's overall
 * error rate is about the outages' share of the measured time — a property of the timeline, not of
 * the server. What the server is judged on is the rest: from the start of each fault until every
 * agent has made a fresh attempt after it (the RECOVERY GRACE: the longest check-in period,
 * max(distributed_interval, logger_tls_period), plus the distributed retry sleeps 1² + … + (n−1)² s
 * times agent.retry_sleep_scale),
 * and outside those periods errors must be as rare as in a steady run. Pure.
 */
import type { ResultDocument } from '../contract/result.js';
import { AGENT_DEFAULTS } from '../contract/fleet-spec.js';

/** Timeline kinds that are outages. */
export const FAULT_KINDS: ReadonlySet<string> = new Set(['restart_server', 'store_unavailable']);

function agentNumber(doc: ResultDocument, key: 'distributed_interval' | 'logger_tls_period' | 'distributed_tls_max_attempts' | 'retry_sleep_scale'): number {
  const agent = doc.scenario.agent as Record<string, unknown> | undefined;
  const value = agent?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : AGENT_DEFAULTS[key];
}

/** Seconds after a fault ends within which agents may still see it (see the module comment). */
export function recoveryGraceS(doc: ResultDocument): number {
  const period = Math.max(agentNumber(doc, 'distributed_interval'), agentNumber(doc, 'logger_tls_period')) / 1000;
  let sleeps = 0;
  for (let attempt = 1; attempt < agentNumber(doc, 'distributed_tls_max_attempts'); attempt++) sleeps += attempt * attempt;
  return period + sleeps * agentNumber(doc, 'retry_sleep_scale');
}

/** [from, to) seconds since run start of each applied fault, recovery grace included. */
export function faultPeriods(doc: ResultDocument): Array<{ from: number; to: number }> {
  const grace = recoveryGraceS(doc);
  return (doc.timeline ?? [])
    .filter((record) => FAULT_KINDS.has(record.kind) && record.skipped !== true)
    .map((record) => ({ from: record.t, to: (record.until ?? record.t) + grace }));
}

/**
 * Errors ÷ requests over the measured (after warm-up) 1-s windows that do not overlap a fault period;
 * null when no such window has a request.
 */
export function errorRateOutsideFaults(doc: ResultDocument): number | null {
  const periods = faultPeriods(doc);
  let requests = 0;
  let errors = 0;
  for (const window of doc.windows) {
    if (window.warmup) continue;
    if (periods.some((p) => window.t + 1 > p.from && window.t < p.to)) continue;
    for (const endpoint of Object.values(window.endpoints)) {
      requests += endpoint?.count ?? 0;
      errors += endpoint?.errors ?? 0;
    }
  }
  return requests === 0 ? null : errors / requests;
}
