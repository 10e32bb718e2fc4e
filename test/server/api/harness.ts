/**
 * A listening server with only the REST API plugin on a given store, for the API tests: a bare
 * fastify app and a hand-built ServerContext (the full buildServer adds the osquery routes, which
 * these tests do not need). The clean-up job is started like the server starts jobs.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { ServerContext } from '../../../server/context.js';
import { ServerEvents } from '../../../server/events.js';
import { MetricsRegistry } from '../../../server/metrics.js';
import type { ServerOptions } from '../../../server/options/options.js';
import { DEFAULT_SERVER_OPTIONS } from '../../../server/options/schema.js';
import { createStore } from '../../../server/store/index.js';
import type { Store } from '../../../server/store/store.js';
import { cleanupJobOf, registerRestApi, type RestApiOptions } from '../../../server/api/index.js';
import type { MembershipCleanupJob } from '../../../server/api/cleanup-job.js';

export const TOKEN = 'test-token-0123456789';

export interface ApiHarness {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  readonly store: Store;
  readonly url: string;
  readonly cleanup: MembershipCleanupJob;
  /** fetch against the API with the bearer token; JSON body in, parsed JSON out. */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startApi(
  storeSpec: string,
  overrides: Partial<ServerOptions> = {},
  apiOptions: RestApiOptions = {},
): Promise<ApiHarness> {
  const store = await createStore(storeSpec);
  const options: ServerOptions = Object.freeze({ ...DEFAULT_SERVER_OPTIONS, store: storeSpec, apiToken: TOKEN, logLevel: 'silent', ...overrides });
  const context: ServerContext = {
    options,
    store,
    log: pino({ level: 'silent' }),
    metrics: new MetricsRegistry(),
    events: new ServerEvents(),
    instanceId: 'test',
    counts: { readCounts: (ids) => store.readPolicyCounts(ids) },
    jobs: [],
    now: () => new Date(),
  };
  const app = Fastify({ logger: false });
  await registerRestApi(app, context, apiOptions);
  await app.listen({ host: '127.0.0.1', port: 0 });
  for (const job of context.jobs) job.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    context,
    store,
    url,
    cleanup: cleanupJobOf(context)!,
    async call(method, path, body, token = TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers['authorization'] = `Bearer ${token}`;
      let payload: string | undefined;
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const response = await fetch(url + path, { method, headers, body: payload });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      for (const job of context.jobs) await job.stop();
      await app.close();
      await store.close();
    },
  };
}
