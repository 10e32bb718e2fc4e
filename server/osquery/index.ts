/**
 * The osquery TLS remote API plugin: POST /api/osquery/{enroll,config,distributed/read,
 * distributed/write,log} and the permanent /api/v1/osquery/… aliases (reference §1.1). Errors are
 * answered in osquery's shape by the app's error handler (server/app.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext, ServerPlugin } from '../context.js';
import { asObject, nodeKeyOf, parseEnrollRequest, parseLogRequest, parseWriteRequest } from './requests.js';
import type { CachedHost } from './host-cache.js';
import { EMPTY_READ_BODY, OsqueryService } from './service.js';

export const OSQUERY_PREFIXES: readonly string[] = ['/api/osquery', '/api/v1/osquery'];
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Route config read by the app's latency histogram (osqsim_http_request_duration_seconds{endpoint}). */
export interface EndpointConfig {
  readonly endpoint: string;
}

export const plugin: ServerPlugin = (app: FastifyInstance, context: ServerContext) => {
  const service = new OsqueryService(context);
  context.jobs.push(service.ingest, service.results, service.lastSeen, service.feed);
  const { writeBodyLimitBytes, logBodyLimitBytes } = context.options;

  /** distributed/read off the fast path: a host to load by node key (or already cached), then its due queries. */
  const answerRead = async (hostOrKey: CachedHost | string | undefined, reply: FastifyReply): Promise<FastifyReply> => {
    const host = typeof hostOrKey === 'object' ? hostOrKey : await service.authenticate(hostOrKey);
    const due = await service.read(host);
    return reply.type(JSON_CONTENT_TYPE).send(due === undefined ? EMPTY_READ_BODY : JSON.stringify(due));
  };

  for (const prefix of OSQUERY_PREFIXES) {
    app.post(`${prefix}/enroll`, { config: { endpoint: 'enroll' } }, async (request, reply) => {
      const nodeKey = await service.enroll(parseEnrollRequest(request.body));
      return reply.type(JSON_CONTENT_TYPE).send({ node_key: nodeKey });
    });

    app.post(`${prefix}/config`, { config: { endpoint: 'config' } }, async (request, reply) => {
      const body = asObject(request.body);
      const host = await service.authenticate(nodeKeyOf(body));
      return reply.type(JSON_CONTENT_TYPE).send(await service.config(host));
    });

    // The most frequent request of a fleet (≈ 99.7 % of reads are idle): a cached host with nothing
    // due is answered synchronously with the precomputed idle body — no promise, no await, and the
    // reply is not returned (fastify would wrap a returned reply as a thenable). Anything else takes
    // the async path: load the host (or 401), then read().
    app.post(`${prefix}/distributed/read`, { config: { endpoint: 'read' } }, (request, reply) => {
      const nodeKey = nodeKeyOf(asObject(request.body));
      const host = service.cachedHost(nodeKey);
      if (host !== undefined && service.idleNow(host)) {
        reply.type(JSON_CONTENT_TYPE).send(EMPTY_READ_BODY);
        return;
      }
      return answerRead(host ?? nodeKey, reply);
    });

    app.post(
      `${prefix}/distributed/write`,
      { bodyLimit: writeBodyLimitBytes, config: { endpoint: 'write' } },
      async (request, reply) => {
        const body = asObject(request.body);
        const write = parseWriteRequest(body);
        const host = await service.authenticate(nodeKeyOf(body));
        // The client address becomes hosts.public_ip (Fleet: publicip.FromContext in ingestNetworkInterface).
        await service.write(host, write, request.ip);
        return reply.type(JSON_CONTENT_TYPE).send('{}');
      },
    );

    app.post(`${prefix}/log`, { bodyLimit: logBodyLimitBytes, config: { endpoint: 'log' } }, async (request, reply) => {
      const body = asObject(request.body);
      const log = parseLogRequest(body);
      // Node key first, then log_type, in Fleet's order (see OsqueryService.log).
      const host = await service.authenticate(nodeKeyOf(body));
      await service.log(host, log);
      return reply.type(JSON_CONTENT_TYPE).send('{}');
    });
  }
};

export { OsqueryService };
