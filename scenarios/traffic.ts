/**
 * Steady-state traffic of an osquery fleet: requests per second by endpoint for N hosts that have been
 * running for a while (no enrolment wave, no herd after an outage or a policy edit). The one answer to
 * "how many requests per second do N hosts send": the scenario plan (scenarios/plan.ts) and the capacity
 * model (capacity/) both call it and differ only in the jitter they pass. Pure.
 *
 * It follows osquery and Fleet (reference fleet-policies.md §2, DESIGN §3–§4):
 * - a host reads every distributed_interval and fetches its config every config_refresh;
 * - it sends a log request at a logger_tls_period tick only when it has lines buffered;
 * - it writes when its policies or details come due, which for equal intervals is the same read. Fleet
 *   opens the due gate after the interval plus the host's jitter bucket (whole minutes), and the host
 *   notices it at its next read, on average half a read interval later.
 */

export type SteadyEndpoint = 'read' | 'write' | 'config' | 'log';

/** What drives each endpoint, in seconds. */
export interface FleetIntervals {
  distributedIntervalS: number;
  policyIntervalS: number;
  /** osquery's detail refresh (Fleet's detail_update_interval, default 1 h); due in the same read as policies when equal. */
  detailIntervalS: number;
  configRefreshS: number;
  loggerTlsPeriodS: number;
  /** Fraction of logger ticks that send a request (osquery sends only when lines are buffered). */
  logSendFraction: number;
}

/** Fleet's due-gate jitter: hosts spread evenly over `buckets` buckets of 0, 1, … buckets − 1 minutes. */
export interface DueJitter {
  buckets: number;
}

/**
 * Seconds between two policy runs of a host in jitter bucket `bucket`: the interval, the bucket's
 * minutes, and half a read interval until the next read notices the open gate.
 */
export function policyCycleS(intervalS: number, bucket: number, distributedIntervalS: number): number {
  return intervalS + bucket * 60 + distributedIntervalS / 2;
}

/**
 * Requests per second of `hosts` hosts in steady state. With `jitter` null, a host writes exactly once
 * per due interval (the capacity model's assumption: jitter lowers the long-run write rate by at most
 * a few percent); with Fleet's jitter, each bucket writes once per its own, longer cycle.
 */
export function steadyStateRates(hosts: number, intervals: FleetIntervals, jitter: DueJitter | null): Record<SteadyEndpoint, number> {
  const dueS = Math.min(intervals.policyIntervalS, intervals.detailIntervalS);
  let write = hosts / dueS;
  if (jitter !== null) {
    let perHost = 0;
    for (let bucket = 0; bucket < jitter.buckets; bucket++) perHost += 1 / policyCycleS(dueS, bucket, intervals.distributedIntervalS);
    write = (hosts * perHost) / Math.max(1, jitter.buckets);
  }
  return {
    read: hosts / intervals.distributedIntervalS,
    write,
    config: hosts / intervals.configRefreshS,
    log: (hosts * intervals.logSendFraction) / intervals.loggerTlsPeriodS,
  };
}
