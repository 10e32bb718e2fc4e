/**
 * The fleetd (orbit + Fleet Desktop) API suite, run on every store kind (orbit-api.memory.test.ts
 * and orbit-api.mysql.test.ts): each route's request and response as Fleet's, the status and body
 * for a bad orbit node key, device token or secret, and a store left as it was by every rejection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GLOBAL_SECRET, START, startTestServer, storeSnapshot, type StoreFactory, type TestServer } from './support.js';

const HOUR = 3_600_000;
const ORBIT_NODE_INVALID = { error: 'authentication error: invalid orbit node key', node_invalid: true };
const DEVICE_UNAUTHENTICATED = { message: 'Authentication required', errors: [{ name: 'base', reason: 'Authentication required' }] };

export function defineOrbitApiSuite(factory: StoreFactory): void {
  let running: TestServer[] = [];
  const start = async (): Promise<TestServer> => {
    const server = await startTestServer(factory);
    running.push(server);
    return server;
  };
  afterEach(async () => {
    for (const server of running) await server.close();
    running = [];
  });

  const enrollBody = (uuid: string, extra: Record<string, unknown> = {}) => ({
    enroll_secret: GLOBAL_SECRET,
    hardware_uuid: uuid,
    hardware_serial: `serial-${uuid}`,
    hostname: `${uuid}.local`,
    platform: 'darwin',
    platform_like: 'darwin',
    osquery_identifier: '',
    computer_name: uuid,
    hardware_model: 'MacBookPro18,3',
    ...extra,
  });

  async function orbitEnroll(t: TestServer, uuid: string): Promise<string> {
    const response = await t.post('/api/fleet/orbit/enroll', enrollBody(uuid));
    expect(response.statusCode).toBe(200);
    return (response.json() as { orbit_node_key: string }).orbit_node_key;
  }

  /** Store state a rejected request must not change, orbit tables included. */
  async function snapshot(t: TestServer, tokens: readonly string[] = []): Promise<unknown> {
    const since = new Date(t.now().getTime() - HOUR);
    return {
      store: await storeSnapshot(t.store),
      hosts: await t.store.countHosts({}),
      tokens: await Promise.all(tokens.map(async (token) => (await t.store.getHostByDeviceAuthToken(token, since))?.id)),
    };
  }

  const inject = (t: TestServer, method: 'HEAD' | 'GET', url: string) => t.server.app.inject({ method, url });

  describe(`fleetd API on the ${factory.kind} store`, () => {
    describe('POST /api/fleet/orbit/enroll', () => {
      it('answers a 32-character orbit node key and creates the host, due everything, keyed by the hardware UUID', async () => {
        const t = await start();
        const key = await orbitEnroll(t, 'U-1');
        expect(key).toMatch(/^[A-Za-z0-9+/]{32}$/);
        const host = await t.store.getHostByOrbitNodeKey(key);
        expect(host).toMatchObject({ osqueryHostId: 'U-1', uuid: 'U-1', hardwareSerial: 'serial-U-1', platform: 'darwin', refetchRequested: true });
      });

      it('matches the host osquery enrolled (by uuid), so orbit and osquery share one host', async () => {
        const t = await start();
        const nodeKey = await t.enroll('mac-1');
        const osqueryHost = await t.host(nodeKey);
        const key = await orbitEnroll(t, osqueryHost.uuid);
        expect((await t.store.getHostByOrbitNodeKey(key))?.id).toBe(osqueryHost.id);
        expect(await t.store.countHosts({})).toBe(1);
      });

      it('a re-enroll replaces the orbit node key on the same host (the old key answers node_invalid)', async () => {
        const t = await start();
        const first = await orbitEnroll(t, 'U-1');
        const second = await orbitEnroll(t, 'U-1');
        expect(second).not.toBe(first);
        expect(await t.store.countHosts({})).toBe(1);
        const stale = await t.post('/api/fleet/orbit/config', { orbit_node_key: first });
        expect(stale.statusCode).toBe(401);
        expect(stale.json()).toEqual(ORBIT_NODE_INVALID);
      });

      it('an unknown or empty secret is 401 "Authentication failed" and writes nothing', async () => {
        const t = await start();
        const before = await snapshot(t);
        for (const secret of ['nope', '']) {
          const response = await t.post('/api/fleet/orbit/enroll', enrollBody('U-1', { enroll_secret: secret }));
          expect(response.statusCode).toBe(401);
          expect(response.json()).toEqual({ message: 'Authentication failed', errors: [{ name: 'base', reason: 'Authentication failed' }] });
        }
        expect(await snapshot(t)).toEqual(before);
      });

      it('malformed bodies are 400 in Fleet\'s body and write nothing', async () => {
        const t = await start();
        const before = await snapshot(t);
        for (const body of ['{not json', '[]', enrollBody('U-1', { hardware_uuid: 7 }), enrollBody('', {})]) {
          const response = await t.post('/api/fleet/orbit/enroll', body);
          expect(response.statusCode).toBe(400);
          expect(response.json()).toMatchObject({ message: 'Bad request', errors: [{ name: 'base' }] });
        }
        expect(await snapshot(t)).toEqual(before);
      });
    });

    describe('POST /api/fleet/orbit/config', () => {
      it('answers Fleet\'s OrbitConfig for a host with nothing pending, with the capabilities header', async () => {
        const t = await start();
        const key = await orbitEnroll(t, 'U-1');
        const response = await t.post('/api/fleet/orbit/config', { orbit_node_key: key });
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({ script_execution_timeout: 300, notifications: {} });
        expect(response.headers['x-fleet-capabilities']).toBe('orbit_endpoints,token_rotation');
      });

      it('a missing or unknown orbit node key is 401 with node_invalid', async () => {
        const t = await start();
        const missing = await t.post('/api/fleet/orbit/config', {});
        expect(missing.statusCode).toBe(401);
        expect(missing.json()).toEqual({ error: 'authentication error: missing orbit node key', node_invalid: true });
        const unknown = await t.post('/api/fleet/orbit/config', { orbit_node_key: 'nope' });
        expect(unknown.statusCode).toBe(401);
        expect(unknown.json()).toEqual(ORBIT_NODE_INVALID);
        const notObject = await t.post('/api/fleet/orbit/config', '"key"');
        expect(notObject.statusCode).toBe(400);
      });

      it('does not mark the host seen (only osquery check-ins do)', async () => {
        const t = await start();
        const key = await orbitEnroll(t, 'U-1');
        await t.post('/api/fleet/orbit/config', { orbit_node_key: key });
        expect((await t.store.getHostByOrbitNodeKey(key))?.seenTime).toBeNull();
      });
    });

    describe('HEAD pings', () => {
      it('/api/fleet/orbit/ping and /api/fleet/device/ping answer 200 with no auth and no body', async () => {
        const t = await start();
        const orbit = await inject(t, 'HEAD', '/api/fleet/orbit/ping');
        expect(orbit.statusCode).toBe(200);
        expect(orbit.headers['x-fleet-capabilities']).toBe('orbit_endpoints,token_rotation');
        expect(orbit.body).toBe('');
        expect((await inject(t, 'HEAD', '/api/fleet/device/ping')).statusCode).toBe(200);
      });
    });

    describe('device token: POST /api/fleet/orbit/device_token and the check', () => {
      it('stores the token; HEAD …/device/{token}/ping and GET …/desktop then authenticate for an hour', async () => {
        const t = await start();
        const key = await orbitEnroll(t, 'U-1');
        const set = await t.post('/api/fleet/orbit/device_token', { orbit_node_key: key, device_auth_token: 'tok-1' });
        expect(set.statusCode).toBe(200);
        expect(set.json()).toEqual({});
        for (const prefix of ['/api/latest/fleet/device', '/api/v1/fleet/device']) {
          expect((await inject(t, 'HEAD', `${prefix}/tok-1/ping`)).statusCode).toBe(200);
        }
        t.advance(HOUR + 1);
        const expired = await inject(t, 'GET', '/api/latest/fleet/device/tok-1/desktop');
        expect(expired.statusCode).toBe(401);
        expect(expired.json()).toEqual(DEVICE_UNAUTHENTICATED);
        // Rotation: a new token works again, the old one is gone.
        await t.post('/api/fleet/orbit/device_token', { orbit_node_key: key, device_auth_token: 'tok-2' });
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-2/ping')).statusCode).toBe(200);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-1/ping')).statusCode).toBe(401);
      });

      it('re-sending the same token does not extend it (updated_at moves only when the token changes)', async () => {
        const t = await start();
        const key = await orbitEnroll(t, 'U-1');
        await t.post('/api/fleet/orbit/device_token', { orbit_node_key: key, device_auth_token: 'tok-1' });
        t.advance(HOUR / 2);
        await t.post('/api/fleet/orbit/device_token', { orbit_node_key: key, device_auth_token: 'tok-1' });
        t.advance(HOUR / 2 + 1);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-1/ping')).statusCode).toBe(401);
      });

      it('an empty or not URL-safe token is 400, another host\'s token 409, a bad orbit key 401; nothing written', async () => {
        const t = await start();
        const a = await orbitEnroll(t, 'U-1');
        const b = await orbitEnroll(t, 'U-2');
        await t.post('/api/fleet/orbit/device_token', { orbit_node_key: a, device_auth_token: 'tok-a' });
        const before = await snapshot(t, ['tok-a', 'a b', 'tok-b']);
        const cases: Array<[Record<string, unknown>, number, unknown]> = [
          [{ orbit_node_key: b, device_auth_token: '' }, 400, { message: 'Bad request', errors: [{ name: 'base', reason: 'device auth token cannot be empty' }] }],
          [{ orbit_node_key: b }, 400, { message: 'Bad request', errors: [{ name: 'base', reason: 'device auth token cannot be empty' }] }],
          [{ orbit_node_key: b, device_auth_token: 'a b' }, 400, { message: 'Bad request', errors: [{ name: 'base', reason: 'device auth token contains invalid characters' }] }],
          [{ orbit_node_key: b, device_auth_token: 'tok-a' }, 409, { message: 'Resource Already Exists', errors: [{ name: 'base', reason: 'device auth token already exists' }] }],
          [{ orbit_node_key: 'nope', device_auth_token: 'tok-b' }, 401, ORBIT_NODE_INVALID],
        ];
        for (const [body, status, answer] of cases) {
          const response = await t.post('/api/fleet/orbit/device_token', body);
          expect(response.statusCode, JSON.stringify(body)).toBe(status);
          expect(response.json()).toEqual(answer);
        }
        expect(await snapshot(t, ['tok-a', 'a b', 'tok-b'])).toEqual(before);
      });
    });

    describe('GET /api/latest/fleet/device/{token}/desktop', () => {
      it('answers the Desktop summary with the host\'s failing policy count', async () => {
        const t = await start();
        const nodeKey = await t.enroll('mac-1', { platform: 'darwin' });
        const host = await t.host(nodeKey);
        const key = await orbitEnroll(t, host.uuid);
        await t.post('/api/fleet/orbit/device_token', { orbit_node_key: key, device_auth_token: 'tok-1' });
        const failing = await t.store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1', platforms: '' });
        const passing = await t.store.createPolicy({ teamId: null, name: 'p2', query: 'SELECT 1', platforms: '' });
        await t.store.recordPolicyResults([
          { hostId: host.id, results: [{ policyId: failing.id, passes: false }, { policyId: passing.id, passes: true }], reportedAt: START },
        ]);
        const response = await inject(t, 'GET', '/api/latest/fleet/device/tok-1/desktop');
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({
          failing_policies_count: 1,
          self_service: false,
          notifications: {},
          config: {
            org_info: { org_name: '', org_logo_url: '', org_logo_url_light_background: '', contact_url: 'https://fleetdm.com/company/contact' },
            mdm: { macos_migration: { mode: '' } },
          },
        });
      });

      it('an unknown token is 401 "Authentication required" on the summary and the token ping', async () => {
        const t = await start();
        const summary = await inject(t, 'GET', '/api/latest/fleet/device/nope/desktop');
        expect(summary.statusCode).toBe(401);
        expect(summary.json()).toEqual(DEVICE_UNAUTHENTICATED);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/nope/ping')).statusCode).toBe(401);
      });
    });

    describe('/metrics', () => {
      it('counts the orbit routes under their vocabulary names', async () => {
        const t = await start();
        const key = await orbitEnroll(t, 'U-1');
        await t.post('/api/fleet/orbit/config', { orbit_node_key: key });
        await inject(t, 'HEAD', '/api/fleet/orbit/ping');
        await inject(t, 'HEAD', '/api/fleet/device/ping');
        const metrics = (await inject(t, 'GET', '/metrics')).body;
        for (const name of ['orbit_enroll', 'orbit_config', 'orbit_ping', 'device_ping']) {
          expect(metrics).toContain(`osqsim_http_request_duration_seconds_count{endpoint="${name}"}`);
        }
      });
    });

    describe('orbit auth cache (server/orbit/auth-cache.ts)', () => {
      it('answers orbit config, the same device token and the token ping from memory: they work with the store down', async () => {
        const t = await start();
        const key = await orbitEnroll(t, 'U-1');
        const body = { orbit_node_key: key, device_auth_token: 'tok-1' };
        expect((await t.post('/api/fleet/orbit/device_token', body)).statusCode).toBe(200);
        t.server.faults.setStoreUnavailable(60_000); // every store call fails from here
        expect((await t.post('/api/fleet/orbit/config', { orbit_node_key: key })).statusCode).toBe(200);
        // The store holds this token for this host: Fleet's upsert would change nothing, so nothing is written.
        expect((await t.post('/api/fleet/orbit/device_token', body)).statusCode).toBe(200);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-1/ping')).statusCode).toBe(200);
        // A new token must be written: it fails while the store is down.
        expect((await t.post('/api/fleet/orbit/device_token', { ...body, device_auth_token: 'tok-2' })).statusCode).toBeGreaterThanOrEqual(500);
        t.server.faults.setStoreUnavailable(0);
        // The cached token still expires an hour after it was set.
        t.advance(HOUR + 1);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-1/ping')).statusCode).toBe(401);
      });

      it('a cached orbit key, token and host are refused at once after a re-enroll, a rotation or a delete on this instance', async () => {
        const t = await start();
        const first = await orbitEnroll(t, 'U-1');
        expect((await t.post('/api/fleet/orbit/device_token', { orbit_node_key: first, device_auth_token: 'tok-1' })).statusCode).toBe(200);
        expect((await t.post('/api/fleet/orbit/config', { orbit_node_key: first })).statusCode).toBe(200);
        const second = await orbitEnroll(t, 'U-1');
        expect((await t.post('/api/fleet/orbit/config', { orbit_node_key: first })).json()).toEqual(ORBIT_NODE_INVALID);

        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-1/ping')).statusCode).toBe(200);
        expect((await t.post('/api/fleet/orbit/device_token', { orbit_node_key: second, device_auth_token: 'tok-2' })).statusCode).toBe(200);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-1/ping')).statusCode).toBe(401);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-2/ping')).statusCode).toBe(200);

        const hostId = (await t.store.getHostByOrbitNodeKey(second))!.id;
        await t.store.deleteHost(hostId);
        t.server.context.events.emit('hostChanged', hostId); // what the REST delete announces
        expect((await t.post('/api/fleet/orbit/config', { orbit_node_key: second })).statusCode).toBe(401);
        expect((await t.post('/api/fleet/orbit/device_token', { orbit_node_key: second, device_auth_token: 'tok-2' })).statusCode).toBe(401);
        expect((await inject(t, 'HEAD', '/api/latest/fleet/device/tok-2/ping')).statusCode).toBe(401);
      });
    });
  });
}
