/**
 * The osquery remote API suite, run on every store kind (osquery-api.memory.test.ts and
 * osquery-api.mysql.test.ts): each endpoint through inject, bad input per endpoint with an
 * unchanged store, the scripted agent life, scoping and the result rule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/store.js';
import {
  BUILTIN_LABEL_NAMES,
  DETAIL_NAMES,
  detailAnswers,
  GLOBAL_SECRET,
  startTestServer,
  storeSnapshot,
  type StoreFactory,
  type TestServer,
} from './support.js';

const HOUR = 3_600_000;
const EMPTY_READ = { queries: {}, discovery: {} };

export function defineOsqueryApiSuite(factory: StoreFactory): void {
  let running: TestServer[] = [];
  const start = async (options: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> => {
    const server = await startTestServer(factory, options);
    running.push(server);
    return server;
  };
  afterEach(async () => {
    for (const server of running) await server.close();
    running = [];
  });

  async function teamWithSecret(t: TestServer, name: string): Promise<{ teamId: number; secret: string }> {
    const team = await t.store.createTeam(name);
    const secret = `secret-${name}`;
    await t.store.ensureEnrollSecret(secret, team.id);
    return { teamId: team.id, secret };
  }

  async function policy(t: TestServer, teamId: number | null, name: string, query: string, platforms = ''): Promise<number> {
    const created = await t.store.createPolicy({ teamId, name, query, platforms });
    t.server.context.events.emit('policiesChanged', [created.id]);
    return created.id;
  }

  describe(`osquery API on the ${factory.kind} store`, () => {
    describe('enroll', () => {
      it('enrolls with a known secret: 24-byte base64 node key, host fields from host_details, team from the secret', async () => {
        const t = await start();
        const { teamId, secret } = await teamWithSecret(t, 'Engineering');
        const response = await t.post('/api/osquery/enroll', {
          enroll_secret: secret,
          host_identifier: 'host-a',
          host_details: {
            os_version: { platform: 'darwin', name: 'macOS', version: '14.5' },
            osquery_info: { version: '5.12.1' },
            system_info: { hostname: 'mac-a', uuid: 'U-1', hardware_serial: 'S-1' },
          },
        });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toContain('application/json');
        const { node_key: nodeKey } = response.json() as { node_key: string };
        expect(nodeKey).toMatch(/^[A-Za-z0-9+/]{32}$/);
        expect(Buffer.from(nodeKey, 'base64')).toHaveLength(24);
        const host = await t.host(nodeKey);
        expect(host).toMatchObject({
          osqueryHostId: 'host-a',
          teamId,
          platform: 'darwin',
          hostname: 'mac-a',
          uuid: 'U-1',
          hardwareSerial: 'S-1',
          osVersion: 'macOS 14.5',
          osqueryVersion: '5.12.1',
          refetchRequested: true,
        });
      });

      it('answers an unknown or missing secret with 401 node_invalid and stores nothing', async () => {
        const t = await start();
        const before = await storeSnapshot(t.store);
        for (const body of [{ enroll_secret: 'wrong', host_identifier: 'x' }, { host_identifier: 'x' }]) {
          const response = await t.post('/api/v1/osquery/enroll', body);
          expect(response.statusCode).toBe(401);
          expect(response.json()).toEqual({ error: expect.stringMatching(/^enroll failed/), node_invalid: true });
        }
        expect(await storeSnapshot(t.store)).toEqual(before);
      });

      it.each([
        ['a JSON array', '[1]'],
        ['a number secret', JSON.stringify({ enroll_secret: 5, host_identifier: 'x' })],
        ['host_details as a string', JSON.stringify({ enroll_secret: GLOBAL_SECRET, host_identifier: 'x', host_details: 'no' })],
        ['malformed JSON', '{"enroll_secret": '],
      ])('rejects %s with 400 and stores nothing', async (_label, body) => {
        const t = await start();
        const before = await storeSnapshot(t.store);
        const response = await t.post('/api/osquery/enroll', body);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({ error: expect.any(String) });
        expect(await storeSnapshot(t.store)).toEqual(before);
      });
    });

    describe('config', () => {
      it('answers the agent options with the configured intervals and no schedule, and records them on the host', async () => {
        const t = await start({ distributedIntervalSeconds: 7, loggerTlsPeriodSeconds: 11, configRefreshSeconds: 90 });
        const key = await t.enroll('cfg-1');
        const response = await t.post('/api/osquery/config', { node_key: key });
        expect(response.statusCode).toBe(200);
        const body = response.json() as { options: Record<string, unknown>; schedule: unknown; packs?: unknown };
        expect(body.options).toMatchObject({
          distributed_interval: 7,
          logger_tls_period: 11,
          config_refresh: 90,
          distributed_plugin: 'tls',
          logger_plugin: 'tls',
        });
        // Current Fleet: no 2023 "schedule" key, and no "packs" while there are no scheduled queries.
        expect(body.schedule).toBeUndefined();
        expect(body.packs).toBeUndefined();
        expect(JSON.stringify(body)).not.toContain('fleet_policy_query');
        expect(await t.host(key)).toMatchObject({ distributedInterval: 7, loggerTlsPeriod: 11, configTlsRefresh: 90 });
      });

      it('refuses a missing, unknown or mistyped node key', async () => {
        const t = await start();
        await t.enroll('cfg-2');
        const before = await storeSnapshot(t.store);
        expect((await t.post('/api/osquery/config', {})).json()).toEqual({ error: 'authentication error: missing node key', node_invalid: true });
        const unknown = await t.post('/api/osquery/config', { node_key: 'nope' });
        expect(unknown.statusCode).toBe(401);
        expect(unknown.json()).toEqual({ error: 'authentication error: invalid node key', node_invalid: true });
        const typed = await t.post('/api/osquery/config', { node_key: 42 });
        expect(typed.statusCode).toBe(400);
        expect(await storeSnapshot(t.store)).toEqual(before);
      });
    });

    describe('distributed/read', () => {
      it('sends detail queries, in-scope policies (global + team, platform mapped to linux) with discovery SELECT 1', async () => {
        const t = await start();
        const { teamId, secret } = await teamWithSecret(t, 'Ops');
        const other = await teamWithSecret(t, 'Other');
        const global = await policy(t, null, 'global all', 'SELECT 1 FROM os_version;');
        const linux = await policy(t, teamId, 'linux only', 'SELECT 1 FROM deb_packages;', 'linux');
        await policy(t, teamId, 'darwin only', 'SELECT 1 FROM alf;', 'darwin');
        await policy(t, other.teamId, 'other team', 'SELECT 2;');
        await policy(t, 0, 'no team only', 'SELECT 3;');
        const key = await t.enroll('rhel-1', { secret, platform: 'rhel' });
        const response = await t.read(key);
        expect(response.statusCode).toBe(200);
        const body = response.json() as { queries: Record<string, string>; discovery: Record<string, string>; accelerate?: number };
        expect(Object.keys(body.queries).sort()).toEqual(
          [...DETAIL_NAMES, ...BUILTIN_LABEL_NAMES, `fleet_policy_query_${global}`, `fleet_policy_query_${linux}`].sort(),
        );
        expect(body.queries[`fleet_policy_query_${linux}`]).toBe('SELECT 1 FROM deb_packages;');
        expect(body.discovery[`fleet_policy_query_${global}`]).toBe('SELECT 1');
        expect(Object.keys(body.discovery).sort()).toEqual(Object.keys(body.queries).sort());
        expect(body.accelerate).toBeUndefined();
        await t.store.deletePolicies([global]);
      });

      it('sends No-team policies to hosts without a team', async () => {
        const t = await start();
        const noTeam = await policy(t, 0, 'no team', 'SELECT 3;');
        const key = await t.enroll('noteam-1');
        const body = (await t.read(key)).json() as { queries: Record<string, string> };
        expect(body.queries[`fleet_policy_query_${noTeam}`]).toBe('SELECT 3;');
      });

      it('sends the wildcard when policies are due but none is in scope', async () => {
        const t = await start();
        const { secret } = await teamWithSecret(t, 'Empty');
        const key = await t.enroll('empty-1', { secret, platform: 'windows' });
        const body = (await t.read(key)).json() as { queries: Record<string, string>; discovery: Record<string, string> };
        expect(body.queries.fleet_no_policies_wildcard).toBe('SELECT 1');
        expect(body.discovery.fleet_no_policies_wildcard).toBe('SELECT 1');
        expect(Object.keys(body.queries).filter((name) => name.startsWith('fleet_policy_query_'))).toEqual([]);
      });

      it('asks for accelerate 10 while the platform or hostname is unknown', async () => {
        const t = await start();
        const key = await t.enroll('anon-1', { platform: '', hostname: '' });
        const first = (await t.read(key)).json() as { accelerate?: number };
        expect(first.accelerate).toBe(10);
        await t.write(key, { ...detailAnswers('anon-1') });
        // details and the host's policies were answered except policies: write the wildcard too
        await t.write(key, { fleet_no_policies_wildcard: [{ 1: '1' }] });
        expect((await t.read(key)).json()).toEqual(EMPTY_READ);
        expect(await t.host(key)).toMatchObject({ platform: 'ubuntu', hostname: 'anon-1' });
      });

      it('refuses bad node keys and bad bodies without touching the store', async () => {
        const t = await start();
        await t.enroll('bad-read');
        const before = await storeSnapshot(t.store);
        expect((await t.read('nope')).statusCode).toBe(401);
        expect((await t.read('nope')).json()).toEqual({ error: 'authentication error: invalid node key', node_invalid: true });
        const missing = await t.post('/api/osquery/distributed/read', {});
        expect(missing.statusCode).toBe(401);
        expect(missing.json()).toMatchObject({ node_invalid: true });
        const malformed = await t.post('/api/osquery/distributed/read', '{"node_key"');
        expect(malformed.statusCode).toBe(400);
        expect(malformed.json()).toEqual({ error: expect.stringContaining('malformed JSON') });
        expect((await t.post('/api/osquery/distributed/read', '"just a string"')).statusCode).toBe(400);
        expect(await storeSnapshot(t.store)).toEqual(before);
      });
    });

    describe('distributed/write', () => {
      it('applies the result rule: rows → pass, [] or "" → fail, status ≠ 0 → unknown; statuses as numbers or strings', async () => {
        const t = await start();
        const { teamId, secret } = await teamWithSecret(t, 'Rules');
        const ids = [];
        for (let i = 1; i <= 7; i++) ids.push(await policy(t, teamId, `p${i}`, `SELECT ${i};`));
        const key = await t.enroll('rules-1', { secret });
        const host = await t.host(key);
        const q = (id: number): string => `fleet_policy_query_${id}`;
        const response = await t.write(
          key,
          {
            [q(ids[0]!)]: [{ 1: '1' }],
            [q(ids[1]!)]: [],
            [q(ids[2]!)]: '',
            [q(ids[3]!)]: [{ 1: '1' }],
            [q(ids[4]!)]: [{ 1: '1' }],
            [q(ids[5]!)]: [],
            [q(ids[6]!)]: [{ 1: '1' }],
          },
          { [q(ids[0]!)]: 0, [q(ids[3]!)]: 1, [q(ids[4]!)]: '0', [q(ids[5]!)]: '-2', [q(ids[6]!)]: '+0' },
        );
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({});
        const membership = new Map((await t.store.hostMembership(host.id)).map((row) => [row.policyId, row.passes]));
        expect(ids.map((id) => membership.get(id))).toEqual([true, false, false, null, true, null, true]);
        const after = await t.host(key);
        expect(after.policyUpdatedAt.getTime()).toBeGreaterThan(host.policyUpdatedAt.getTime());
        expect(after.refetchRequested).toBe(false);
      });

      it('discards results for policies outside the host\'s scope (other team, other platform, unknown id)', async () => {
        const t = await start();
        const mine = await teamWithSecret(t, 'Mine');
        const theirs = await teamWithSecret(t, 'Theirs');
        const own = await policy(t, mine.teamId, 'own', 'SELECT 1;');
        const foreign = await policy(t, theirs.teamId, 'foreign', 'SELECT 1;');
        const darwin = await policy(t, mine.teamId, 'darwin', 'SELECT 1;', 'darwin');
        const key = await t.enroll('scope-1', { secret: mine.secret });
        const host = await t.host(key);
        await t.write(key, {
          [`fleet_policy_query_${own}`]: [{ 1: '1' }],
          [`fleet_policy_query_${foreign}`]: [{ 1: '1' }],
          [`fleet_policy_query_${darwin}`]: [{ 1: '1' }],
          fleet_policy_query_999999: [{ 1: '1' }],
          fleet_policy_query_abc: [{ 1: '1' }],
        });
        expect((await t.store.hostMembership(host.id)).map((row) => row.policyId)).toEqual([own]);
        expect(await t.store.getMembership(foreign, host.id)).toBeUndefined();
      });

      it('clips over-long host fields instead of losing the policy results of the same write; refuses an over-long identifier', async () => {
        const t = await start();
        const long = 'h'.repeat(300);
        const key = await t.enroll('long-1', { hostname: long });
        expect((await t.host(key)).hostname).toBe(long.slice(0, 255));
        const id = await policy(t, null, 'long-values', 'SELECT 1;');
        const response = await t.write(key, {
          fleet_detail_query_system_info: [{ hostname: long, uuid: 'u'.repeat(400), hardware_serial: 's' }],
          [`fleet_policy_query_${id}`]: [{ 1: '1' }],
        });
        expect(response.statusCode).toBe(200);
        const host = await t.host(key);
        expect(host.hostname).toHaveLength(255);
        expect(host.uuid).toHaveLength(255);
        expect(await t.store.getMembership(id, host.id)).toBe(true);

        const before = await storeSnapshot(t.store);
        const refused = await t.post('/api/osquery/enroll', { enroll_secret: GLOBAL_SECRET, host_identifier: 'x'.repeat(256) });
        expect(refused.statusCode).toBe(400);
        expect((refused.json() as { error: string }).error).toContain('host_identifier is longer than 255 characters');
        expect(await storeSnapshot(t.store)).toEqual(before);
      });

      it('the wildcard answer bumps policy_updated_at without membership rows; detail results update the host', async () => {
        const t = await start();
        const key = await t.enroll('wild-1');
        const before = await t.host(key);
        t.advance(60_000);
        const response = await t.write(key, { fleet_no_policies_wildcard: [{ 1: '1' }], ...detailAnswers('renamed-host') });
        expect(response.statusCode).toBe(200);
        const after = await t.host(key);
        expect(await t.store.hostMembership(before.id)).toEqual([]);
        expect(after.policyUpdatedAt.getTime()).toBeGreaterThan(before.policyUpdatedAt.getTime());
        expect(after.detailUpdatedAt.getTime()).toBeGreaterThan(before.detailUpdatedAt.getTime());
        expect(after).toMatchObject({ hostname: 'renamed-host', osqueryVersion: '5.13.0', uptimeSeconds: 3600, refetchRequested: false });
      });

      it('ignores detail results whose status is not 0', async () => {
        const t = await start();
        const key = await t.enroll('detail-fail');
        await t.write(key, { fleet_detail_query_system_info: [{ hostname: 'should-not-apply' }] }, { fleet_detail_query_system_info: 1 });
        expect((await t.host(key)).hostname).toBe('detail-fail');
      });

      it.each([
        ['statuses with a non-numeric string', { queries: {}, statuses: { a: 'zero' } }],
        ['statuses with a boolean', { queries: {}, statuses: { a: true } }],
        ['statuses with a leading space', { queries: {}, statuses: { a: ' 1' } }],
        ['statuses with a trailing space', { queries: {}, statuses: { a: '0 ' } }],
        ['statuses as a decimal string', { queries: {}, statuses: { a: '1.0' } }],
        ['statuses as an out-of-range string', { queries: {}, statuses: { a: '99999999999999999999' } }],
        ['statuses as an out-of-range number', { queries: {}, statuses: { a: 99999999999999999999 } }],
        ['statuses as a fraction', { queries: {}, statuses: { a: 0.5 } }],
        ['queries as an array', { queries: [1], statuses: {} }],
        ['statuses as a string', { queries: {}, statuses: 'x' }],
      ])('rejects %s with 400 and stores nothing', async (_label, body) => {
        const t = await start();
        const { teamId, secret } = await teamWithSecret(t, 'Bad');
        const id = await policy(t, teamId, 'p', 'SELECT 1;');
        const key = await t.enroll('bad-write', { secret });
        const before = await storeSnapshot(t.store);
        const response = await t.post('/api/osquery/distributed/write', {
          node_key: key,
          ...body,
          queries: Array.isArray(body.queries) ? body.queries : { ...body.queries, [`fleet_policy_query_${id}`]: [{ 1: '1' }] },
        });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({ error: expect.stringMatching(/^invalid request/) });
        expect(await storeSnapshot(t.store)).toEqual(before);
      });

      it('rejects a body over the write limit with 413 and stores nothing', async () => {
        const t = await start({ writeBodyLimitBytes: 4096 });
        const { teamId, secret } = await teamWithSecret(t, 'Big');
        const id = await policy(t, teamId, 'p', 'SELECT 1;');
        const key = await t.enroll('big-write', { secret });
        const before = await storeSnapshot(t.store);
        const rows = Array.from({ length: 200 }, (_, i) => ({ value: `row-${i}-${'x'.repeat(20)}` }));
        const response = await t.write(key, { [`fleet_policy_query_${id}`]: rows });
        expect(response.statusCode).toBe(413);
        expect(response.json()).toEqual({ error: 'request body is larger than the limit of 4096 bytes' });
        expect(await storeSnapshot(t.store)).toEqual(before);
      });

      it('a store failure while ingesting is logged and answered 200, and the host stays due (as Fleet)', async () => {
        const t = await start();
        const { teamId, secret } = await teamWithSecret(t, 'Down');
        const id = await policy(t, teamId, 'p', 'SELECT 1;');
        const key = await t.enroll('down-1', { secret });
        const host = await t.host(key);
        const due = (await t.read(key)).body; // warms the host and scope caches
        const answers = { ...detailAnswers('down-1'), [`fleet_policy_query_${id}`]: [{ 1: '1' }] };
        t.server.faults.setStoreUnavailable(60_000);
        const response = await t.write(key, answers);
        t.server.faults.setStoreUnavailable(0);
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({});
        expect(await t.store.hostMembership(host.id)).toEqual([]);
        expect(await t.host(key)).toMatchObject({ policyUpdatedAt: host.policyUpdatedAt, detailUpdatedAt: host.detailUpdatedAt });
        const metrics = (await t.server.app.inject({ method: 'GET', url: '/metrics' })).body;
        // The detail results travel in the same transaction as the policy results: one failure.
        expect(metrics).toContain('osqsim_osquery_write_store_errors_total{step="policies"} 1');
        expect(metrics).not.toContain('osqsim_osquery_write_store_errors_total{step="details"}');
        // Nothing moved: the next read carries the same queries, and the answer is stored then.
        t.advance(10_000);
        expect((await t.read(key)).body).toBe(due);
        expect((await t.write(key, answers)).statusCode).toBe(200);
        expect(await t.store.getMembership(id, host.id)).toBe(true);
      });

      it('a policy run deletes the host\'s rows for policies it did not answer, and the wildcard all of them (as Fleet)', async () => {
        const t = await start();
        const { teamId, secret } = await teamWithSecret(t, 'Stale');
        const a = await policy(t, teamId, 'a', 'SELECT 1;');
        const b = await policy(t, teamId, 'b', 'SELECT 1;');
        const key = await t.enroll('stale-1', { secret });
        const other = await t.enroll('stale-2', { secret });
        const hostId = (await t.host(key)).id;
        const q = (id: number): string => `fleet_policy_query_${id}`;
        for (const k of [key, other]) {
          await t.read(k);
          expect((await t.write(k, { [q(a)]: [{ 1: '1' }], [q(b)]: [{ 1: '1' }] })).statusCode).toBe(200);
        }
        // The host answers a only (b's discovery failed, say): its b row goes; the other host keeps its rows.
        t.advance(HOUR + 6 * 60_000);
        await t.read(key);
        expect((await t.write(key, { [q(a)]: [] })).statusCode).toBe(200);
        expect((await t.store.hostMembership(hostId)).map((row) => [row.policyId, row.passes])).toEqual([[a, false]]);
        expect((await t.store.hostMembership((await t.host(other)).id)).length).toBe(2);
        // Its team's policies are deleted from under it: the wildcard answer removes every stored row.
        await t.store.deletePolicies([a, b]);
        t.server.context.events.emit('policiesChanged', [a, b]);
        t.advance(HOUR + 6 * 60_000);
        expect(((await t.read(key)).json() as { queries: object }).queries).toHaveProperty('fleet_no_policies_wildcard');
        expect((await t.write(key, { fleet_no_policies_wildcard: [{ 1: '1' }] })).statusCode).toBe(200);
        expect(await t.store.hostMembership(hostId)).toEqual([]);
      });

      it('refuses unknown node keys with 401 and stores nothing', async () => {
        const t = await start();
        await t.enroll('w-1');
        const before = await storeSnapshot(t.store);
        const response = await t.write('nope', { fleet_no_policies_wildcard: [{ 1: '1' }] });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({ error: 'authentication error: invalid node key', node_invalid: true });
        expect(await storeSnapshot(t.store)).toEqual(before);
      });
    });

    describe('host vitals (detail queries)', () => {
      const names = (queries: Record<string, string>): string[] => Object.keys(queries).filter((n) => n.startsWith('fleet_detail_query_')).sort();

      it('sends Fleet\'s detail queries per platform, with discovery where Fleet has it', async () => {
        const t = await start();
        const mac = await t.enroll('vit-mac', { platform: 'darwin' });
        const win = await t.enroll('vit-win', { platform: 'windows' });
        const macRead = (await t.read(mac)).json() as { queries: Record<string, string>; discovery: Record<string, string> };
        const winRead = (await t.read(win)).json() as { queries: Record<string, string>; discovery: Record<string, string> };
        expect(names(macRead.queries)).toEqual([
          'battery', 'disk_space_darwin', 'disk_space_darwin_legacy', 'mdm', 'network_interface_unix', 'orbit_info', 'os_version', 'osquery_flags',
          'osquery_info', 'software_macos', 'system_info', 'uptime', 'users',
        ].map((n) => `fleet_detail_query_${n}`));
        expect(names(winRead.queries)).toEqual([
          'battery', 'disk_space_windows', 'mdm_windows', 'network_interface_windows', 'orbit_info', 'os_version', 'os_version_windows', 'osquery_flags',
          'osquery_info', 'software_windows', 'system_info', 'uptime', 'users',
        ].map((n) => `fleet_detail_query_${n}`));
        expect(macRead.discovery.fleet_detail_query_battery).toMatch(/FROM osquery_registry WHERE .*name = 'battery'/);
        expect(macRead.discovery.fleet_detail_query_disk_space_darwin_legacy).toMatch(/^SELECT 1 WHERE NOT EXISTS \(/);
        expect(macRead.discovery.fleet_detail_query_os_version).toBe('SELECT 1');
        expect(macRead.queries.fleet_detail_query_software_macos).toContain('FROM apps');
      });

      // Fleet: extraDetailQueries["orbit_info"] (SELECT * FROM orbit_info, discoveryTable("orbit_info"),
      // Linux/darwin/windows) and directIngestOrbitInfo (server/service/osquery_utils/queries.go); the host
      // object's orbit_version / fleet_desktop_version / scripts_enabled come from host_orbit_info
      // (server/datastore/mysql/hosts.go Host).
      it('orbit_info: sent where osquery_registry has the table, stored in host_orbit_info, shown in GET /hosts/:id', async () => {
        const t = await start({ apiToken: 'orbit-info-token' });
        const getHost = async (id: number): Promise<Record<string, unknown>> => {
          const response = await t.server.app.inject({ method: 'GET', url: `/api/v1/fleet/hosts/${id}`, headers: { authorization: 'Bearer orbit-info-token' } });
          expect(response.statusCode).toBe(200);
          return (response.json() as { host: Record<string, unknown> }).host;
        };
        const fleetd = await t.enroll('orbit-1', { platform: 'darwin' });
        const scriptsOff = await t.enroll('orbit-2');
        const plain = await t.enroll('orbit-3');
        const read = (await t.read(fleetd)).json() as { queries: Record<string, string>; discovery: Record<string, string> };
        expect(read.queries.fleet_detail_query_orbit_info).toBe('SELECT * FROM orbit_info');
        expect(read.discovery.fleet_detail_query_orbit_info).toMatch(/FROM osquery_registry WHERE .*name = 'orbit_info'/);
        await t.read(scriptsOff);
        await t.read(plain);
        const orbitRow = { version: '1.36.0', device_auth_token: 'tok', enrolled: '1', last_recorded_error: '', orbit_channel: 'stable', osqueryd_channel: 'stable', desktop_channel: 'stable', desktop_version: '1.36.0', uptime: '60', scripts_enabled: '1' };
        expect((await t.write(fleetd, { ...detailAnswers('orbit-1', 'darwin'), fleet_detail_query_orbit_info: [orbitRow] })).statusCode).toBe(200);
        // No desktop_version column → NULL; scripts_enabled "0" → false.
        expect((await t.write(scriptsOff, { ...detailAnswers('orbit-2'), fleet_detail_query_orbit_info: [{ version: '1.35.1', scripts_enabled: '0' }] })).statusCode).toBe(200);
        // Plain osquery: the discovery query returned no rows, so no orbit_info answer at all.
        expect((await t.write(plain, detailAnswers('orbit-3'))).statusCode).toBe(200);
        const [a, b, c] = await Promise.all([t.host(fleetd), t.host(scriptsOff), t.host(plain)]);
        expect(await t.store.getHostOrbitInfo(a.id)).toEqual({ version: '1.36.0', desktopVersion: '1.36.0', scriptsEnabled: true });
        expect(await getHost(a.id)).toMatchObject({ orbit_version: '1.36.0', fleet_desktop_version: '1.36.0', scripts_enabled: true });
        expect(await getHost(b.id)).toMatchObject({ orbit_version: '1.35.1', fleet_desktop_version: null, scripts_enabled: false });
        expect(await getHost(c.id)).toMatchObject({ orbit_version: null, fleet_desktop_version: null, scripts_enabled: null });
        // Not exactly one row: the answer is ignored (Fleet logs "invalid number of rows"); the stored row stays.
        t.advance(2 * HOUR);
        await t.read(fleetd);
        expect((await t.write(fleetd, { fleet_detail_query_orbit_info: [orbitRow, { ...orbitRow, version: '2.0.0' }] })).statusCode).toBe(200);
        expect(await getHost(a.id)).toMatchObject({ orbit_version: '1.36.0' });
      });

      it('stores what the answers say: host columns, disk, users, software, with the client address as public IP', async () => {
        const t = await start();
        const key = await t.enroll('vit-1');
        const host = await t.host(key);
        await t.read(key);
        const response = await t.write(key, {
          ...detailAnswers('vit-1'),
          fleet_detail_query_system_info: [{ hostname: 'vit-1', uuid: 'U-1', physical_memory: '17179869184', cpu_brand: 'AMD EPYC', cpu_logical_cores: '8', hardware_serial: 'Default string' }],
          fleet_detail_query_network_interface_unix: [{ address: '10.1.2.3', mac: '52:54:00:12:34:56' }],
          fleet_detail_query_disk_space_unix: [{ percent_disk_space_available: '40', gigs_disk_space_available: '41.2', gigs_total_disk_space: '103', gigs_all_disk_space: '' }],
          fleet_detail_query_users: [{ uid: '1000', username: 'ops', type: '', groupname: 'ops', shell: '/bin/bash' }],
          fleet_detail_query_software_linux: [
            { name: 'openssl', version: '3.0.2', source: 'deb_packages', arch: 'amd64' },
            { name: 'curl', version: '7.81.0', source: 'deb_packages', arch: 'amd64' },
          ],
          fleet_detail_query_osquery_flags: [{ name: 'distributed_interval', value: '10' }, { name: 'config_refresh', value: '60' }],
        });
        expect(response.statusCode).toBe(200);
        expect(await t.host(key)).toMatchObject({ hardwareSerial: '', distributedInterval: 10, configTlsRefresh: 60, detailUpdatedAt: t.now() });
        const vitals = (await t.store.getHostVitals(host.id))!;
        expect(vitals.columns).toMatchObject({ memory: 17179869184, cpuBrand: 'AMD EPYC', cpuLogicalCores: 8, primaryIp: '10.1.2.3', primaryMac: '52:54:00:12:34:56', publicIp: '127.0.0.1' });
        expect(vitals.diskSpace).toEqual({ gigsAvailable: 41.2, percentAvailable: 40, gigsTotal: 103, gigsAll: null });
        expect(vitals.users.map((u) => u.username)).toEqual(['ops']);
        expect(vitals.software.map((s) => `${s.name} ${s.version}`)).toEqual(['curl 7.81.0', 'openssl 3.0.2']);
        // Details are not due again until the interval (+ jitter) passed.
        t.advance(60_000);
        expect(names(((await t.read(key)).json() as { queries?: Record<string, string> }).queries ?? {})).toEqual([]);
      });

      it('a write with only direct-ingest vitals (users) stores them and clears a refetch, without moving detail_updated_at', async () => {
        const t = await start();
        const key = await t.enroll('vit-refetch');
        const host = await t.host(key);
        await t.read(key);
        await t.write(key, detailAnswers('vit-refetch'));
        const before = await t.host(key);
        await t.store.setRefetchRequested(host.id, true);
        t.server.context.events.emit('hostChanged', host.id);
        t.advance(1_000);
        expect(names(((await t.read(key)).json() as { queries: Record<string, string> }).queries)).toContain('fleet_detail_query_users');
        const response = await t.write(key, { fleet_detail_query_users: [{ uid: '1000', username: 'ops', type: '', groupname: 'ops', shell: '/bin/bash' }] });
        expect(response.statusCode).toBe(200);
        expect(await t.host(key)).toMatchObject({ refetchRequested: false, detailUpdatedAt: before.detailUpdatedAt });
        expect((await t.store.getHostVitals(host.id))!.users.map((u) => u.username)).toEqual(['ops']);
      });

      it('a malformed or failed detail result is ignored and logged, never a 5xx; the rest of the write is stored', async () => {
        const t = await start();
        const id = await policy(t, null, 'p', 'SELECT 1;');
        const key = await t.enroll('vit-bad');
        const host = await t.host(key);
        await t.read(key);
        const response = await t.write(
          key,
          {
            ...detailAnswers('vit-bad'),
            fleet_detail_query_system_info: [{ hostname: 'a' }, { hostname: 'b' }], // two rows for a single-row query
            fleet_detail_query_uptime: [{ total_seconds: 'soon' }],
            fleet_detail_query_software_linux: [{ name: 'x', version: '1', source: 'deb_packages', last_opened_at: 'yesterday' }],
            fleet_detail_query_users: [{ uid: '0', username: 'root', shell: '/bin/bash' }],
            fleet_detail_query_disk_space_unix: [{ percent_disk_space_available: '1', gigs_disk_space_available: '1', gigs_total_disk_space: '1' }],
            [`fleet_policy_query_${id}`]: [{ 1: '1' }],
          },
          { fleet_detail_query_users: 1 },
        );
        expect(response.statusCode).toBe(200);
        expect(await t.store.getMembership(id, host.id)).toBe(true);
        const stored = await t.host(key);
        expect(stored).toMatchObject({ hostname: host.hostname, uptimeSeconds: host.uptimeSeconds, osqueryVersion: '5.13.0', detailUpdatedAt: t.now() });
        const vitals = (await t.store.getHostVitals(host.id))!;
        expect(vitals.software).toEqual([]);
        expect(vitals.users).toEqual([]);
        expect(vitals.diskSpace).toEqual({ gigsAvailable: 1, percentAvailable: 1, gigsTotal: 1, gigsAll: null });
        const metrics = (await t.server.app.inject({ method: 'GET', url: '/metrics' })).body;
        expect(metrics).toContain('osqsim_osquery_detail_results_ignored_total{query="system_info"} 1');
        expect(metrics).toContain('osqsim_osquery_detail_results_ignored_total{query="uptime"} 1');
        expect(metrics).toContain('osqsim_osquery_detail_results_ignored_total{query="software_linux"} 1');
      });
    });

    describe('log', () => {
      it('accepts status and result logs, counts them and drops them', async () => {
        const t = await start();
        const key = await t.enroll('log-1');
        const before = await storeSnapshot(t.store);
        for (const logType of ['status', 'result']) {
          const response = await t.post('/api/osquery/log', { node_key: key, log_type: logType, data: [{ line: 1 }, { line: 2 }] });
          expect(response.statusCode).toBe(200);
          expect(response.json()).toEqual({});
        }
        const metrics = (await t.server.app.inject({ method: 'GET', url: '/metrics' })).body;
        expect(metrics).toContain('osqsim_osquery_log_lines_total{log_type="status"} 2');
        expect(metrics).toContain('osqsim_osquery_log_lines_total{log_type="result"} 2');
        expect(await storeSnapshot(t.store)).toEqual(before);
      });

      it.each([
        // Fleet's submitLogsEndpoint: newOsqueryError("unknown log type: " + LogType) → 500 (server/service/osquery.go).
        ['an unknown log_type', { log_type: 'snapshot', data: [] }, 500, { error: 'unknown log type: snapshot' }],
        ['a missing log_type (Go decodes it as "")', { data: [] }, 500, { error: 'unknown log type: ' }],
        ['a log_type that is not a string', { log_type: 5, data: [] }, 400, { error: 'invalid request: log_type must be a string' }],
        ['data that is not an array', { log_type: 'status', data: 'x' }, 400, { error: 'invalid request: data must be an array' }],
      ])('rejects %s, and stores nothing', async (_label, body, status, expected) => {
        const t = await start();
        const key = await t.enroll('log-bad');
        const before = await storeSnapshot(t.store);
        const response = await t.post('/api/osquery/log', { node_key: key, ...body });
        expect(response.statusCode).toBe(status);
        expect(response.headers['content-type']).toContain('application/json');
        expect(response.json()).toEqual(expected);
        expect(await storeSnapshot(t.store)).toEqual(before);
      });

      it('rejects a body over the log limit with 413 and an unknown key with 401', async () => {
        const t = await start({ logBodyLimitBytes: 2048 });
        const key = await t.enroll('log-big');
        const big = await t.post('/api/osquery/log', { node_key: key, log_type: 'result', data: ['x'.repeat(4096)] });
        expect(big.statusCode).toBe(413);
        const unknown = await t.post('/api/osquery/log', { node_key: 'nope', log_type: 'status', data: [] });
        expect(unknown.statusCode).toBe(401);
        expect(unknown.json()).toMatchObject({ node_invalid: true });
      });

      it('checks the node key before the log type, as Fleet (authenticatedHost runs before submitLogsEndpoint)', async () => {
        const t = await start();
        const response = await t.post('/api/osquery/log', { node_key: 'nope', log_type: 'snapshot', data: [] });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({ error: 'authentication error: invalid node key', node_invalid: true });
      });
    });

    it('scripted agent life: enroll → all due → write → nothing due → refetch → all due → re-enroll', async () => {
      const t = await start();
      const { teamId, secret } = await teamWithSecret(t, 'Life');
      const p1 = await policy(t, teamId, 'passes', 'SELECT 1;');
      const p2 = await policy(t, teamId, 'fails', 'SELECT 1 WHERE 0;');
      const q = (id: number): string => `fleet_policy_query_${id}`;
      const allDue = [...DETAIL_NAMES, ...BUILTIN_LABEL_NAMES, q(p1), q(p2)].sort();

      const key = await t.enroll('life-1', { secret });
      const hostId = (await t.host(key)).id;

      const first = (await t.read(key)).json() as { queries: Record<string, string> };
      expect(Object.keys(first.queries).sort()).toEqual(allDue);

      t.advance(2_000);
      const written = await t.write(key, { ...detailAnswers('life-1'), [q(p1)]: [{ 1: '1' }], [q(p2)]: [] });
      expect(written.statusCode).toBe(200);
      expect((await t.store.hostMembership(hostId)).map((row) => [row.policyId, row.passes])).toEqual([
        [p1, true],
        [p2, false],
      ]);

      t.advance(10_000);
      expect((await t.read(key)).body).toBe('{"queries":{},"discovery":{}}');

      // an hour later, still inside the host's jitter bucket (at most 5 minutes): nothing due;
      // past interval + the largest jitter: everything due again
      t.advance(HOUR - 12_000);
      expect((await t.read(key)).json()).toEqual(EMPTY_READ);
      t.advance(6 * 60_000);
      expect(Object.keys(((await t.read(key)).json() as { queries: object }).queries).sort()).toEqual(allDue);
      await t.write(key, { ...detailAnswers('life-1'), [q(p1)]: [{ 1: '1' }], [q(p2)]: [] });
      expect((await t.read(key)).json()).toEqual(EMPTY_READ);

      // refetch requested (as the REST API does it): every gate opens
      expect(await t.store.setRefetchRequested(hostId, true)).toBe(true);
      t.server.context.events.emit('hostChanged', hostId);
      expect(Object.keys(((await t.read(key)).json() as { queries: object }).queries).sort()).toEqual(allDue);
      await t.write(key, { [q(p1)]: [], [q(p2)]: [{ 1: '1' }] }, { [q(p1)]: 1 });
      expect((await t.host(key)).refetchRequested).toBe(false);
      expect((await t.read(key)).json()).toEqual(EMPTY_READ);
      expect((await t.store.hostMembership(hostId)).map((row) => [row.policyId, row.passes])).toEqual([
        [p1, null],
        [p2, true],
      ]);

      // re-enroll (Fleet's EnrollHost): same host id, new key, old key refused, results wiped, timers
      // kept — nothing is due until the host's normal policy run, so it is out of the counts until then
      const ranAt = (await t.host(key)).policyUpdatedAt;
      t.advance(60_000);
      const newKey = await t.enroll('life-1', { secret });
      expect(newKey).not.toBe(key);
      expect((await t.host(newKey)).id).toBe(hostId);
      const refused = await t.read(key);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({ error: 'authentication error: invalid node key', node_invalid: true });
      expect(await t.store.hostMembership(hostId)).toEqual([]);
      expect(await t.host(newKey)).toMatchObject({ policyUpdatedAt: ranAt, refetchRequested: false });
      expect((await t.read(newKey)).json()).toEqual(EMPTY_READ);
      t.advance(HOUR + 6 * 60_000);
      expect(Object.keys(((await t.read(newKey)).json() as { queries: object }).queries).sort()).toEqual(allDue);
    });

    it('serves every endpoint over real HTTP', async () => {
      const t = await start({ port: 0 });
      const { teamId, secret } = await teamWithSecret(t, 'Http');
      const id = await policy(t, teamId, 'p', 'SELECT 1;');
      const url = await t.server.listen();
      const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
        const response = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
      };
      const enrolled = await post('/api/osquery/enroll', {
        enroll_secret: secret,
        host_identifier: 'http-host',
        host_details: { os_version: { platform: 'debian' }, system_info: { hostname: 'http-host' } },
      });
      expect(enrolled.status).toBe(200);
      const key = enrolled.json.node_key as string;
      expect((await post('/api/osquery/config', { node_key: key })).json).toHaveProperty('options');
      const read = await post('/api/osquery/distributed/read', { node_key: key });
      expect(read.status).toBe(200);
      expect(read.json.queries).toHaveProperty(`fleet_policy_query_${id}`, 'SELECT 1;');
      const write = await post('/api/osquery/distributed/write', {
        node_key: key,
        queries: { ...detailAnswers('http-host', 'debian'), [`fleet_policy_query_${id}`]: [{ 1: '1' }] },
        statuses: { [`fleet_policy_query_${id}`]: '0' },
      });
      expect(write).toEqual({ status: 200, json: {} });
      expect(await t.store.getMembership(id, (await t.host(key)).id)).toBe(true);
      expect(await post('/api/osquery/distributed/read', { node_key: key })).toEqual({ status: 200, json: EMPTY_READ });
      expect(await post('/api/osquery/log', { node_key: key, log_type: 'status', data: [{}] })).toEqual({ status: 200, json: {} });
      expect(await post('/api/osquery/log', { node_key: key, log_type: 'bogus', data: [] })).toEqual({ status: 500, json: { error: 'unknown log type: bogus' } });
      expect(await post('/api/osquery/distributed/write', { node_key: 'nope', queries: {} })).toEqual({
        status: 401,
        json: { error: 'authentication error: invalid node key', node_invalid: true },
      });
      expect(await post('/api/osquery/config', '{')).toMatchObject({ status: 400 });
    });

    it('answers every endpoint on the /api/v1/osquery aliases too', async () => {
      const t = await start();
      const enrolled = await t.post('/api/v1/osquery/enroll', { enroll_secret: GLOBAL_SECRET, host_identifier: 'v1-host' });
      expect(enrolled.statusCode).toBe(200);
      const key = (enrolled.json() as { node_key: string }).node_key;
      expect((await t.post('/api/v1/osquery/config', { node_key: key })).statusCode).toBe(200);
      expect((await t.post('/api/v1/osquery/distributed/read', { node_key: key })).statusCode).toBe(200);
      expect((await t.post('/api/v1/osquery/distributed/write', { node_key: key, queries: {} })).statusCode).toBe(200);
      expect((await t.post('/api/v1/osquery/log', { node_key: key, log_type: 'status', data: [] })).statusCode).toBe(200);
    });

    it('emits membership changes when a count strategy listens, and writes last-seen on close', async () => {
      const t = await start();
      const { teamId, secret } = await teamWithSecret(t, 'Events');
      const id = await policy(t, teamId, 'p', 'SELECT 1;');
      const changes: unknown[] = [];
      t.server.context.events.on('membershipChanged', (batch) => changes.push(...batch));
      const key = await t.enroll('events-1', { secret });
      const hostId = (await t.host(key)).id;
      t.advance(30_000);
      await t.write(key, { [`fleet_policy_query_${id}`]: [{ 1: '1' }] });
      expect(changes).toEqual([expect.objectContaining({ policyId: id, hostId, before: undefined, after: true })]);
      const seenAtEnroll = (await t.store.getHost(hostId))?.seenTime;
      await t.server.close();
      const seen = (await t.store.getHost(hostId))?.seenTime;
      expect(seen?.getTime()).toBeGreaterThan(seenAtEnroll?.getTime() ?? 0);
    });
  });
}

export type { Store };
