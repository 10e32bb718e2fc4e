/**
 * Merging the workers' 1-second windows into the run's seconds. Every worker sends a window per
 * second, aligned on the run start, so all workers agree on `t`; a second is complete when every
 * worker sent it. Pure (no threads, no timers): the pool hands it each worker window as it arrives.
 */
import { bucketCountsSeconds, createHistogram, mergeInto, percentileMs } from '../lib/histogram.js';
import { LATENCY_BUCKETS_S } from '../lib/metrics.js';
import type { Window } from '../contract/result.js';
import { AGENT_ENDPOINTS, type AgentEndpointName } from '../contract/vocabulary.js';
import type { WorkerWindow } from './recorder.js';

/** A merged second plus what the progress line and the harness need. */
export interface LiveWindow extends Window {
  /** Requests per second over all endpoints. */
  rate: number;
  errors: number;
  checkins: { scheduled: number; late: number; max_lag_ms: number };
  generator: {
    elu_max: number;
    event_loop_p99_ms: number;
    in_flight: number;
    /** The simulator's own queueing (post → handed to the HTTP client, which writes at once), worst worker's p99 and max, ms. */
    client_queue_p99_ms: number;
    client_queue_max_ms: number;
    /** Connections in use at the busiest moment (sum of the workers' peaks). */
    connections: number;
    /** Requests that waited because the elastic connection limit (the open-file share) was reached. */
    limited: number;
    /** Requests that failed on an OS limit, by errno (EMFILE, ENFILE, EADDRNOTAVAIL). */
    limit_errors: Record<string, number>;
  };
  /** This second's latencies per endpoint binned into the Prometheus buckets (simulate --metrics-port). */
  latency_buckets: Partial<Record<AgentEndpointName, LatencyBuckets>>;
}

/** Latencies binned into LATENCY_BUCKETS_S (lib/metrics.ts): per bucket, above the last, and their sum. */
export interface LatencyBuckets {
  counts: number[];
  above: number;
  sumS: number;
}

/** A worker whose window is this many seconds behind the newest one no longer holds its second back. */
const MAX_WAIT_SECONDS = 2;

export class WindowMerger {
  private readonly pending = new Map<number, WorkerWindow[]>();

  constructor(private readonly workers: number) {}

  /**
   * One worker's second. Returns the seconds it completes, oldest first: a second is complete when
   * every worker sent it; older incomplete seconds are merged as they are.
   */
  add(part: WorkerWindow): LiveWindow[] {
    const parts = this.pending.get(part.t) ?? [];
    parts.push(part);
    this.pending.set(part.t, parts);
    const completed: LiveWindow[] = [];
    for (const t of this.secondsInOrder()) {
      const got = this.pending.get(t)!;
      if (got.length >= this.workers || t < part.t - MAX_WAIT_SECONDS) {
        this.pending.delete(t);
        completed.push(mergeWindows(t, got));
      } else break;
    }
    return completed;
  }

  /**
   * At the end: seconds every worker reported are merged; the last, partial second (only some
   * workers got to it before stopping) is dropped.
   */
  finish(): LiveWindow[] {
    const completed: LiveWindow[] = [];
    for (const t of this.secondsInOrder()) {
      const parts = this.pending.get(t)!;
      if (parts.length >= this.workers) completed.push(mergeWindows(t, parts));
    }
    this.pending.clear();
    return completed;
  }

  private secondsInOrder(): number[] {
    return [...this.pending.keys()].sort((a, b) => a - b);
  }
}

/** The workers' parts of second `t` as one window: counts add, latency histograms merge exactly, health takes the worst worker. */
export function mergeWindows(t: number, parts: readonly WorkerWindow[]): LiveWindow {
  const endpoints: Window['endpoints'] = {};
  const latencyBuckets: LiveWindow['latency_buckets'] = {};
  let rate = 0;
  let errors = 0;
  for (const name of AGENT_ENDPOINTS) {
    const histogram = createHistogram();
    let count = 0;
    let endpointErrors = 0;
    for (const part of parts) {
      const e = part.endpoints[name];
      if (!e) continue;
      count += e.count;
      endpointErrors += e.errors;
      mergeInto(histogram, e.latency);
    }
    if (count > 0) {
      endpoints[name] = {
        count,
        errors: endpointErrors,
        p50: percentileMs(histogram, 50),
        p99: percentileMs(histogram, 99),
        max: percentileMs(histogram, 100),
      };
      latencyBuckets[name] = bucketCountsSeconds(histogram, LATENCY_BUCKETS_S);
      rate += count;
      errors += endpointErrors;
    }
    histogram.destroy();
  }
  return {
    t,
    warmup: parts.some((p) => p.warmup),
    hosts_enrolled: parts.reduce((s, p) => s + p.hostsEnrolled, 0),
    endpoints,
    rate,
    errors,
    checkins: {
      scheduled: parts.reduce((s, p) => s + p.checkins.scheduled, 0),
      late: parts.reduce((s, p) => s + p.checkins.late, 0),
      max_lag_ms: Math.max(...parts.map((p) => p.checkins.maxLagMs)),
    },
    generator: {
      elu_max: Math.max(...parts.map((p) => p.health.elu)),
      event_loop_p99_ms: Math.max(...parts.map((p) => p.health.eventLoopP99Ms)),
      in_flight: parts.reduce((s, p) => s + p.health.inFlight, 0),
      client_queue_p99_ms: Math.max(...parts.map((p) => p.health.transport.queueP99Ms)),
      client_queue_max_ms: Math.max(...parts.map((p) => p.health.transport.queueMaxMs)),
      connections: parts.reduce((s, p) => s + p.health.transport.peakConnections, 0),
      limited: parts.reduce((s, p) => s + p.health.transport.limited, 0),
      limit_errors: addCounts(parts.map((p) => p.health.transport.limitErrors)),
    },
    latency_buckets: latencyBuckets,
  };
}

function addCounts(records: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const record of records) for (const [key, n] of Object.entries(record)) sum[key] = (sum[key] ?? 0) + n;
  return sum;
}

/** The part of a merged second the result document keeps. */
export function resultWindow(live: LiveWindow): Window {
  return { t: live.t, warmup: live.warmup, hosts_enrolled: live.hosts_enrolled, endpoints: live.endpoints };
}
