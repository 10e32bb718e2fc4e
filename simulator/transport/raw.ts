/**
 * A minimal HTTP/1.1 keep-alive client for the simulator's hot path (`transport: raw`): POST with a
 * JSON body, responses with Content-Length or chunked encoding, one request per connection at a
 * time, a FIFO queue when every connection is busy, per-request timeout. It exists because undici's
 * general-purpose dispatch costs about twice autocannon's CPU per request (bench/simulator.ts), which
 * is what caps the number of agents one machine can simulate. undici stays the default transport.
 *
 * Results are delivered to the same Exchange handlers as undici's (onResponseStart/Data/End/Error).
 */
import { connect, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { osqsimError, type OsqsimError } from '../../lib/errors.js';
import { REQUEST_HEADERS, type ClientOptions, type HttpClient } from './client.js';
import type { Exchange } from './exchange.js';

interface Pending {
  path: string;
  body: string;
  handler: Dispatcher.DispatchHandler;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** The request's method (the Exchange's; POST for handlers that do not say). */
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
    socket.setTimeout(this.client.timeoutMs);
    const authorization = (request.handler as { authorization?: string }).authorization;
    const auth = authorization === undefined ? '' : `Authorization: ${authorization}\r\n`;
    socket.write(`${method} ${request.path} HTTP/1.1\r\nHost: ${this.client.hostHeader}\r\n${this.client.headerLines}${auth}Content-Length: ${length}\r\n\r\n${body}`);
  }

  private open(): Socket {
    const socket = connect({ host: this.client.host, port: this.client.port, noDelay: true });
    this.socket = socket;
    this.connected = false;
    socket.on('connect', () => (this.connected = true));
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
    });
    socket.on('timeout', () => {
      if (this.socket === socket) this.fail(requestFailed('request timed out', 'UND_ERR_HEADERS_TIMEOUT'));
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.socket === socket) this.fail(requestFailed(error.message, error.code ?? 'ECONNRESET'));
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
    this.socket?.setTimeout(0);
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

/** The raw client of one target: `connections` keep-alive sockets and a FIFO queue when all are busy. */
export class RawClient implements HttpClient {
  readonly host: string;
  readonly port: number;
  readonly hostHeader: string;
  readonly headerLines: string;
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly queue: Pending[] = [];
  private queueHead = 0;

  readonly timeoutMs: number;

  constructor(origin: string, options: ClientOptions) {
    const url = new URL(origin);
    if (url.protocol !== 'http:') throw osqsimError('SIM_NO_TARGET', { value: origin, reason: 'the raw transport speaks plain http:// only; use undici for https targets' });
    this.timeoutMs = options.timeoutMs;
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
    let lines = '';
    for (let i = 0; i + 1 < REQUEST_HEADERS.length; i += 2) lines += `${REQUEST_HEADERS[i]}: ${REQUEST_HEADERS[i + 1]}\r\n`;
    this.headerLines = lines;
    for (let i = 0; i < options.connections; i++) {
      const c = new Connection(this);
      this.all.push(c);
      this.idle.push(c);
    }
  }

  dispatch(path: string, body: string, exchange: Exchange): void {
    const connection = this.idle.pop();
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
