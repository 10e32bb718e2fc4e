/**
 * HTTP to the targets: one client per target per worker (keep-alive), standing in for the many agent
 * connections; the connection count is a reported run parameter. The client is undici's Pool
 * (undici.ts, the default) or the minimal HTTP/1.1 client (raw.ts); both deliver to an Exchange
 * (exchange.ts), with no stream and no promise per request: this is the hot path of the simulator.
 * Several targets are spread per host, as a round-robin load balancer would (host g → target g mod T).
 *
 * At most `connections` requests per target are handed to the HTTP client at a time; the rest wait
 * here, in FIFO order, and a body given as a function is built only when its request is handed on.
 * So a burst (the enrolment wave against a slow server) queues small records, not hundreds of
 * thousands of request bodies that would grow the heap for the rest of the run (an osquery agent
 * has its requests in flight, not queued bodies: the queue is an artefact of sharing connections).
 */
import { osqsimError } from '../../lib/errors.js';
import type { HttpClient } from './client.js';
import type { Exchange } from './exchange.js';
import { RawClient } from './raw.js';
import { UndiciClient } from './undici.js';

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

export interface TransportOptions {
  targets: readonly string[];
  /** Connections per target in this worker. */
  connections: number;
  timeoutMs: number;
  /** `undici` (default): one undici Pool per target; `raw`: the minimal client in raw.ts. */
  kind?: TransportKind;
  /** Skip TLS certificate verification (self-signed Fleet dev/test servers, as osquery-perf does). */
  insecure?: boolean;
  /** PEM CA certificates trusted for https targets (undici only; raw speaks plain http). */
  ca?: string;
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

/** The client for one target of a transport kind. */
function createClient(kind: TransportKind, origin: string, options: TransportOptions): HttpClient {
  const clientOptions = { connections: options.connections, timeoutMs: options.timeoutMs, insecure: options.insecure === true, ...(options.ca !== undefined ? { ca: options.ca } : {}) };
  return kind === 'raw' ? new RawClient(origin, clientOptions) : new UndiciClient(origin, clientOptions);
}

export class Transport {
  private readonly clients: HttpClient[];
  /** Requests handed to the client, per target (≤ connections). */
  private readonly active: number[];
  private readonly queues: Queued[][];
  private readonly heads: number[];
  private readonly prefixes: string[];
  /** Requests posted and not yet over (handed to the client or queued here). */
  inFlight = 0;
  maxInFlight = 0;
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    this.clients = options.targets.map((target) => createClient(options.kind ?? 'undici', new URL(target).origin, options));
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
    this.clients[targetIndex]!.dispatch(this.prefixes[targetIndex] + path, body, exchange);
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
    await Promise.all(this.clients.map((client) => client.close()));
  }

  get connections(): number {
    return this.options.connections * this.options.targets.length;
  }
}
