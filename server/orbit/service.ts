/**
 * What Fleet's service does for each orbit and Fleet Desktop request (server/service/orbit.go,
 * server/service/devices.go, ee/server/service/devices.go), on osqsim's store.
 */
import { badRequest } from '../api/errors.js';
import type { ServerContext } from '../context.js';
import { newNodeKey } from '../osquery/service.js';
import { hostFeedOf } from '../osquery/host-feed.js';
import type { OrbitHostIdentity } from '../store/store.js';
import { OrbitAuthCache } from './auth-cache.js';
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
  /** Orbit node key → host and device token → host (./auth-cache.ts). */
  readonly auth: OrbitAuthCache;

  constructor(private readonly context: ServerContext) {
    const { options, events } = context;
    const feed = hostFeedOf(context); // registered by the osquery plugin, before this one
    this.auth = new OrbitAuthCache({
      ttlMs: options.hostCacheTtlMs,
      maxAgeMs: options.hostCacheMaxAgeMs,
      feedLive: () => feed?.live() ?? false,
    });
    feed?.onChange((change) => (change.reset ? this.auth.clear() : this.auth.dropHosts(change.hostIds)));
    events.on('hostChanged', (hostId) => this.auth.dropHosts([hostId]));
  }

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
    const { host } = await store.enrollOrbit(request.identity, orbitNodeKey, secret.teamId, this.context.now());
    this.auth.dropHosts([host.id]); // its previous orbit node key is no longer valid
    return orbitNodeKey;
  }

  /** The host id of an orbit node key (401 node_invalid when missing or unknown). */
  authenticate(orbitNodeKey: unknown): Promise<number> {
    const { store } = this.context;
    return authenticateOrbitHost(orbitNodeKey, (key) =>
      this.auth.orbitHostId(key, async () => (await store.getHostByOrbitNodeKey(key))?.id),
    );
  }

  /**
   * Fleet's GetOrbitConfig (server/service/orbit.go) for a host with no MDM, scripts, installs or
   * agent-option overrides: `fleet.OrbitConfig` with every omitempty field left out, so the body is
   * the script timeout and empty notifications.
   */
  config(): Record<string, unknown> {
    return { script_execution_timeout: SCRIPT_EXECUTION_TIMEOUT_S, notifications: {} };
  }

  /**
   * Fleet's SetOrUpdateDeviceAuthToken (server/service/devices.go): empty or not URL-safe → 400;
   * another host's token → 409; otherwise one upsert. Fleet's upsert of the token the host already
   * holds changes nothing (`ON DUPLICATE KEY UPDATE`; updated_at moves only when the token changes,
   * reference fleetd-orbit.md §2.5), so when the auth cache knows the store holds this token for
   * this host (it set or read it within the cache's staleness bound), the write is skipped: same
   * outcome, no store round trip.
   */
  async setDeviceToken(hostId: number, token: unknown): Promise<void> {
    if (typeof token !== 'string' || token === '') throw badRequest('device auth token cannot be empty');
    if (!PATH_SAFE.test(token)) throw badRequest('device auth token contains invalid characters');
    if (this.auth.holdsToken(hostId, token)) return;
    const mark = this.auth.mark();
    const setAt = await this.context.store.setDeviceAuthToken(hostId, token, this.context.now());
    this.auth.setToken(token, hostId, setAt, mark);
  }

  /** The host id of a device token set within the last hour (401 otherwise). */
  authenticateDevice(token: string): Promise<number> {
    const { store } = this.context;
    return authenticateDevice(token, this.context.now(), (key) => this.auth.deviceToken(key, () => store.getDeviceAuthToken(key)));
  }

  /**
   * Fleet Desktop's summary (ee/server/service/devices.go `GetFleetDesktopSummary`): the host's
   * failing policies (FailingPoliciesCount), no self-service software, no MDM notifications, and the
   * org info of a default app config. Fleet Free answers 402 instead; osqsim answers as Premium.
   */
  async desktopSummary(hostId: number): Promise<Record<string, unknown>> {
    const rows = await this.context.store.hostMembership(hostId);
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
