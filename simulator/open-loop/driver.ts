/**
 * Open-loop load at a fixed rate with latency measured from the intended send time (wrk2's model,
 * reference fleet-loadtest.md §5), used by `osqsim bench checkin --rate`.
 *
 * Why not autocannon's own rate mode: autocannon 9 (lib/run.js) corrects with
 * `recordValueWithExpectedInterval(responseTime, Math.ceil(1 / rate))` — `rate` is requests per second
 * per connection and responseTime is in milliseconds, so the expected interval comes out as 1 ms
 * instead of 1000 / rate ms, and every response slower than 2 ms gets synthetic samples of
 * responseTime − 1, − 2, … ms that pull the percentiles *down*. Its pacing is a per-second budget per
 * connection (lib/httpClient.js: `reqsMadeThisSecond < rate`, reset by a 1 s interval), so requests
 * leave in a burst at the start of every second rather than evenly spaced, and with `overallRate`
 * below `connections` the connections whose share rounds to 0 are not limited at all. Here request k
 * is intended at start + k / rate, is sent as soon as a connection is free, and its latency is
 * response − intended (service time, response − actual send, is kept beside it).
 */
import type { Pool } from 'undici';
import hdr from 'hdr-histogram-js';

export interface OpenLoopOptions {
  pool: Pool;
  path: string;
  /** Request bodies, used in rotation (one per host: node keys rotate per request). */
  bodies: readonly string[];
  ratePerS: number;
  durationMs: number;
  /** Requests in flight at most (the pool's connection count). */
  connections: number;
  /** How long to wait for requests still queued or in flight when the schedule ends. */
  drainMs?: number;
  /** Called with each response body (for example to count non-empty reads). */
  onResponse?: (status: number, body: string) => void;
  timeoutMs?: number;
}

export interface LatencyDistribution {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface OpenLoopResult {
  intended: number;
  sent: number;
  completed: number;
  /** Scheduled but never sent before the drain deadline (an unmet schedule, like k6's dropped_iterations). */
  unsent: number;
  statusCodes: Record<string, number>;
  errors: { connect: number; timeout: number; other: number };
  /** Sent more than 1 s after their intended time. */
  lateSends: number;
  maxSendLagMs: number;
  /** Completions per whole second of the schedule. */
  perSecond: number[];
  elapsedMs: number;
  latencyMs: LatencyDistribution;
  serviceMs: LatencyDistribution;
}

function newHistogram(): hdr.Histogram {
  // Microseconds, 1 µs … 1 h, 3 significant digits.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function distribution(histogram: hdr.Histogram): LatencyDistribution {
  const ms = (micros: number): number => Math.round(micros) / 1000;
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
  };
}

function classify(error: unknown): 'connect' | 'timeout' | 'other' {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connect';
  return 'other';
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const intervalMs = 1000 / options.ratePerS;
  const total = Math.max(1, Math.floor((options.durationMs / 1000) * options.ratePerS));
  const latency = newHistogram();
  const service = newHistogram();
  const statusCodes: Record<string, number> = {};
  const errors = { connect: 0, timeout: 0, other: 0 };
  const perSecond = new Array<number>(Math.ceil(options.durationMs / 1000) + 1).fill(0);
  const drainMs = options.drainMs ?? 10_000;
  let scheduled = 0;
  let sent = 0;
  let completed = 0;
  let inFlight = 0;
  let lateSends = 0;
  let maxSendLagMs = 0;
  const start = performance.now() + 20;
  const deadline = start + options.durationMs + drainMs;

  return new Promise<OpenLoopResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      resolve({
        intended: total,
        sent,
        completed,
        unsent: total - sent,
        statusCodes,
        errors,
        lateSends,
        maxSendLagMs: Math.round(maxSendLagMs * 1000) / 1000,
        perSecond: perSecond.slice(0, Math.ceil(options.durationMs / 1000)),
        elapsedMs: performance.now() - start,
        latencyMs: distribution(latency),
        serviceMs: distribution(service),
      });
    };

    const send = (k: number): void => {
      const intended = start + k * intervalMs;
      const sentAt = performance.now();
      const lag = sentAt - intended;
      if (lag > maxSendLagMs) maxSendLagMs = lag;
      if (lag > 1000) lateSends++;
      sent++;
      inFlight++;
      const body = options.bodies[k % options.bodies.length]!;
      options.pool
        .request({
          method: 'POST',
          path: options.path,
          headers: { 'content-type': 'application/json' },
          body,
          headersTimeout: options.timeoutMs ?? 10_000,
          bodyTimeout: options.timeoutMs ?? 10_000,
        })
        .then(async (response) => {
          const text = await response.body.text();
          const now = performance.now();
          statusCodes[response.statusCode] = (statusCodes[response.statusCode] ?? 0) + 1;
          latency.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
          service.recordValue(Math.max(1, Math.round((now - sentAt) * 1000)));
          const second = Math.floor((now - start) / 1000);
          if (second >= 0 && second < perSecond.length) perSecond[second]! += 1;
          completed++;
          options.onResponse?.(response.statusCode, text);
        })
        .catch((error: unknown) => {
          errors[classify(error)] += 1;
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    };

    const pump = (): void => {
      if (finished) return;
      const now = performance.now();
      const due = Math.min(total, Math.max(0, Math.floor((now - start) / intervalMs) + 1));
      while (scheduled < due && inFlight < options.connections && now < deadline) send(scheduled++);
      if ((scheduled >= total && inFlight === 0) || now >= deadline) finish();
    };

    const tick = (): void => {
      pump();
      if (finished) return;
      // Wake at the next intended send (the timer's ~1 ms granularity is the pacing error, as in wrk2).
      const next = start + scheduled * intervalMs - performance.now();
      timer = setTimeout(tick, Math.max(0, Math.min(next, 50)));
    };
    timer = setTimeout(tick, 20);
  });
}
