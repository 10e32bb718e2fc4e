/**
 * The default HTTP client: one undici Pool per target (keep-alive, no pipelining), driven through
 * `dispatch` with the Exchange as handler: no streams and no promise per request.
 */
import { type Dispatcher, Pool } from 'undici';
import type { ClientOptions, HttpClient } from './client.js';
import { KEEP_ALIVE_MS, REQUEST_HEADERS } from './client.js';
import type { Exchange } from './exchange.js';

/** undici's `connect` TLS options: --insecure skips verification, --ca trusts the given CA. */
function tlsConnectOptions(options: ClientOptions): { rejectUnauthorized?: boolean; ca?: string } {
  return { ...(options.insecure ? { rejectUnauthorized: false } : {}), ...(options.ca !== undefined ? { ca: options.ca } : {}) };
}

export class UndiciClient implements HttpClient {
  private readonly pool: Pool;
  private readonly headers = [...REQUEST_HEADERS];

  constructor(origin: string, options: ClientOptions) {
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveMs ?? KEEP_ALIVE_MS,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
      ...(options.insecure || options.ca !== undefined ? { connect: tlsConnectOptions(options) } : {}),
    });
  }

  dispatch(path: string, body: string, exchange: Exchange): void {
    try {
      const headers = exchange.authorization === undefined ? this.headers : [...this.headers, 'authorization', exchange.authorization];
      const method = exchange.method;
      const options: Dispatcher.DispatchOptions = method === 'POST' ? { path, method, headers, body } : { path, method, headers };
      if (exchange.timeoutMs !== undefined) {
        options.headersTimeout = exchange.timeoutMs;
        options.bodyTimeout = exchange.timeoutMs;
      }
      this.pool.dispatch(options, exchange);
    } catch (error) {
      exchange.onResponseError(undefined, error as Error);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
  }
}
