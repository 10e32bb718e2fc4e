/**
 * A minimal HTTP/1.1 keep-alive client for the simulator's hot path (`transport: raw`, the default
 * for http:// targets): POST with a JSON body, responses with Content-Length or chunked encoding, one
 * request per connection at a time, per-request timeout. Connections open on demand (up to
 * `connections`, which may be Infinity) and stay open for the next request, as each osquery agent
 * keeps its own keep-alive TLS session; a FIFO queue holds requests only when the limit is reached.
 * It exists because undici's general-purpose dispatch costs about twice autocannon's CPU per request
 * (bench/simulator.ts), which is what caps the number of agents one machine can simulate.
 *
 * Source addresses: a client talks to one (address, port), so it has one ephemeral port range
 * (ip_local_port_range, ~28 000 ports) of source ports per source address. Against a loopback target,
 * when the kernel has no free port (EADDRNOTAVAIL), new connections move to the next source address
 * 127.0.0.2, 127.0.0.3 … (all of 127/8 is loopback on Linux), so a run can hold more sockets than one
 * port range; beyond 127.0.0.254, or for a non-loopback target, the request fails with that code and
 * the transport reports the limit (transport.ts).
 *
 * Results are delivered to the same Exchange handlers as undici's (onResponseStart/Data/End/Error).
 */
import { connect, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { osqsimError, type OsqsimError } from '../../lib/errors.js';
import { KEEP_ALIVE_MS, REQUEST_HEADERS, type ClientOptions, type HttpClient } from './client.js';
import type { Exchange } from './exchange.js';

interface Pending {
  path: string;
  body: string;
  handler: Dispatcher.DispatchHandler;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** The request's method (the Exchange's; POST for handlers that do not say). A handler may carry its own `timeoutMs` too (Exchange). */
const methodOf = (request: Pending): string => (request.handler as { method?: string }).method ?? 'POST';
const NO_CONTROLLER = undefined as unknown as Dispatcher.DispatchController;

/**
 * A failed request as SIM_REQUEST_FAILED. `errno` is the code undici or Node's socket gives the same
 * failure, so classifyError (exchange.ts) counts it as undici's would: `UND_ERR_HEADERS_TIMEOUT` (no
 * response within the timeout), `UND_ERR_SOCKET` (the connection closed mid-request), `ECONNREFUSED`
 * (it closed before connecting), or the socket error's own code (`ECONNRESET` when it has none). The
 * error never leaves the worker: the recorder gets only its outcome.
 */
const requestFailed = (reason: string, errno: string): OsqsimError => osqsimError('SIM_REQUEST_FAILED', { reason, errno });

class Connection {
  private socket: Socket | undefined;
  private buffer: Buffer | undefined;
  private current: Pending | undefined;
  private connected = false;

  constructor(private readonly client: RawClient) {}

  get busy(): boolean {
    return this.current !== undefined;
  }

  send(request: Pending): void {
    this.current = request;
    const socket = this.socket ?? this.open();
    const method = methodOf(request);
    const body = method === 'POST' ? request.body : '';
    const length = Buffer.byteLength(body);
    socket.setTimeout((request.handler as { timeoutMs?: number }).timeoutMs ?? this.client.timeoutMs);
    const authorization = (request.handler as { authorization?: string }).authorization;
    const auth = authorization === undefined ? '' : `Authorization: ${authorization}\r\n`;
    socket.write(`${method} ${request.path} HTTP/1.1\r\nHost: ${this.client.hostHeader}\r\n${this.client.headerLines}${auth}Content-Length: ${length}\r\n\r\n${body}`);
  }

  private open(): Socket {
    const localAddress = this.client.localAddress;
    const socket = connect({ host: this.client.host, port: this.client.port, noDelay: true, ...(localAddress !== undefined ? { localAddress } : {}) });
    this.socket = socket;
    this.connected = false;
    socket.on('connect', () => (this.connected = true));
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
    });
    socket.on('timeout', () => {
      if (this.socket !== socket) return;
      // Idle past the keep-alive time: closed quietly (the next request opens a new socket); busy: a timeout.
      if (this.current) this.fail(requestFailed('request timed out', 'UND_ERR_HEADERS_TIMEOUT'));
      else this.close();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.socket !== socket) return;
      // connect() says EADDRNOTAVAIL when no port is free; bind() to an explicit source address says EADDRINUSE.
      const noPort = error.code === 'EADDRNOTAVAIL' || (error.code === 'EADDRINUSE' && localAddress !== undefined);
      if (noPort && !this.connected && this.current && this.client.nextSourceAddress(localAddress)) {
        // Out of ephemeral ports on this source address: the same request on a fresh socket from the next one.
        const request = this.current;
        this.socket = undefined;
        socket.destroy();
        this.send(request);
        return;
      }
      this.fail(requestFailed(noPort ? `${error.message} (no free ephemeral port: ${this.client.portAdvice()})` : error.message, noPort ? 'EADDRNOTAVAIL' : (error.code ?? 'ECONNRESET')));
    });
    socket.on('close', () => {
      if (this.socket === socket) this.fail(requestFailed(this.connected ? 'socket closed' : 'connection failed', this.connected ? 'UND_ERR_SOCKET' : 'ECONNREFUSED'));
    });
    return socket;
  }

  private fail(error: OsqsimError): void {
    const request = this.current;
    this.current = undefined;
    this.buffer = undefined;
    if (this.socket) {
      const socket = this.socket;
      this.socket = undefined;
      socket.destroy();
    }
    if (request) {
      request.handler.onResponseError?.(NO_CONTROLLER, error);
      this.client.release(this);
    }
  }

  private onData(chunk: Buffer): void {
    const data = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headerEnd = data.indexOf(CRLF2);
    if (headerEnd < 0) {
      this.buffer = data;
      return;
    }
    const head = data.toString('latin1', 0, headerEnd);
    const status = Number(head.slice(9, 12));
    const bodyStart = headerEnd + 4;
    let body: Buffer | undefined;
    let end = 0;
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (this.current !== undefined && methodOf(this.current) === 'HEAD') {
      // A HEAD response has no body whatever its Content-Length says (RFC 9110 §9.3.2).
      body = Buffer.alloc(0);
      end = bodyStart;
    } else if (lengthMatch) {
      end = bodyStart + Number(lengthMatch[1]);
      if (data.length < end) {
        this.buffer = data;
        return;
      }
      body = data.subarray(bodyStart, end);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = data.indexOf('\r\n', at);
        if (lineEnd < 0) {
          this.buffer = data;
          return;
        }
        const size = parseInt(data.toString('latin1', at, lineEnd), 16);
        if (size === 0) {
          const trailerEnd = data.indexOf(CRLF2, lineEnd);
          if (trailerEnd < 0 && data.length < lineEnd + 4) {
            this.buffer = data;
            return;
          }
          end = trailerEnd >= 0 ? trailerEnd + 4 : lineEnd + 4;
          break;
        }
        if (data.length < lineEnd + 2 + size + 2) {
          this.buffer = data;
          return;
        }
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = Buffer.alloc(0);
      end = bodyStart;
    }
    this.buffer = undefined;
    const request = this.current;
    this.current = undefined;
    this.socket?.setTimeout(this.client.keepAliveMs);
    if (/\r\nconnection:\s*close/i.test(head) && this.socket) {
      const socket = this.socket;
      this.socket = undefined;
      socket.destroy();
    }
    if (request) {
      const h = request.handler;
      h.onResponseStart?.(NO_CONTROLLER, status, {}, '');
      if (body.length > 0) h.onResponseData?.(NO_CONTROLLER, body);
      h.onResponseEnd?.(NO_CONTROLLER, {});
    }
    this.client.release(this);
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}

/** Loopback source addresses a client may spread its connections over (127.0.0.1 is the kernel's own choice). */
const LAST_SOURCE = 254;

/**
 * The raw client of one target: keep-alive connections opened on demand up to `connections`, and a
 * FIFO queue once that many are busy.
 */
export class RawClient implements HttpClient {
  readonly host: string;
  readonly port: number;
  readonly hostHeader: string;
  readonly headerLines: string;
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly maxConnections: number;
  private readonly loopback: boolean;
  /** 0: the kernel picks the source address; n ≥ 1: 127.0.0.(n + 1). */
  private source = 0;

  readonly timeoutMs: number;
  /** An idle socket is closed after this long (as undici's keepAliveTimeout), so a burst's extra sockets do not stay for the run. */
  readonly keepAliveMs: number;

  constructor(origin: string, options: ClientOptions) {
    const url = new URL(origin);
    if (url.protocol !== 'http:') throw osqsimError('SIM_NO_TARGET', { value: origin, reason: 'the raw transport speaks plain http:// only; use undici for https targets' });
    this.timeoutMs = options.timeoutMs;
    this.keepAliveMs = options.keepAliveMs ?? KEEP_ALIVE_MS;
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
    let lines = '';
    for (let i = 0; i + 1 < REQUEST_HEADERS.length; i += 2) lines += `${REQUEST_HEADERS[i]}: ${REQUEST_HEADERS[i + 1]}\r\n`;
    this.headerLines = lines;
    this.maxConnections = options.connections;
    this.loopback = /^127\.\d+\.\d+\.\d+$/.test(this.host) || this.host === 'localhost';
  }

  /** The source address for a new socket (undefined: the kernel's choice). */
  get localAddress(): string | undefined {
    return this.source === 0 ? undefined : `127.0.0.${this.source + 1}`;
  }

  /**
   * A socket from `failed` found no free port: new sockets use the next loopback source address.
   * False when there is none left (or the target is not on loopback). Several sockets failing on the
   * same address move the client on once.
   */
  nextSourceAddress(failed: string | undefined): boolean {
    if (!this.loopback) return false;
    if (failed !== this.localAddress) return true;
    if (this.source + 1 >= LAST_SOURCE) return false;
    this.source++;
    return true;
  }

  portAdvice(): string {
    return this.loopback
      ? `every source address 127.0.0.1–127.0.0.${LAST_SOURCE} is out of ephemeral ports (net.ipv4.ip_local_port_range); use a fixed pool (--connections <n>)`
      : `the ephemeral port range (net.ipv4.ip_local_port_range) to ${this.host}:${this.port} is used up; widen it, run shards on more machines, or use a fixed pool (--connections <n>)`;
  }

  dispatch(path: string, body: string, exchange: Exchange): void {
    let connection = this.idle.pop();
    if (!connection && this.all.length < this.maxConnections) {
      connection = new Connection(this);
      this.all.push(connection);
    }
    if (connection) connection.send({ path, body, handler: exchange });
    else this.queue.push({ path, body, handler: exchange });
  }

  release(connection: Connection): void {
    if (this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as Pending;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      connection.send(next);
    } else this.idle.push(connection);
  }

  async close(): Promise<void> {
    for (const c of this.all) c.close();
    this.queue.length = 0;
  }
}
