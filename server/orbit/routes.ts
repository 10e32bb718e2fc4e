/**
 * The routes fleetd calls (server/service/handler.go, Fleet's `attachNewStyleFleetAPIRoutes`):
 * orbit's `POST /api/fleet/orbit/{enroll,config,device_token}` and `HEAD /api/fleet/orbit/ping`,
 * and Fleet Desktop's `GET /api/{latest,v1}/fleet/device/{token}/desktop`,
 * `HEAD /api/{latest,v1}/fleet/device/{token}/ping` and `HEAD /api/fleet/device/ping`. Orbit
 * routes authenticate by `orbit_node_key` in the body, device routes by the token in the path.
 * Each route's `config.endpoint` is its name in contract/vocabulary.ts ORBIT_ENDPOINTS (the
 * latency histogram in /metrics).
 */
import type { FastifyInstance } from 'fastify';
import type { OrbitEndpointName } from '../../contract/vocabulary.js';
import { badRequest } from '../api/errors.js';
import type { ServerContext, ServerPlugin } from '../context.js';
import type { OrbitHostIdentity } from '../store/store.js';
import { ORBIT_CAPABILITIES, answerOrbitError } from './auth.js';
import { type OrbitEnrollRequest, OrbitService } from './service.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Fleet serves the device routes under /api/_version_/fleet (latest and v1). */
const DEVICE_PREFIXES: readonly string[] = ['/api/latest/fleet/device', '/api/v1/fleet/device'];

const route = (endpoint: OrbitEndpointName) => ({ config: { endpoint } });

function asBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** A string field, '' when absent; another JSON type is a 400 (Go's decoder refuses it). */
function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw badRequest(`json: cannot unmarshal ${typeof value} into field ${name} of type string`);
  return value;
}

/** Fleet's enrollOrbitRequest (server/service/orbit.go). */
export function parseOrbitEnroll(raw: unknown): OrbitEnrollRequest {
  const body = asBody(raw);
  const identity: OrbitHostIdentity = {
    hardwareUuid: stringField(body, 'hardware_uuid'),
    hardwareSerial: stringField(body, 'hardware_serial'),
    hostname: stringField(body, 'hostname'),
    platform: stringField(body, 'platform'),
    osqueryIdentifier: stringField(body, 'osquery_identifier'),
    computerName: stringField(body, 'computer_name'),
    hardwareModel: stringField(body, 'hardware_model'),
  };
  stringField(body, 'platform_like');
  const enrollSecret = stringField(body, 'enroll_secret');
  // osqsim's guard: with neither, the host would have no identity to be matched by later.
  if (identity.hardwareUuid === '' && identity.osqueryIdentifier === '') {
    throw badRequest('hardware_uuid or osquery_identifier is required');
  }
  return { enrollSecret, identity };
}

export const plugin: ServerPlugin = async (app: FastifyInstance, context: ServerContext) => {
  const service = new OrbitService(context);
  await app.register(async (scope) => {
    scope.setErrorHandler(answerOrbitError);

    // Unauthenticated (orbitNoAuth). The secret is checked before any identity field is used.
    scope.post('/api/fleet/orbit/enroll', route('orbit_enroll'), async (request, reply) => {
      const orbitNodeKey = await service.enroll(parseOrbitEnroll(request.body));
      return reply.type(JSON_TYPE).send({ orbit_node_key: orbitNodeKey });
    });

    scope.post('/api/fleet/orbit/config', route('orbit_config'), async (request, reply) => {
      await service.authenticate(asBody(request.body)['orbit_node_key']);
      return reply.header('X-Fleet-Capabilities', ORBIT_CAPABILITIES).type(JSON_TYPE).send(service.config());
    });

    scope.post('/api/fleet/orbit/device_token', route('orbit_device_token'), async (request, reply) => {
      const body = asBody(request.body);
      const hostId = await service.authenticate(body['orbit_node_key']);
      await service.setDeviceToken(hostId, body['device_auth_token']);
      return reply.header('X-Fleet-Capabilities', ORBIT_CAPABILITIES).type(JSON_TYPE).send({});
    });

    // Fleet's orbitPingEndpoint / DisableAuthForPing: no auth, no store work, the capabilities header.
    scope.head('/api/fleet/orbit/ping', route('orbit_ping'), async (_request, reply) =>
      reply.header('X-Fleet-Capabilities', ORBIT_CAPABILITIES).code(200).send(),
    );

    // Fleet Desktop's connectivity ping: no auth, no store work.
    scope.head('/api/fleet/device/ping', route('device_ping'), async (_request, reply) => reply.code(200).send());

    for (const prefix of DEVICE_PREFIXES) {
      // Fleet's deviceAuthPingEndpoint: device auth, then an empty 200 (orbit's CheckToken).
      scope.head<{ Params: { token: string } }>(`${prefix}/:token/ping`, route('device_token_ping'), async (request, reply) => {
        await service.authenticateDevice(request.params.token);
        return reply.code(200).send();
      });

      scope.get<{ Params: { token: string } }>(`${prefix}/:token/desktop`, route('desktop'), async (request, reply) => {
        const hostId = await service.authenticateDevice(request.params.token);
        return reply.type(JSON_TYPE).send(await service.desktopSummary(hostId));
      });
    }
  });
};
