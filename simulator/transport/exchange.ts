/**
 * One request/response as both HTTP clients deliver it: the Exchange handler (undici's
 * DispatchHandler interface, which the raw client calls too) and how its end becomes an outcome.
 */
import { isOsqsimError } from '../../lib/errors.js';
import type { Dispatcher } from 'undici';
import { nowMs } from '../clock.js';
import { OUTCOME_INDEX } from '../recorder.js';

/** `outcome` is an index in OUTCOMES; `status` is 0 when the request failed before a response (the outcome says how). */
export type ResponseCallback = (outcome: number, status: number, body: string, doneMs: number) => void;

/**
 * A failure's outcome, by the error's `code`: undici's (or Node's socket) codes, which the raw
 * client's errors carry too, so both transports count the same failure the same way.
 */
export function classifyError(error: unknown): number {
  const code = errorCode(error);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return OUTCOME_INDEX.timeout;
  return OUTCOME_INDEX.connect;
}

export function classifyStatus(status: number): number {
  if (status >= 200 && status < 300) return OUTCOME_INDEX['2xx'];
  if (status >= 500) return OUTCOME_INDEX['5xx'];
  return OUTCOME_INDEX['4xx'];
}

/** Who handed the request on and must hear that it is over (the transport's per-target slots). */
export interface ExchangeOwner {
  /** Over; `errno` is the failure's code (undefined after a response), so the owner can see OS limits. */
  finished(target: number, errno?: string): void;
}

/** The code a failure carries: undici's or Node's `code`, or the raw client's params.errno. */
export function errorCode(error: unknown): string {
  return isOsqsimError(error, 'SIM_REQUEST_FAILED') ? String(error.params['errno']) : ((error as { code?: string } | null)?.code ?? '');
}

/**
 * One request/response. Subclasses carry their own context as fields and implement `complete`, so a
 * request allocates one object here (no closures) on top of what undici allocates.
 */
export abstract class Exchange implements Dispatcher.DispatchHandler {
  transport: ExchangeOwner | undefined;
  target = 0;
  /** `Authorization` header value of this request (osquery's `NodeKey <key>`), sent when set. */
  authorization: string | undefined = undefined;
  /** When the transport took the request (ms on nowMs's clock); the client queue runs from here to its hand-off to the HTTP client. */
  postedMs = 0;
  /** HTTP method: osquery only POSTs; fleetd also sends HEAD and GET (Fleet Desktop's device routes). */
  method: 'POST' | 'GET' | 'HEAD' = 'POST';
  /**
   * This request's timeout (ms) when it is not the transport's (osquery's `request_timeout`): fleetd's
   * Go clients time out after 60 s (simulator/orbit/timings.ts FLEETD_HTTP_TIMEOUT_MS).
   */
  timeoutMs: number | undefined = undefined;
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
    if (this.transport) this.transport.finished(this.target, errorCode(error));
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
