/**
 * Measurement inside one worker: per endpoint, corrected latency (response − intended start) and
 * service time (response − actual send) in HdrHistograms (µs), outcomes by class, late check-ins,
 * and 1-second windows. Whole-run histograms skip the warm-up; windows keep it (flagged).
 */
import { createHistogram, encodeHistogram, recordMs, type Histogram } from '../lib/histogram.js';
import { AGENT_ENDPOINTS, ENDPOINTS, OUTCOMES, type AgentEndpointName, type EndpointName, type OrbitEndpointName, type Outcome } from '../contract/vocabulary.js';
import type { TransportHealth } from './transport/health.js';

export const ENDPOINT_INDEX: Readonly<Record<EndpointName, number>> = { enroll: 0, config: 1, read: 2, write: 3, log: 4 };
/** fleetd's endpoints follow osquery's in the recorder (AGENT_ENDPOINTS order). */
export const ORBIT_ENDPOINT_INDEX = Object.fromEntries(AGENT_ENDPOINTS.map((name, i) => [name, i])) as Readonly<Record<OrbitEndpointName, number>>;
export const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = { '2xx': 0, '4xx': 1, '5xx': 2, timeout: 3, connect: 4 };

/** A check-in that starts more than this after its intended time is "late". */
export const LATE_THRESHOLD_MS = 1000;

export interface EndpointTotals {
  outcomes: Record<Outcome, number>;
  /** Encoded corrected-latency histogram (µs). */
  latency: string;
  /** Encoded service-time histogram (µs). */
  service: string;
}

export interface RecorderTotals {
  /** osquery's endpoints always; fleetd's only when called. */
  endpoints: Record<EndpointName, EndpointTotals> & Partial<Record<OrbitEndpointName, EndpointTotals>>;
  checkins: { scheduled: number; late: number; max_lag_ms: number };
}

/** One worker's second of the run. Merged across workers by `t`. */
export interface WorkerWindow {
  t: number;
  warmup: boolean;
  hostsEnrolled: number;
  endpoints: Partial<Record<AgentEndpointName, { count: number; errors: number; latency: string }>>;
  checkins: { scheduled: number; late: number; maxLagMs: number };
  health: { elu: number; eventLoopP99Ms: number; inFlight: number; maxInFlight: number; transport: TransportHealth };
}

class EndpointRecorder {
  readonly latency = createHistogram();
  readonly service = createHistogram();
  readonly windowLatency = createHistogram();
  readonly outcomes = new Float64Array(OUTCOMES.length);
  windowCount = 0;
  windowErrors = 0;
}

export class Recorder {
  private readonly endpoints: EndpointRecorder[] = AGENT_ENDPOINTS.map(() => new EndpointRecorder());
  private scheduled = 0;
  private late = 0;
  private maxLagMs = 0;
  private windowScheduled = 0;
  private windowLate = 0;
  private windowMaxLagMs = 0;

  /** `measuring` is false during the warm-up: windows still count, whole-run totals do not. */
  measuring = true;

  /** One finished request. Times in ms on one clock. */
  record(endpoint: number, outcome: number, intendedMs: number, sentMs: number, doneMs: number): void {
    const e = this.endpoints[endpoint]!;
    const latency = doneMs - intendedMs;
    e.windowCount++;
    if (outcome !== 0) e.windowErrors++;
    recordMs(e.windowLatency, latency);
    if (this.measuring) {
      e.outcomes[outcome]!++;
      recordMs(e.latency, latency);
      recordMs(e.service, doneMs - sentMs);
    }
  }

  /** A distributed check-in (read) started `lagMs` after it was due. */
  checkin(lagMs: number): void {
    this.windowScheduled++;
    const late = lagMs > LATE_THRESHOLD_MS;
    if (late) this.windowLate++;
    if (lagMs > this.windowMaxLagMs) this.windowMaxLagMs = lagMs;
    if (this.measuring) {
      this.scheduled++;
      if (late) this.late++;
      if (lagMs > this.maxLagMs) this.maxLagMs = lagMs;
    }
  }

  /** Closes the current second and starts the next. */
  takeWindow(t: number, warmup: boolean, hostsEnrolled: number, health: WorkerWindow['health']): WorkerWindow {
    const endpoints: WorkerWindow['endpoints'] = {};
    AGENT_ENDPOINTS.forEach((name, i) => {
      const e = this.endpoints[i]!;
      if (e.windowCount === 0) return;
      endpoints[name] = { count: e.windowCount, errors: e.windowErrors, latency: encodeHistogram(e.windowLatency) };
      e.windowLatency.reset();
      e.windowCount = 0;
      e.windowErrors = 0;
    });
    const window: WorkerWindow = {
      t,
      warmup,
      hostsEnrolled,
      endpoints,
      checkins: { scheduled: this.windowScheduled, late: this.windowLate, maxLagMs: Math.round(this.windowMaxLagMs) },
      health,
    };
    this.windowScheduled = 0;
    this.windowLate = 0;
    this.windowMaxLagMs = 0;
    return window;
  }

  totals(): RecorderTotals {
    const endpoints = {} as RecorderTotals['endpoints'];
    AGENT_ENDPOINTS.forEach((name, i) => {
      const e = this.endpoints[i]!;
      if (i >= ENDPOINTS.length && e.outcomes.every((n) => n === 0)) return;
      const outcomes = {} as Record<Outcome, number>;
      OUTCOMES.forEach((o, j) => (outcomes[o] = e.outcomes[j]!));
      endpoints[name] = { outcomes, latency: encodeHistogram(e.latency), service: encodeHistogram(e.service) };
    });
    return { endpoints, checkins: { scheduled: this.scheduled, late: this.late, max_lag_ms: Math.round(this.maxLagMs) } };
  }

  destroy(): void {
    for (const e of this.endpoints) {
      e.latency.destroy();
      e.service.destroy();
      e.windowLatency.destroy();
    }
  }
}

export type { Histogram };
