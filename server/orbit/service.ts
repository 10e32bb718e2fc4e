/**
 * What Fleet's service does for each orbit and Fleet Desktop request (server/service/orbit.go,
 * server/service/devices.go, ee/server/service/devices.go), on osqsim's store.
 */
import { badRequest } from '../api/errors.js';
import type { ServerContext } from '../context.js';
import { newNodeKey } from '../osquery/service.js';
import type { Host, OrbitHostIdentity } from '../store/store.js';
import { authenticateDevice, authenticateOrbitHost, invalidEnrollSecret } from './auth.js';

/** Fleet's default `server_settings.scripts_execution_timeout` (seconds). */
export const SCRIPT_EXECUTION_TIMEOUT_S = 300;

export interface OrbitEnrollRequest {
  readonly enrollSecret: string;
  readonly identity: OrbitHostIdentity;
}

/** Go's url.PathEscape leaves these unescaped: Fleet accepts a device token only if escaping would not change it. */
const PATH_SAFE = /^[A-Za-z0-9\-_.~$&+:=@]+$/;

export class OrbitService {
  constructor(private readonly context: ServerContext) {}

  /**
   * Fleet's EnrollOrbit (server/service/orbit.go): the secret must exist (else 401 "invalid
   * secret"), the key is GenerateRandomText(24) (32 base64 characters), the host is matched or
   * created in one transaction (store.enrollOrbit). Fleet also logs a fleet_enrolled activity; osqsim
   * keeps no activity log.
   */
  async enroll(request: OrbitEnrollRequest): Promise<string> {
    const { store } = this.context;
    const secret = request.enrollSecret === '' ? undefined : await store.findEnrollSecret(request.enrollSecret);
    if (secret === undefined) throw invalidEnrollSecret();
    const orbitNodeKey = newNodeKey();
    await store.enrollOrbit(request.identity, orbitNodeKey, secret.teamId, this.context.now());
    return orbitNodeKey;
  }

  authenticate(orbitNodeKey: unknown): Promise<Host> {
    return authenticateOrbitHost(this.context.store, orbitNodeKey);
  }

  /**
   * Fleet's GetOrbitConfig (server/service/orbit.go) for a host with no MDM, scripts, installs or
   * agent-option overrides: `fleet.OrbitConfig` with every omitempty field left out, so the body is
   * the script timeout and empty notifications.
   */
  config(_host: Host): Record<string, unknown> {
    return { script_execution_timeout: SCRIPT_EXECUTION_TIMEOUT_S, notifications: {} };
  }

  /**
   * Fleet's SetOrUpdateDeviceAuthToken (server/service/devices.go): empty or not URL-safe → 400;
   * another host's token → 409; otherwise one upsert.
   */
  async setDeviceToken(host: Host, token: unknown): Promise<void> {
    if (typeof token !== 'string' || token === '') throw badRequest('device auth token cannot be empty');
    if (!PATH_SAFE.test(token)) throw badRequest('device auth token contains invalid characters');
    await this.context.store.setDeviceAuthToken(host.id, token, this.context.now());
  }

  authenticateDevice(token: string): Promise<Host> {
    return authenticateDevice(this.context.store, token, this.context.now());
  }

  /**
   * Fleet Desktop's summary (ee/server/service/devices.go `GetFleetDesktopSummary`): the host's
   * failing policies (FailingPoliciesCount), no self-service software, no MDM notifications, and the
   * org info of a default app config. Fleet Free answers 402 instead; osqsim answers as Premium.
   */
  async desktopSummary(host: Host): Promise<Record<string, unknown>> {
    const rows = await this.context.store.hostMembership(host.id);
    const failing = rows.filter((row) => row.passes === false).length;
    return {
      failing_policies_count: failing,
      self_service: false,
      notifications: {},
      config: {
        org_info: { org_name: '', org_logo_url: '', org_logo_url_light_background: '', contact_url: 'https://fleetdm.com/company/contact' },
        mdm: { macos_migration: { mode: '' } },
      },
    };
  }
}
