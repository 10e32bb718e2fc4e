/**
 * Whatever a route or fastify throws, as a catalogue error (lib/errors.ts): the one place fastify's
 * own errors (FST_ERR_CTP_* from the body parsers, schema validation, other 4xx) are read. server/
 * app.ts answers with it in osquery's or osqsim's shape, the REST API in Fleet's (server/api/errors.ts).
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import { isOsqsimError, osqsimError, type OsqsimError } from '../lib/errors.js';

const OSQUERY_ROUTE = /^\/api\/(v1\/)?osquery\//;

export function isOsqueryRoute(url: string): boolean {
  return OSQUERY_ROUTE.test(url);
}

/** Routes that answer errors in Fleet's body shape: the REST API, osqsim's REST routes, orbit and device routes. */
const FLEET_SHAPED_ROUTE = /^\/api\/((v1|2022-04|latest)\/(fleet|osqsim)|fleet)\//;

export function answersInFleetShape(url: string): boolean {
  return FLEET_SHAPED_ROUTE.test(url);
}

/** Maps anything a route or fastify can throw onto a catalogue error. */
export function toOsqsimError(error: unknown, request: FastifyRequest): OsqsimError {
  if (isOsqsimError(error)) return error as OsqsimError;
  const fastifyError = error as Partial<FastifyError> & { message?: string };
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return osqsimError('HTTP_BODY_TOO_LARGE', { limit: request.routeOptions.bodyLimit ?? 'the' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return osqsimError('HTTP_MALFORMED_JSON', { reason: fastifyError.message ?? 'unparseable' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return osqsimError('HTTP_UNSUPPORTED_MEDIA_TYPE', { contentType: request.headers['content-type'] ?? '(none)' });
    default:
      break;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return osqsimError('HTTP_MALFORMED_JSON', { reason: error.message });
  }
  if (fastifyError.validation !== undefined) {
    return osqsimError(isOsqueryRoute(request.url) ? 'OSQ_BAD_REQUEST' : 'HTTP_BAD_REQUEST', { reason: fastifyError.message });
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return osqsimError('HTTP_BAD_REQUEST', { reason: fastifyError.message ?? 'bad request' });
  }
  return osqsimError('INTERNAL', { reason: fastifyError.message ?? String(error) }, error);
}
