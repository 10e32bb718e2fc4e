/**
 * Orbit and device-token authentication, and the errors fleetd sees, as Fleet answers them:
 * - orbit node key (server/service/orbit.go `AuthenticateOrbitHost`, called by
 *   server/service/endpoint_middleware.go `authenticatedOrbitHost`): missing or unknown → 401
 *   `{"error": "authentication error: … orbit node key", "node_invalid": true}` (Fleet's osquery error
 *   type with nodeInvalid, encoded by server/service/transport_error.go); orbit re-enrolls on 401;
 * - device token (server/service/devices.go `AuthenticateDevice`, `deviceAuthTokenTTL = time.Hour`):
 *   unknown or older than an hour → 401 with Fleet's REST body ("Authentication required");
 * - enroll secret (server/service/orbit.go `EnrollOrbit` → `fleet.NewAuthFailedError("invalid secret")`):
 *   401 `{"message": "Authentication failed", …}`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { osqsimError, type OsqsimError } from '../../lib/errors.js';
import { fleetErrorAnswer, unauthorized } from '../api/errors.js';
import { toOsqsimError } from '../errors.js';

/** Fleet's deviceAuthTokenTTL (server/service/devices.go). */
export const DEVICE_AUTH_TOKEN_TTL_MS = 3_600_000;

/** Capabilities Fleet writes on orbit responses (server/fleet/capabilities.go); only those osqsim serves. */
export const ORBIT_CAPABILITIES = 'orbit_endpoints,token_rotation';

/** Fleet's AuthenticateOrbitHost on a host id looked up (through the cache) by orbit node key. */
export async function authenticateOrbitHost(
  orbitNodeKey: unknown,
  hostIdOf: (orbitNodeKey: string) => Promise<number | undefined>,
): Promise<number> {
  if (typeof orbitNodeKey !== 'string' || orbitNodeKey === '') {
    throw osqsimError('OSQ_NODE_INVALID', { reason: 'missing orbit node key' });
  }
  const hostId = await hostIdOf(orbitNodeKey);
  if (hostId === undefined) throw osqsimError('OSQ_NODE_INVALID', { reason: 'invalid orbit node key' });
  return hostId;
}

/**
 * Fleet's AuthenticateDevice: the token's host if the token was set within deviceAuthTokenTTL
 * (LoadHostByDeviceAuthToken's `updated_at >= NOW() - 3600 s`), else 401.
 */
export async function authenticateDevice(
  token: string,
  now: Date,
  tokenOf: (token: string) => Promise<{ hostId: number; updatedAt: number } | undefined>,
): Promise<number> {
  if (token === '') throw unauthorized();
  const found = await tokenOf(token);
  if (found === undefined || found.updatedAt < now.getTime() - DEVICE_AUTH_TOKEN_TTL_MS) throw unauthorized();
  return found.hostId;
}

/** The enroll-secret failure (Fleet's AuthFailedError): its own body, "Authentication failed". */
export function invalidEnrollSecret(): OsqsimError {
  return osqsimError('OSQ_ENROLL_FAILED', { reason: 'invalid secret' });
}

/** The orbit scope's error handler: node-key failures in osquery's shape, the rest in Fleet's REST shape. */
export function answerOrbitError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toOsqsimError(error, request);
  if (mapped.code === 'OSQ_NODE_INVALID') {
    void reply.code(401).send({ error: mapped.message, node_invalid: true });
    return;
  }
  if (mapped.code === 'OSQ_ENROLL_FAILED') {
    void reply.code(401).send({ message: 'Authentication failed', errors: [{ name: 'base', reason: 'Authentication failed' }] });
    return;
  }
  const answer = fleetErrorAnswer(mapped);
  if (answer.status >= 500) request.log.error({ err: error }, 'orbit request failed');
  void reply.code(answer.status).send(answer.body);
}
