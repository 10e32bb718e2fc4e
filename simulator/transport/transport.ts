/**
 * HTTP to the targets: one undici Pool per target per worker (keep-alive), standing in for the many
 * agent connections; the connection count is a reported run parameter. Several targets are spread
 * per host, as a round-robin load balancer would (host g → target g mod T).
 *
 * Requests go through `dispatch` with a small handler (no streams, no promises per request): this is
 * the hot path of the simulator.
 *
 * At most `connections` requests per target are handed to the HTTP client at a time; the rest wait
 * here, in FIFO order, and a body given as a function is built only when its request is handed on.
 * So a burst (the enrolment wave against a slow server) queues small records, not hundreds of
 * thousands of request bodies that would grow the heap for the rest of the run (an osquery agent
 * has its requests in flight, not queued bodies: the queue is an artefact of sharing connections).
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { isOsqsimError, osqsimError } from '../../lib/errors.js';
import { OUTCOME_INDEX } from '../recorder.js';
import { RawPool } from './raw.js';

/** `undefined` status means the request failed before a response (outcome says how). */
export type ResponseCallback = (outcome: number, status: number, body: string, doneMs: number) => void;

export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Parses and checks `--target a,b` (http/https URLs). */
export function parseTargets(text: string | readonly string[]): string[] {
  const list = (typeof text === 'string' ? text.split(',') : [...text]).map((t) => t.trim()).filter(Boolean);
  if (list.length === 0) throw osqsimError('SIM_NO_TARGET', { value: String(text), reason: 'no URL given' });
  return list.map((target) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw osqsimError('SIM_NO_TARGET', { value: target, reason: 'not a URL' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw osqsimError('SIM_NO_TARGET', { value: target, reason: 'only http:// and https:// are supported' });
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
  });
}

export function classifyError(error: unknown): number {
  // undici's and Node's errors carry their code in `code`; the raw transport's SIM_REQUEST_FAILED in params.errno.
  const code = isOsqsimError(error, 'SIM_REQUEST_FAILED') ? String(error.params['errno']) : ((error as { code?: string } | null)?.code ?? '');
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return OUTCOME_INDEX.timeout;
  return OUTCOME_INDEX.connect;
}

export function classifyStatus(status: number): number {
  if (status >= 200 && status < 300) return OUTCOME_INDEX['2xx'];
  if (status >= 500) return OUTCOME_INDEX['5xx'];
  return OUTCOME_INDEX['4xx'];
}

const HEADERS = ['content-type', 'application/json', 'user-agent', 'osquery/5.12.1 (osqsim)'];

/**
 * One request/response. Subclasses carry their own context as fields and implement `complete`, so a
 * request allocates one object here (no closures) on top of what undici allocates.
 */
export abstract class Exchange implements Dispatcher.DispatchHandler {
  transport: Transport | undefined;
  target = 0;
  private status = 0;
  private chunk: Buffer | undefined;
  private chunks: Buffer[] | undefined;
  private done = false;

  /** outcome: index in OUTCOMES; status 0 when there was no response. */
  abstract complete(outcome: number, status: number, body: string, doneMs: number): void;

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunk === undefined) this.chunk = chunk;
    else (this.chunks ??= [this.chunk]).push(chunk);
  }

  onResponseEnd(): void {
    if (this.done) return;
    this.done = true;
    const doneMs = nowMs();
    if (this.transport) this.transport.finished(this.target);
    const body = this.chunks ? Buffer.concat(this.chunks).toString('utf8') : this.chunk ? this.chunk.toString('utf8') : '';
    this.complete(classifyStatus(this.status), this.status, body, doneMs);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.transport) this.transport.finished(this.target);
    this.complete(classifyError(error), 0, '', nowMs());
  }
}

/** An Exchange that calls a function (tests and one-off requests). */
export class CallbackExchange extends Exchange {
  constructor(private readonly callback: ResponseCallback) {
    super();
  }

  complete(outcome: number, status: number, body: string, doneMs: number): void {
    this.callback(outcome, status, body, doneMs);
  }
}

export interface TransportOptions {
  targets: readonly string[];
  /** Connections per target in this worker. */
  connections: number;
  timeoutMs: number;
  /** `undici` (default): one undici Pool per target; `raw`: the minimal client in raw-http.ts. */
  kind?: TransportKind;
  /** Skip TLS certificate verification (self-signed Fleet dev/test servers, as osquery-perf does). */
  insecure?: boolean;
}

export type TransportKind = 'undici' | 'raw';
export const TRANSPORT_KINDS: readonly TransportKind[] = ['undici', 'raw'];

/** A request body, or a function that builds it when the request is handed to the client. */
export type BodySource = string | (() => string);

interface Queued {
  path: string;
  body: BodySource;
  exchange: Exchange;
}

export class Transport {
  private readonly pools: Pool[];
  /** Requests handed to the client, per target (≤ connections). */
  private readonly active: number[];
  private readonly queues: Queued[][];
  private readonly heads: number[];
  private readonly raw: RawPool[] | undefined;
  private readonly prefixes: string[];
  /** Requests posted and not yet over (handed to the client or queued here). */
  inFlight = 0;
  maxInFlight = 0;
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    this.raw = options.kind === 'raw' ? options.targets.map((t) => new RawPool(new URL(t).origin, options.connections, options.timeoutMs, HEADERS)) : undefined;
    this.pools = this.raw ? [] : options.targets.map(
      (target) =>
        new Pool(new URL(target).origin, {
          connections: options.connections,
          pipelining: 1,
          keepAliveTimeout: 60_000,
          keepAliveMaxTimeout: 600_000,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          connectTimeout: Math.min(options.timeoutMs, 10_000),
          ...(options.insecure ? { connect: { rejectUnauthorized: false } } : {}),
        }),
    );
    this.prefixes = options.targets.map((target) => new URL(target).pathname.replace(/\/+$/, ''));
    this.active = options.targets.map(() => 0);
    this.queues = options.targets.map(() => []);
    this.heads = options.targets.map(() => 0);
  }

  get targetCount(): number {
    return this.options.targets.length;
  }

  /**
   * POST `body` to `path` on target `targetIndex`; `exchange.complete` gets the outcome. Queued
   * (FIFO) while the target's connections are all busy; a function body is built when sent.
   */
  post(targetIndex: number, path: string, body: BodySource, exchange: Exchange): void {
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    exchange.transport = this;
    exchange.target = targetIndex;
    if (this.active[targetIndex]! < this.options.connections) this.send(targetIndex, path, body, exchange);
    else this.queues[targetIndex]!.push({ path, body, exchange });
  }

  /** Requests waiting for a connection (all targets). */
  get queued(): number {
    let n = 0;
    for (let t = 0; t < this.queues.length; t++) n += this.queues[t]!.length - this.heads[t]!;
    return n;
  }

  private send(targetIndex: number, path: string, source: BodySource, exchange: Exchange): void {
    this.active[targetIndex]!++;
    const body = typeof source === 'string' ? source : source();
    if (this.raw) {
      this.raw[targetIndex]!.dispatch(this.prefixes[targetIndex] + path, body, exchange);
      return;
    }
    try {
      this.pools[targetIndex]!.dispatch({ path: this.prefixes[targetIndex] + path, method: 'POST', headers: HEADERS, body }, exchange);
    } catch (error) {
      exchange.onResponseError(undefined, error as Error);
    }
  }

  /** An exchange is over (response or error): frees its slot and hands on the next queued request. */
  finished(targetIndex: number): void {
    this.inFlight--;
    this.active[targetIndex]!--;
    const queue = this.queues[targetIndex]!;
    let head = this.heads[targetIndex]!;
    if (head >= queue.length || this.closed) return;
    const next = queue[head]!;
    queue[head++] = undefined as unknown as Queued;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    this.heads[targetIndex] = head;
    this.send(targetIndex, next.path, next.body, next.exchange);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.queues) queue.length = 0;
    this.heads.fill(0);
    for (const pool of this.raw ?? []) pool.destroy();
    await Promise.all(this.pools.map((pool) => pool.destroy().catch(() => undefined)));
  }

  get connections(): number {
    return this.options.connections * this.options.targets.length;
  }
}
