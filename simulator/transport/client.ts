/**
 * What the transport needs from an HTTP client of one target (undici.ts or raw.ts): send a POST and
 * report it to its Exchange, and close.
 */
import type { Exchange } from './exchange.js';

export interface HttpClient {
  /** POST `body` to `path`; the outcome goes to `exchange` (never thrown). */
  dispatch(path: string, body: string, exchange: Exchange): void;
  close(): Promise<void>;
}

export interface ClientOptions {
  /** Keep-alive connections to the target. */
  connections: number;
  timeoutMs: number;
  /** Close a connection idle this long (default 60 s in both clients). */
  keepAliveMs?: number;
  /** Skip TLS certificate verification (self-signed Fleet dev/test servers, as osquery-perf does). */
  insecure: boolean;
  /** PEM CA certificates trusted for https (replacing the system's roots), e.g. a self-signed osqsim server's ca.pem. */
  ca?: string;
}

/** How long an idle connection stays open in both clients (undici's keepAliveTimeout, the raw client's idle timer). */
export const KEEP_ALIVE_MS = 60_000;

/** Request headers as name, value pairs (undici's flat form): osquery's content type and a user agent naming osqsim. */
export const REQUEST_HEADERS: readonly string[] = ['content-type', 'application/json', 'user-agent', 'osquery/5.12.1 (osqsim)'];
