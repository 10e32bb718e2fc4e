/**
 * buildServer: one osqsim server instance — store, context, the plugins of server/plugins.ts, the
 * JSON error handling every route shares, /metrics, and a graceful close. No globals: tests build
 * as many as they like.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { ERRORS, osqsimError, type ErrorCode, type OsqsimError } from '../lib/errors.js';
import { createLogger } from '../lib/log.js';
import type { ServerContext } from './context.js';
import { ServerEvents } from './events.js';
import { MetricsRegistry, type Histogram, type HistogramChild } from './metrics.js';
import type { ServerOptions } from './options/options.js';
import { bearerChecker, apiTokenOf } from './api/auth.js';
import { answersInFleetShape, isOsqueryRoute, toOsqsimError } from './errors.js';
import { fleetErrorAnswer } from './api/errors.js';
import { StoreFaults, withFaults } from './faults.js';
import { applyPolicyFile, teamIdForName } from './policies/apply.js';
import { SERVED_KINDS } from './policies/fleetctl-yaml.js';
import { SERVER_PLUGINS } from './plugins.js';
import { resolveServerOptions } from './options/resolve.js';
import { createStore } from './store/index.js';
import { loadTlsFiles, type TlsMaterial } from './tls/certificates.js';
import type { Store } from './store/store.js';

export type BuildServerOptions = Omit<Partial<ServerOptions>, 'store'> & {
  /** A store spec ('memory', mysql://…) or an open Store to use. */
  store?: string | Store;
  /** Close the store on close() (default true). */
  closeStore?: boolean;
  /** Clock for tests. */
  now?: () => Date;
};

export interface OsqsimServer {
  readonly app: FastifyInstance;
  readonly context: ServerContext;
  /** Store fault injection (the harness's store_unavailable event). */
  readonly faults: StoreFaults;
  /** Listens on options.host:port, starts background jobs, resolves with the URL. */
  listen(): Promise<string>;
  /** Drains in-flight requests, stops jobs (flushing ingest and last-seen), closes the store. */
  close(): Promise<void>;
}

const NODE_INVALID_CODES: ReadonlySet<ErrorCode> = new Set(['OSQ_NODE_INVALID', 'OSQ_ENROLL_FAILED']);

/** The JSON body for an error: osquery's shape on osquery routes, osqsim's elsewhere (the REST API writes Fleet's, server/api/errors.ts). */
export function errorBody(error: OsqsimError, url: string): Record<string, unknown> {
  if (isOsqueryRoute(url)) {
    return NODE_INVALID_CODES.has(error.code) ? { error: error.message, node_invalid: true } : { error: error.message };
  }
  return { error: error.message, code: error.code, hint: error.hint };
}

function statusOf(error: OsqsimError): number {
  const status = ERRORS[error.code].status;
  return status >= 400 ? status : 500;
}

async function createContext(
  input: BuildServerOptions,
  faults: StoreFaults,
): Promise<{ context: ServerContext; ownsStore: boolean; rawStore: Store }> {
  const { store: storeInput, now, closeStore, ...rest } = input;
  const specOrDefault = typeof storeInput === 'string' ? storeInput : undefined;
  const options = resolveServerOptions({ ...rest, ...(specOrDefault !== undefined ? { store: specOrDefault } : {}) });
  const rawStore = typeof storeInput === 'object' ? storeInput : await createStore(options.store, { ingestPoolSize: options.ingestPoolSize });
  const store = withFaults(rawStore, faults);
  const log = createLogger(options.logLevel, 'osqsim-server');
  const context: ServerContext = {
    options,
    store,
    log,
    metrics: new MetricsRegistry(),
    events: new ServerEvents(),
    instanceId: randomUUID(),
    counts: { readCounts: (policyIds) => store.readPolicyCounts(policyIds) },
    jobs: [],
    now: now ?? (() => new Date()),
  };
  return { context, ownsStore: closeStore ?? true, rawStore };
}

/** Start-up state: enroll secrets (teams created on demand) and the --policies file. */
async function applyStartupState(context: ServerContext): Promise<void> {
  const { options, store, events, log } = context;
  for (const { secret, team } of options.enrollSecrets) {
    const teamId = team === undefined ? null : await teamIdForName(store, team, true);
    await store.ensureEnrollSecret(secret, teamId);
  }
  if (options.policiesFile !== undefined) {
    const outcome = await applyPolicyFile(store, options.policiesFile, { createTeams: true, events });
    log.info(
      {
        file: options.policiesFile,
        created: outcome.created.length,
        updated: outcome.updated.length,
        reportsCreated: outcome.queriesCreated.length,
        reportsUpdated: outcome.queriesUpdated.length,
        notices: outcome.notices,
      },
      'policies and reports applied',
    );
    // Documents of kinds osqsim does not serve are never dropped silently (issue 14 item 5).
    if (outcome.skipped.length > 0) log.warn({ file: options.policiesFile, skipped: outcome.skipped }, `not applied: kinds osqsim does not serve (it applies ${SERVED_KINDS.join(', ')})`);
  }
}

/**
 * Errors of fastify's router (a path segment that is not valid percent-encoding, FST_ERR_BAD_URL; a
 * segment over maxParamLength, FST_ERR_MAX_PARAM_LENGTH) never reach a route's error handler: without
 * this they were answered in fastify's own body shape, not Fleet's or osquery's (found by fuzzing,
 * docs/RELIABILITY.md "Fuzzing"). Both are the client's mistake: 400 in the route family's shape.
 */
function frameworkErrorHandler(context: ServerContext): FastifyServerOptions['frameworkErrors'] {
  const errors = context.metrics.counter('osqsim_http_errors_total', 'Error answers by code');
  const handler = (error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const mapped = toOsqsimError(error, request);
    errors.inc({ code: mapped.code });
    if (answersInFleetShape(request.url)) {
      const answer = fleetErrorAnswer(mapped);
      return reply.status(answer.status).type('application/json; charset=utf-8').send(answer.body);
    }
    return reply.status(statusOf(mapped)).type('application/json; charset=utf-8').send(errorBody(mapped, request.url));
  };
  return handler as FastifyServerOptions['frameworkErrors'];
}

function installErrorHandling(app: FastifyInstance, context: ServerContext, latency: Histogram): void {
  const errors = context.metrics.counter('osqsim_http_errors_total', 'Error answers by code');
  let lastUnavailableLog = 0;
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toOsqsimError(error, request);
    const status = statusOf(mapped);
    errors.inc({ code: mapped.code });
    if (mapped.code === 'STORE_UNAVAILABLE') {
      const now = Date.now();
      if (now - lastUnavailableLog > 5_000) {
        lastUnavailableLog = now;
        context.log.warn({ err: mapped }, 'store unavailable; answering 503');
      }
    } else if (status >= 500) {
      context.log.error({ err: error, url: request.url }, 'request failed');
    }
    return reply.status(status).type('application/json; charset=utf-8').send(errorBody(mapped, request.url));
  });
  app.setNotFoundHandler((request, reply) => {
    const mapped = osqsimError('HTTP_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
    errors.inc({ code: mapped.code });
    latency.observe(reply.elapsedTime / 1000, { endpoint: 'unmatched' }); // up to the answer: a 404 has no route-level hook
    return reply.status(404).type('application/json; charset=utf-8').send(errorBody(mapped, request.url));
  });
}

/**
 * Latency per endpoint, observed by a route-level onResponse hook added to every route as it is
 * registered (onRoute), with the histogram child resolved once: a global hook would read
 * request.routeOptions, which fastify builds as a new object on every request. Unmatched requests
 * have no route; the not-found handler observes them (see installErrorHandling).
 */
function installRequestMetrics(app: FastifyInstance, latency: Histogram): void {
  app.addHook('onRoute', (route) => {
    const endpoint = (route.config as { endpoint?: string } | undefined)?.endpoint ?? route.url;
    let child: HistogramChild | undefined; // created at first use: /metrics lists the endpoints that were called
    const observe = (_request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      child ??= latency.child({ endpoint });
      child.observe(reply.elapsedTime / 1000);
      done();
    };
    const existing = route.onResponse;
    route.onResponse = existing === undefined ? [observe] : [...(Array.isArray(existing) ? existing : [existing]), observe];
  });
}

/** POST /api/v1/osqsim/faults {"store_unavailable_ms": N} with the REST API's bearer token. */
function installFaultRoute(app: FastifyInstance, context: ServerContext, faults: StoreFaults): void {
  const token = apiTokenOf(context) ?? context.options.apiToken;
  if (token === undefined) return;
  const authorized = bearerChecker(token);
  app.post('/api/v1/osqsim/faults', { config: { endpoint: 'faults' } }, async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      throw osqsimError('HTTP_UNAUTHORIZED');
    }
    const body = request.body as { store_unavailable_ms?: unknown } | undefined;
    const ms = body?.store_unavailable_ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw osqsimError('HTTP_BAD_REQUEST', { reason: 'store_unavailable_ms must be a number ≥ 0' });
    }
    faults.setStoreUnavailable(ms);
    context.log.warn({ ms }, ms > 0 ? 'fault injected: store unavailable' : 'store fault cleared');
    return {};
  });
}

export async function buildServer(input: BuildServerOptions = {}): Promise<OsqsimServer> {
  const faults = new StoreFaults();
  const { context, ownsStore, rawStore } = await createContext(input, faults);
  const { options } = context;
  const store = rawStore;
  let https: TlsMaterial | undefined;
  try {
    // Checked before listening: a bad certificate is an error at start, not a failed handshake per agent.
    https = options.tlsCertFile === undefined ? undefined : loadTlsFiles({ certFile: options.tlsCertFile, keyFile: options.tlsKeyFile! });
  } catch (error) {
    if (ownsStore) await store.close().catch(() => undefined);
    throw error;
  }
  // An https server's instance type differs only in its raw server; every route is the same.
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorHandler(context),
    ...(https === undefined ? {} : { https }),
  }) as unknown as FastifyInstance;
  try {
    const latency = context.metrics.histogram('osqsim_http_request_duration_seconds', 'Request latency by endpoint');
    installErrorHandling(app, context, latency);
    installRequestMetrics(app, latency);
    app.get('/metrics', { config: { endpoint: 'metrics' } }, (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(context.metrics.render()),
    );
    app.get('/healthz', { config: { endpoint: 'healthz' } }, async () => {
      await context.store.ping();
      return { status: 'ok', store: store.kind };
    });
    await applyStartupState(context);
    for (const load of SERVER_PLUGINS) {
      const { plugin } = await load();
      await plugin(app, context);
    }
    installFaultRoute(app, context, faults);
    await app.ready();
  } catch (error) {
    await app.close().catch(() => undefined);
    if (ownsStore) await store.close().catch(() => undefined);
    throw error;
  }

  let started = false;
  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    faults,
    async listen() {
      const address = await app.listen({ host: options.host, port: options.port });
      if (!started) {
        started = true;
        for (const job of context.jobs) job.start();
      }
      return address;
    },
    close() {
      closing ??= (async () => {
        await app.close();
        for (const job of [...context.jobs].reverse()) {
          try {
            await job.stop();
          } catch (error) {
            context.log.error({ err: error, job: job.name }, 'background job failed to stop cleanly');
          }
        }
        if (ownsStore) await store.close();
      })();
      return closing;
    },
  };
}
