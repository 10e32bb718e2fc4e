/**
 * HTTP to the targets. The client is the minimal HTTP/1.1 client (raw.ts, the default for http://
 * targets) or undici's Pool (undici.ts, the default for https:// and for `transport: undici`); both
 * deliver to an Exchange (exchange.ts), with no stream and no promise per request: this is the hot
 * path of the simulator. Several targets are spread per host, as a round-robin load balancer would
 * (host g → target g mod T).
 *
 * Connections (`connections`):
 * - `elastic` (default): like real agents. osquery keeps one keep-alive TLS session per thread
 *   (osquery/remote/transports/tls.cpp, getClient: a thread_local client, tls_session_reuse), so N
 *   agents hold their own sockets and a host's request never waits behind another host's. Here a
 *   request is handed to the client at once and takes an idle connection or opens a new one, which
 *   then stays open; the number of sockets follows the number of requests in flight, so under
 *   overload the server sees every waiting host's request. The only cap is the share of this
 *   process's open-file limit (`connectionLimit`); a request that meets it waits here and is counted
 *   (`limited`), and the saturation rules report it as the generator's limit, naming `ulimit -n`.
 * - a number n: a fixed pool of n keep-alive connections per target per worker, the rest waiting here
 *   in FIFO order (the old model; cheaper on sockets, but the queue is the simulator's, not the server's).
 *
 * Requests waiting here are small records; a body given as a function is built only when its
 * request is handed on, so a burst against a slow server does not queue hundreds of thousands of
 * request bodies. From post to the hand-off to the HTTP client (which writes at once) is the
 * simulator's own queueing, recorded per request (`queueDelay`) so a run can tell generator delay from
 * server delay.
 */
import { osqsimError } from '../../lib/errors.js';
import { openFileLimit } from '../../lib/os-limits.js';
import { createHistogram, percentileMs, recordMs, type Histogram } from '../../lib/histogram.js';
import type { HttpClient } from './client.js';
import type { TransportHealth } from './health.js';
import type { Exchange } from './exchange.js';
import { RawClient } from './raw.js';
import { UndiciClient } from './undici.js';
import { nowMs } from '../clock.js';

export type { TransportHealth } from './health.js';

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

/** `elastic`: a connection per request in flight, opened on demand and kept alive; n: a fixed pool of n per target. */
export type ConnectionMode = number | 'elastic';

/** Parses `--connections` / the scenario's `simulator.connections`: `elastic` or a positive integer. */
export function parseConnectionMode(value: string | number): ConnectionMode | undefined {
  if (value === 'elastic') return 'elastic';
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** File descriptors kept back from the elastic budget (the process's own files, workers, the server's sockets in tests). */
const RESERVED_FDS = 256;
/** The fallback when the open-file limit cannot be read (macOS and Windows defaults are far lower than Linux servers'). */
const DEFAULT_FD_LIMIT = 4096;

/**
 * Elastic sockets per target for one of `workers` workers: an equal share of the process's open-file
 * limit (all workers are threads of one process and share it), less a reserve.
 */
export function elasticConnectionLimit(workers: number, targets: number, fdLimit = openFileLimit() ?? DEFAULT_FD_LIMIT): number {
  return Math.max(16, Math.floor((fdLimit - RESERVED_FDS) / Math.max(1, workers) / Math.max(1, targets)));
}

/** OS limits a failed connection can name: out of file descriptors, or of ephemeral ports. */
export const LIMIT_ERRNOS: readonly string[] = ['EMFILE', 'ENFILE', 'EADDRNOTAVAIL'];

export interface TransportOptions {
  targets: readonly string[];
  /** `elastic` (default) or a fixed pool size per target in this worker. */
  connections?: ConnectionMode;
  /** Elastic mode: most sockets per target in this worker (default: the whole open-file limit's share for one worker). */
  connectionLimit?: number;
  timeoutMs: number;
  /** `raw` (default for http://): the minimal client in raw.ts; `undici` (default for https://): one undici Pool per target. */
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

/** The client kind for a target: the one asked for, else raw for http:// and undici for https:// (raw speaks plain http only). */
export function clientKind(origin: string, kind: TransportKind | undefined): TransportKind {
  return kind ?? (origin.startsWith('https:') ? 'undici' : 'raw');
}

/** The client for one target; `connections` is the most it may open (the transport hands it no more). */
function createClient(origin: string, connections: number, options: TransportOptions): HttpClient {
  const clientOptions = { connections, timeoutMs: options.timeoutMs, insecure: options.insecure === true, ...(options.ca !== undefined ? { ca: options.ca } : {}) };
  return clientKind(origin, options.kind) === 'raw' ? new RawClient(origin, clientOptions) : new UndiciClient(origin, clientOptions);
}

export class Transport {
  private readonly clients: HttpClient[];
  /** Requests handed to the client, per target (≤ cap). */
  private readonly active: number[];
  private readonly queues: Queued[][];
  private readonly heads: number[];
  private readonly prefixes: string[];
  /** Most requests handed to one target's client at once: the fixed pool size, or the elastic limit. */
  readonly cap: number;
  readonly elastic: boolean;
  /** Requests posted and not yet over (handed to the client or queued here). */
  inFlight = 0;
  maxInFlight = 0;
  private handed = 0;
  private peakHanded = 0;
  private readonly queueDelay: Histogram = createHistogram();
  private writtenCount = 0;
  private limitedCount = 0;
  private limitErrors: Record<string, number> = {};
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    const mode = options.connections ?? 'elastic';
    this.elastic = mode === 'elastic';
    this.cap = mode === 'elastic' ? (options.connectionLimit ?? elasticConnectionLimit(1, options.targets.length)) : mode;
    this.clients = options.targets.map((target) => createClient(new URL(target).origin, this.cap, options));
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
    exchange.postedMs = nowMs();
    if (this.active[targetIndex]! < this.cap) this.send(targetIndex, path, body, exchange);
    else {
      if (this.elastic) this.limitedCount++;
      this.queues[targetIndex]!.push({ path, body, exchange });
    }
  }


  /** Health since the last call (a window), then starts the next. */
  takeHealth(): TransportHealth {
    const health: TransportHealth = {
      written: this.writtenCount,
      queueP99Ms: this.writtenCount > 0 ? percentileMs(this.queueDelay, 99) : 0,
      queueMaxMs: this.writtenCount > 0 ? percentileMs(this.queueDelay, 100) : 0,
      limited: this.limitedCount,
      limitErrors: this.limitErrors,
      peakConnections: this.peakHanded,
    };
    this.queueDelay.reset();
    this.writtenCount = 0;
    this.limitedCount = 0;
    this.limitErrors = {};
    this.peakHanded = this.handed;
    return health;
  }

  /** Requests waiting for a connection (all targets). */
  get queued(): number {
    let n = 0;
    for (let t = 0; t < this.queues.length; t++) n += this.queues[t]!.length - this.heads[t]!;
    return n;
  }

  /**
   * Hands a request to the HTTP client, which writes it at once (raw: on a free or new socket; undici:
   * the same, or as soon as its new connection is up, which is the target's accept time and counts as
   * service time, as the raw client's connect does). So the client queue is the wait here.
   */
  private send(targetIndex: number, path: string, source: BodySource, exchange: Exchange): void {
    this.active[targetIndex]!++;
    if (++this.handed > this.peakHanded) this.peakHanded = this.handed;
    this.writtenCount++;
    recordMs(this.queueDelay, nowMs() - exchange.postedMs);
    const body = typeof source === 'string' ? source : source();
    this.clients[targetIndex]!.dispatch(this.prefixes[targetIndex] + path, body, exchange);
  }

  /** An exchange is over (response or error): frees its slot and hands on the next queued request. */
  finished(targetIndex: number, errno?: string): void {
    this.inFlight--;
    this.handed--;
    this.active[targetIndex]!--;
    if (errno !== undefined && LIMIT_ERRNOS.includes(errno)) this.limitErrors[errno] = (this.limitErrors[errno] ?? 0) + 1;
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
    this.queueDelay.destroy();
  }

  /** Connections per worker as a run parameter: the fixed pool over all targets, or 0 for elastic (see peakConnections). */
  get connections(): number {
    return this.elastic ? 0 : this.cap * this.options.targets.length;
  }
}
