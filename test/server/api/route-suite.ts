/**
 * The REST API contract, run once per store (routes.test.ts): every route's happy path and each
 * error status, in Fleet's shapes. One server per suite; each test names its own teams and
 * policies so tests do not depend on each other's data.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../server/store/store.js';
import type { ApiHarness } from './harness.js';

const V1 = '/api/v1/fleet';
const LATEST = '/api/latest/fleet';

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export function routeSuite(open: () => Promise<ApiHarness | undefined>): void {
  let h: ApiHarness;
  let skip = false;

  beforeAll(async () => {
    const harness = await open();
    if (!harness) skip = true;
    else h = harness;
  });
  afterAll(async () => {
    if (!skip) await h?.close();
  });

  const test = (name: string, fn: () => Promise<void>) =>
    it(name, async (ctx) => {
      if (skip) ctx.skip();
      await fn();
    });

  async function enroll(platform: string, teamId: number | null = null): Promise<Host> {
    const id = unique('host');
    const { host } = await h.store.enrollHost(
      { osqueryHostId: id, platform, hostname: `${id}.local`, uuid: id, hardwareSerial: '', osVersion: '', osqueryVersion: '5.12.1' },
      `nk-${id}`,
      teamId,
      new Date(),
    );
    return host;
  }

  async function createGlobal(fields: Record<string, unknown> = {}) {
    const res = await h.call('POST', `${V1}/global/policies`, { name: unique('policy'), query: 'SELECT 1;', ...fields });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.policy as Record<string, any>;
  }

  async function createTeam(name = unique('team')) {
    const res = await h.call('POST', `${V1}/teams`, { name });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.team as Record<string, any>;
  }

  const expectFleetError = (res: { status: number; body: any }, status: number, reason?: RegExp) => {
    expect(res.status).toBe(status);
    expect(typeof res.body.message).toBe('string');
    expect(Array.isArray(res.body.errors)).toBe(true);
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const item of res.body.errors) {
      expect(typeof item.name).toBe('string');
      expect(typeof item.reason).toBe('string');
    }
    if (reason) expect(res.body.errors.map((e: { reason: string }) => e.reason).join('\n')).toMatch(reason);
  };

  describe('global policies', () => {
    test('create returns the Fleet policy object with 0/0/null counts', async () => {
      const name = unique('Disk encryption');
      const res = await h.call('POST', `${V1}/global/policies`, {
        name,
        query: "SELECT 1 FROM disk_encryption WHERE encrypted = 1 AND name = '/dev/disk1';",
        description: 'FileVault on',
        resolution: 'Turn FileVault on',
        platform: 'darwin, linux',
        critical: true,
      });
      expect(res.status).toBe(200);
      const p = res.body.policy;
      expect(p).toMatchObject({
        name,
        description: 'FileVault on',
        resolution: 'Turn FileVault on',
        platform: 'darwin,linux',
        critical: true,
        team_id: null,
        passing_host_count: 0,
        failing_host_count: 0,
        host_count_updated_at: null,
      });
      for (const key of ['id', 'query', 'author_id', 'author_name', 'author_email', 'created_at', 'updated_at']) expect(p).toHaveProperty(key);
      expect(p.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    test('list, get, count and the /api/latest aliases', async () => {
      const p = await createGlobal();
      const list = await h.call('GET', `${V1}/global/policies`);
      expect(list.status).toBe(200);
      expect(list.body.policies.map((x: { id: number }) => x.id)).toContain(p.id);
      const latestList = await h.call('GET', `${LATEST}/policies`);
      expect(latestList.body.policies.map((x: { id: number }) => x.id)).toContain(p.id);
      const one = await h.call('GET', `${LATEST}/policies/${p.id}`);
      expect(one.status).toBe(200);
      expect(one.body.policy.name).toBe(p.name);
      const count = await h.call('GET', `${V1}/policies/count`);
      expect(count.body.count).toBe(list.body.policies.length);
      const paged = await h.call('GET', `${V1}/global/policies?page=0&per_page=1`);
      expect(paged.body.policies).toHaveLength(1);
      const search = await h.call('GET', `${V1}/global/policies?query=${encodeURIComponent(p.name)}`);
      expect(search.body.policies.map((x: { id: number }) => x.id)).toEqual([p.id]);
    });

    test('counts come from the overall count row; host_count_updated_at once aggregated', async () => {
      const p = await createGlobal();
      const at = new Date('2026-11-26T10:00:00Z');
      await h.store.upsertPolicyCounts(
        [
          { policyId: p.id, inheritedTeamId: null, passing: 7, failing: 3 },
          { policyId: p.id, inheritedTeamId: 0, passing: 1, failing: 1 },
        ],
        at,
      );
      const one = await h.call('GET', `${V1}/global/policies/${p.id}`);
      expect(one.body.policy).toMatchObject({ passing_host_count: 7, failing_host_count: 3, host_count_updated_at: '2026-11-26T10:00:00Z' });
      const list = await h.call('GET', `${V1}/global/policies`);
      expect(list.body.policies.find((x: { id: number }) => x.id === p.id)).toMatchObject({ passing_host_count: 7, failing_host_count: 3 });
    });

    test('400 policy payload verification for blank name, blank query, bad platform and non-read-only SQL; nothing stored', async () => {
      const before = (await h.store.listPolicies(null)).length;
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ name: '  ', query: 'SELECT 1' }, /^policy payload verification: policy name cannot be empty$/],
        [{ name: unique('p'), query: '' }, /^policy payload verification: policy query cannot be empty$/],
        [{ name: unique('p'), query: 'SELECT 1', platform: 'darwin,macos' }, /^policy payload verification: invalid policy platform/],
        [{ name: unique('p'), query: 'INSERT INTO t VALUES (1)' }, /invalid policy query.*INSERT/],
        [{ name: unique('p'), query: "ATTACH '/tmp/x.db' AS x" }, /invalid policy query.*ATTACH/],
        [{ name: unique('p'), query: 'SELECT 1; DELETE FROM users' }, /invalid policy query: only one SQL statement/],
        [{ name: unique('p'), query: 'PRAGMA table_info(users)' }, /invalid policy query.*PRAGMA/],
        [{ name: unique('p'), query: 'SELECT 1 /* ; */ ; DROP TABLE x' }, /invalid policy query/],
        [{ name: unique('p'), query: 'WITH x AS (SELECT 1) UPDATE t SET a = 1' }, /invalid policy query.*UPDATE/],
        [{ name: unique('p'), query: 'REPLACE INTO t VALUES (1)' }, /invalid policy query/],
      ];
      for (const [body, reason] of cases) {
        const res = await h.call('POST', `${V1}/global/policies`, body);
        expectFleetError(res, 400, reason);
        expect(res.body.message).toBe('Bad request');
      }
      expect((await h.store.listPolicies(null)).length).toBe(before);
    });

    test('read-only SQL with keywords inside strings, comments and function names is accepted', async () => {
      await createGlobal({ query: "SELECT 1 FROM apps WHERE name = 'DELETE me; INSERT' -- UPDATE\n AND replace(name, 'a', 'b') != ''" });
      await createGlobal({ query: 'WITH w AS (SELECT 1 AS one) SELECT one FROM w' });
    });

    test('409 for a duplicate name in the same scope', async () => {
      const p = await createGlobal();
      const res = await h.call('POST', `${V1}/global/policies`, { name: p.name, query: 'SELECT 2' });
      expectFleetError(res, 409);
      expect(res.body.message).toBe('Resource Already Exists');
    });

    test('400 for malformed JSON and for a non-object body', async () => {
      expectFleetError(await h.call('POST', `${V1}/global/policies`, '{"name": "x", "query": '), 400, /malformed JSON/);
      expectFleetError(await h.call('POST', `${V1}/global/policies`, '[1,2]'), 400);
      expectFleetError(await h.call('POST', `${V1}/global/policies`, { name: 5, query: 'SELECT 1' }), 400, /"name"/);
    });

    test('404 for unknown ids, 400 for bad ids', async () => {
      expectFleetError(await h.call('GET', `${V1}/global/policies/999999`), 404);
      expectFleetError(await h.call('PATCH', `${V1}/global/policies/999999`, { name: 'x' }), 404);
      expectFleetError(await h.call('GET', `${V1}/global/policies/abc`), 400);
    });

    test('patch changes only the given fields; verification and duplicates are rejected unchanged', async () => {
      const p = await createGlobal({ description: 'd1', resolution: 'r1' });
      const other = await createGlobal();
      const res = await h.call('PATCH', `${V1}/global/policies/${p.id}`, { description: 'd2', critical: true });
      expect(res.status).toBe(200);
      expect(res.body.policy).toMatchObject({ name: p.name, query: p.query, description: 'd2', resolution: 'r1', critical: true });
      expectFleetError(await h.call('PATCH', `${V1}/global/policies/${p.id}`, { query: 'DELETE FROM x' }), 400, /policy payload verification/);
      expectFleetError(await h.call('PATCH', `${V1}/global/policies/${p.id}`, { name: '' }), 400, /policy name cannot be empty/);
      expectFleetError(await h.call('PATCH', `${V1}/global/policies/${p.id}`, { name: other.name }), 409);
      expect((await h.store.getPolicy(p.id))).toMatchObject({ name: p.name, query: p.query, description: 'd2' });
    });

    test('delete returns the deleted ids; an unknown id deletes nothing (404)', async () => {
      const a = await createGlobal();
      const b = await createGlobal();
      expectFleetError(await h.call('POST', `${V1}/global/policies/delete`, { ids: [a.id, 999999] }), 404);
      expect(await h.store.getPolicy(a.id)).toBeDefined();
      expectFleetError(await h.call('POST', `${V1}/global/policies/delete`, { ids: 'x' }), 400);
      const res = await h.call('POST', `${LATEST}/policies/delete`, { ids: [a.id, b.id] });
      expect(res.status).toBe(200);
      expect([...res.body.deleted].sort()).toEqual([a.id, b.id].sort());
      expect(await h.store.getPolicy(a.id)).toBeUndefined();
    });
  });

  describe('team policies', () => {
    test('create, list with inherited_policies, merge_inherited, count, get, patch, delete', async () => {
      const team = await createTeam();
      const global = await createGlobal();
      const empty = await h.call('GET', `${V1}/teams/${team.id}/policies`);
      expect(empty.status).toBe(200);
      expect(empty.body.policies).toEqual([]);
      expect(Array.isArray(empty.body.inherited_policies)).toBe(true);

      const created = await h.call('POST', `${V1}/teams/${team.id}/policies`, { name: unique('tp'), query: 'SELECT 1', platform: 'windows' });
      expect(created.status).toBe(200);
      const tp = created.body.policy;
      expect(tp).toMatchObject({ team_id: team.id, platform: 'windows', passing_host_count: 0, host_count_updated_at: null });

      const at = new Date('2026-11-26T11:00:00Z');
      await h.store.upsertPolicyCounts(
        [
          { policyId: global.id, inheritedTeamId: null, passing: 50, failing: 5 },
          { policyId: global.id, inheritedTeamId: team.id, passing: 4, failing: 1 },
          { policyId: tp.id, inheritedTeamId: null, passing: 2, failing: 2 },
        ],
        at,
      );
      const list = await h.call('GET', `${V1}/teams/${team.id}/policies`);
      expect(list.body.policies).toHaveLength(1);
      expect(list.body.policies[0]).toMatchObject({ id: tp.id, passing_host_count: 2, failing_host_count: 2 });
      const inherited = list.body.inherited_policies.find((x: { id: number }) => x.id === global.id);
      expect(inherited).toMatchObject({ passing_host_count: 4, failing_host_count: 1, team_id: null });

      const merged = await h.call('GET', `${V1}/teams/${team.id}/policies?merge_inherited=true`);
      expect(merged.body.inherited_policies).toBeUndefined();
      const ids = merged.body.policies.map((x: { id: number }) => x.id);
      expect(ids).toContain(tp.id);
      expect(ids).toContain(global.id);
      expect(merged.body.policies.find((x: { id: number }) => x.id === global.id).passing_host_count).toBe(4);

      expect((await h.call('GET', `${V1}/teams/${team.id}/policies/count`)).body).toEqual({ count: 1 });
      const one = await h.call('GET', `${V1}/teams/${team.id}/policies/${tp.id}`);
      expect(one.body.policy).toMatchObject({ id: tp.id, passing_host_count: 2 });
      const patched = await h.call('PATCH', `${V1}/teams/${team.id}/policies/${tp.id}`, { resolution: 'fix it' });
      expect(patched.body.policy.resolution).toBe('fix it');
      const deleted = await h.call('POST', `${V1}/teams/${team.id}/policies/delete`, { ids: [tp.id] });
      expect(deleted.body).toEqual({ deleted: [tp.id] });
    });

    test('"No team" policies live under team 0', async () => {
      const res = await h.call('POST', `${V1}/teams/0/policies`, { name: unique('nt'), query: 'SELECT 1' });
      expect(res.status).toBe(200);
      expect(res.body.policy.team_id).toBe(0);
      const list = await h.call('GET', `${V1}/teams/0/policies`);
      expect(list.body.policies.map((x: { id: number }) => x.id)).toContain(res.body.policy.id);
    });

    test('404 for an unknown team or a policy of another scope; 400/409 like global', async () => {
      const team = await createTeam();
      const other = await createTeam();
      const global = await createGlobal();
      expectFleetError(await h.call('GET', `${V1}/teams/999999/policies`), 404);
      expectFleetError(await h.call('POST', `${V1}/teams/999999/policies`, { name: 'x', query: 'SELECT 1' }), 404);
      const tp = (await h.call('POST', `${V1}/teams/${team.id}/policies`, { name: unique('tp'), query: 'SELECT 1' })).body.policy;
      expectFleetError(await h.call('GET', `${V1}/teams/${other.id}/policies/${tp.id}`), 404);
      expectFleetError(await h.call('GET', `${V1}/teams/${team.id}/policies/${global.id}`), 404);
      expectFleetError(await h.call('GET', `${V1}/global/policies/${tp.id}`), 404);
      expectFleetError(await h.call('POST', `${V1}/teams/${other.id}/policies/delete`, { ids: [tp.id] }), 404);
      expectFleetError(await h.call('POST', `${V1}/teams/${team.id}/policies`, { name: tp.name, query: 'SELECT 1' }), 409);
      expectFleetError(await h.call('POST', `${V1}/teams/${team.id}/policies`, { name: 'x', query: 'DROP TABLE t' }), 400, /policy payload verification/);
      // The same name in another scope is fine.
      expect((await h.call('POST', `${V1}/teams/${other.id}/policies`, { name: tp.name, query: 'SELECT 1' })).status).toBe(200);
    });
  });

  describe('spec apply', () => {
    test('upserts by (team, name): global, No team and a team by name', async () => {
      const team = await createTeam();
      const name = unique('spec');
      const specs = [
        { name, query: 'SELECT 1', team: '' , platform: 'darwin'},
        { name, query: 'SELECT 2', team: 'No team' },
        { name, query: 'SELECT 3', team: team.name, description: 'team one', critical: true, unknown_key: 1 },
      ];
      const res = await h.call('POST', `${LATEST}/spec/policies`, { specs });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({});
      const global = (await h.store.listPolicies(null)).find((p) => p.name === name);
      const noTeam = (await h.store.listPolicies(0)).find((p) => p.name === name);
      const teamPolicy = (await h.store.listPolicies(team.id)).find((p) => p.name === name);
      expect(global).toMatchObject({ query: 'SELECT 1', platforms: 'darwin' });
      expect(noTeam).toMatchObject({ query: 'SELECT 2' });
      expect(teamPolicy).toMatchObject({ query: 'SELECT 3', description: 'team one', critical: true });
      // Re-apply: same ids, new query.
      const again = await h.call('POST', `${V1}/spec/policies`, { specs: [{ name, query: 'SELECT 10', team: '' }] });
      expect(again.status).toBe(200);
      expect(await h.store.getPolicy(global!.id)).toMatchObject({ query: 'SELECT 10', platforms: '' });
    });

    test('400 with every problem reported and nothing applied', async () => {
      const good = unique('good');
      const res = await h.call('POST', `${V1}/spec/policies`, {
        specs: [
          { name: good, query: 'SELECT 1' },
          { name: '', query: 'SELECT 1' },
          { name: unique('bad'), query: 'DELETE FROM t' },
          { name: unique('bad'), query: 'SELECT 1', platform: 'solaris' },
          { name: unique('bad'), query: 'SELECT 1', team: 'no-such-team' },
          { name: good, query: 'SELECT 2' },
        ],
      });
      expectFleetError(res, 400);
      const reasons = res.body.errors.map((e: { reason: string }) => e.reason).join('\n');
      expect(reasons).toMatch(/policy name cannot be empty/);
      expect(reasons).toMatch(/invalid policy query/);
      expect(reasons).toMatch(/invalid policy platform/);
      expect(reasons).toMatch(/team "no-such-team" does not exist/);
      expect(reasons).toMatch(/duplicate policy names not allowed/);
      expect(res.body.errors).toHaveLength(5);
      expect((await h.store.listPolicies(null)).find((p) => p.name === good)).toBeUndefined();
    });

    test('400 for a body without specs and for malformed JSON', async () => {
      expectFleetError(await h.call('POST', `${V1}/spec/policies`, { policies: [] }), 400);
      expectFleetError(await h.call('POST', `${V1}/spec/policies`, '{"specs": [}'), 400, /malformed JSON/);
    });
  });

  describe('teams and secrets', () => {
    test('create, list, get, secrets, delete', async () => {
      const team = await createTeam();
      expect(team).toMatchObject({ host_count: 0, secrets: [] });
      const list = await h.call('GET', `${V1}/teams`);
      expect(list.body.teams.map((t: { id: number }) => t.id)).toContain(team.id);
      expect((await h.call('GET', `${V1}/teams/${team.id}`)).body.team.name).toBe(team.name);
      const secret = unique('secret');
      const patched = await h.call('PATCH', `${V1}/teams/${team.id}/secrets`, { secrets: [{ secret }] });
      expect(patched.status).toBe(200);
      expect(patched.body.secrets).toEqual([expect.objectContaining({ secret, team_id: team.id })]);
      expect((await h.call('GET', `${V1}/teams/${team.id}/secrets`)).body.secrets.map((s: { secret: string }) => s.secret)).toEqual([secret]);
      const other = await createTeam();
      expectFleetError(await h.call('PATCH', `${V1}/teams/${other.id}/secrets`, { secrets: [{ secret }] }), 409);
      expectFleetError(await h.call('PATCH', `${V1}/teams/${other.id}/secrets`, { secrets: [{ secret: '' }] }), 400);
      const host = await enroll('ubuntu', team.id);
      expect((await h.call('GET', `${V1}/teams/${team.id}`)).body.team.host_count).toBe(1);
      expect((await h.call('DELETE', `${V1}/teams/${team.id}`)).status).toBe(200);
      expect(await h.store.getTeam(team.id)).toBeUndefined();
      expect((await h.store.getHost(host.id))?.teamId).toBeNull();
    });

    test('409 duplicate name, 422 blank name, 404 unknown team', async () => {
      const team = await createTeam();
      expectFleetError(await h.call('POST', `${V1}/teams`, { name: team.name }), 409);
      // Case-insensitively unique, as Fleet's utf8mb4_unicode_ci key.
      expect(team.name.toUpperCase()).not.toBe(team.name);
      expectFleetError(await h.call('POST', `${V1}/teams`, { name: team.name.toUpperCase() }), 409);
      const blank = await h.call('POST', `${V1}/teams`, { name: ' ' });
      expectFleetError(blank, 422);
      expect(blank.body.errors[0].name).toBe('name');
      expectFleetError(await h.call('DELETE', `${V1}/teams/999999`), 404);
      expectFleetError(await h.call('GET', `${V1}/teams/999999/secrets`), 404);
      expectFleetError(await h.call('PATCH', `${V1}/teams/999999/secrets`, { secrets: [] }), 404);
    });
  });

  describe('hosts', () => {
    test('detail shows each in-scope policy response and issues.failing_policies_count', async () => {
      const team = await createTeam();
      const host = await enroll('ubuntu', team.id);
      const pass = await createGlobal({ platform: 'linux' });
      const fail = await createGlobal();
      const unknown = await createGlobal();
      const notRun = await createGlobal({ platform: 'linux' });
      const darwinOnly = await createGlobal({ platform: 'darwin' });
      const tp = (await h.call('POST', `${V1}/teams/${team.id}/policies`, { name: unique('tp'), query: 'SELECT 1' })).body.policy;
      await h.store.recordPolicyResults([
        {
          hostId: host.id,
          reportedAt: new Date(),
          results: [
            { policyId: pass.id, passes: true },
            { policyId: fail.id, passes: false },
            { policyId: unknown.id, passes: null },
            { policyId: tp.id, passes: false },
          ],
        },
      ]);
      const res = await h.call('GET', `${V1}/hosts/${host.id}`);
      expect(res.status).toBe(200);
      const byId = new Map(res.body.host.policies.map((p: { id: number; response: string }) => [p.id, p.response]));
      expect(byId.get(pass.id)).toBe('pass');
      expect(byId.get(fail.id)).toBe('fail');
      expect(byId.get(unknown.id)).toBe('');
      expect(byId.get(notRun.id)).toBe('');
      expect(byId.get(tp.id)).toBe('fail');
      expect(byId.has(darwinOnly.id)).toBe(false);
      expect(res.body.host.issues.failing_policies_count).toBe(2);
      expect(res.body.host).toMatchObject({ id: host.id, team_id: team.id, team_name: team.name, platform: 'ubuntu', hostname: host.hostname });
      const latest = await h.call('GET', `${LATEST}/hosts/${host.id}`);
      expect(latest.body.host.issues.failing_policies_count).toBe(2);
    });

    test('detail: the host\'s vitals (hardware, network, disk space, users, software, MDM, batteries)', async () => {
      const host = await enroll('darwin');
      const bare = (await h.call('GET', `${V1}/hosts/${host.id}`)).body.host;
      expect(bare).toMatchObject({ memory: 0, primary_ip: '', users: [], software: [], batteries: [], gigs_all_disk_space: null, mdm: { enrollment_status: null } });
      await h.store.recordPolicyResults([{
        hostId: host.id, reportedAt: new Date('2026-12-05T10:00:00Z'), results: [], keepPolicyTimer: true,
        vitals: {
          host: { memory: 34359738368, cpuBrand: 'Apple M2 Pro', primaryIp: '192.168.1.23', primaryMac: 'a4:83:e7:1c:2d:3e', computerName: 'Alex MacBook Pro' },
          diskSpace: { gigsAvailable: 247.03, percentAvailable: 49.44, gigsTotal: 499.67, gigsAll: null },
          users: [{ uid: 501, username: 'alex', type: '', groupname: 'staff', shell: '/bin/zsh' }],
          software: [{ name: 'Slack', version: '4.41.97', source: 'apps', bundleIdentifier: 'com.tinyspeck.slackmacgap', release: '', arch: '', vendor: '', extensionId: '', extensionFor: '', lastOpenedAt: new Date('2026-12-04T09:00:00Z') }],
          mdm: { enrolled: true, serverUrl: 'https://mdm.example/mdm', installedFromDep: true, isServer: null, name: 'Jamf' },
          batteries: [{ serialNumber: 'F8Y2431A0PQ1MNKAB', cycleCount: 214, health: 'Normal' }],
        },
      }]);
      const res = await h.call('GET', `${V1}/hosts/${host.id}`);
      expect(res.status).toBe(200);
      expect(res.body.host).toMatchObject({
        memory: 34359738368, cpu_brand: 'Apple M2 Pro', primary_ip: '192.168.1.23', primary_mac: 'a4:83:e7:1c:2d:3e', computer_name: 'Alex MacBook Pro',
        gigs_disk_space_available: 247.03, percent_disk_space_available: 49.44, gigs_total_disk_space: 499.67,
        users: [{ uid: 501, username: 'alex', type: '', groupname: 'staff', shell: '/bin/zsh' }],
        mdm: { enrollment_status: 'On (automatic)', server_url: 'https://mdm.example/mdm', name: 'Jamf' },
        batteries: [{ cycle_count: 214, health: 'Normal' }],
      });
      expect(res.body.host.software).toEqual([expect.objectContaining({ name: 'Slack', version: '4.41.97', source: 'apps', bundle_identifier: 'com.tinyspeck.slackmacgap', last_opened_at: '2026-12-04T09:00:00Z' })]);
      expect(res.body.host.software[0].id).toBeGreaterThan(0);
    });

    test('list: pagination, team filter and the policy filter', async () => {
      const team = await createTeam();
      const hosts: Host[] = [];
      for (let i = 0; i < 5; i++) hosts.push(await enroll(i % 2 === 0 ? 'darwin' : 'windows', team.id));
      const policy = await createGlobal();
      await h.store.recordPolicyResults([
        { hostId: hosts[0]!.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: true }] },
        { hostId: hosts[1]!.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: false }] },
        { hostId: hosts[2]!.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: true }] },
        { hostId: hosts[3]!.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: null }] },
      ]);
      const ids = (res: { body: any }) => res.body.hosts.map((x: { id: number }) => x.id);
      const all = await h.call('GET', `${V1}/hosts?team_id=${team.id}`);
      expect(ids(all)).toEqual(hosts.map((x) => x.id));
      expect(all.body.hosts[1].issues.failing_policies_count).toBe(1);
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=${team.id}&per_page=2&page=0`))).toEqual(hosts.slice(0, 2).map((x) => x.id));
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=${team.id}&per_page=2&page=2`))).toEqual([hosts[4]!.id]);
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=${team.id}&per_page=2&page=3`))).toEqual([]);
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=${team.id}&policy_id=${policy.id}&policy_response=passing`))).toEqual([hosts[0]!.id, hosts[2]!.id]);
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=${team.id}&policy_id=${policy.id}&policy_response=failing`))).toEqual([hosts[1]!.id]);
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=${team.id}&policy_id=${policy.id}`))).toEqual([hosts[3]!.id, hosts[4]!.id]);
      expect((await h.call('GET', `${V1}/hosts/count?team_id=${team.id}&policy_id=${policy.id}&policy_response=passing`)).body).toEqual({ count: 2 });
      const noTeam = await enroll('darwin');
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=0`))).toContain(noTeam.id);
      expect(ids(await h.call('GET', `${V1}/hosts?team_id=0`))).not.toContain(hosts[0]!.id);
    });

    test('list errors: bad policy_response 400, policy_response without policy_id 400, unknown policy or team 404, bad page 400', async () => {
      const policy = await createGlobal();
      expectFleetError(await h.call('GET', `${V1}/hosts?policy_id=${policy.id}&policy_response=maybe`), 400, /passing.*failing/);
      expectFleetError(await h.call('GET', `${V1}/hosts?policy_response=passing`), 400, /requires policy_id/);
      expectFleetError(await h.call('GET', `${V1}/hosts?policy_id=999999`), 404);
      expectFleetError(await h.call('GET', `${V1}/hosts?team_id=999999`), 404);
      expectFleetError(await h.call('GET', `${V1}/hosts?per_page=-1`), 400);
    });

    test('refetch sets the flag; delete removes the host and its membership; 404 for unknown hosts', async () => {
      const host = await enroll('windows');
      const policy = await createGlobal();
      await h.store.recordPolicyResults([{ hostId: host.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: false }] }]);
      expect((await h.store.getHost(host.id))?.refetchRequested).toBe(false);
      const refetch = await h.call('POST', `${V1}/hosts/${host.id}/refetch`);
      expect(refetch.status).toBe(200);
      expect(refetch.body).toEqual({});
      expect((await h.store.getHost(host.id))?.refetchRequested).toBe(true);
      const changed: number[] = [];
      const onHost = (id: number) => changed.push(id);
      h.context.events.on('hostChanged', onHost);
      try {
        expect((await h.call('DELETE', `${V1}/hosts/${host.id}`)).status).toBe(200);
      } finally {
        h.context.events.off('hostChanged', onHost);
      }
      expect(changed).toEqual([host.id]);
      expect(await h.store.getHost(host.id)).toBeUndefined();
      expect(await h.store.getMembership(policy.id, host.id)).toBeUndefined();
      expectFleetError(await h.call('GET', `${V1}/hosts/${host.id}`), 404);
      expectFleetError(await h.call('DELETE', `${V1}/hosts/${host.id}`), 404);
      expectFleetError(await h.call('POST', `${V1}/hosts/${host.id}/refetch`), 404);
    });

    test('transfer moves hosts between teams', async () => {
      const team = await createTeam();
      const host = await enroll('darwin');
      expect((await h.call('POST', `${V1}/hosts/transfer`, { team_id: team.id, hosts: [host.id] })).status).toBe(200);
      expect((await h.store.getHost(host.id))?.teamId).toBe(team.id);
      expectFleetError(await h.call('POST', `${V1}/hosts/transfer`, { team_id: 999999, hosts: [host.id] }), 404);
      expectFleetError(await h.call('POST', `${V1}/hosts/transfer`, { team_id: team.id, hosts: [999999] }), 404);
    });
  });

  describe('auth', () => {
    test('401 with Fleet\'s body for a missing or wrong token on every kind of route', async () => {
      const routes: Array<[string, string, unknown?]> = [
        ['GET', `${V1}/global/policies`],
        ['POST', `${V1}/global/policies`, { name: 'x', query: 'SELECT 1' }],
        ['GET', `${LATEST}/hosts`],
        ['POST', `${V1}/spec/policies`, { specs: [] }],
        ['GET', `${V1}/teams`],
        ['DELETE', `${V1}/hosts/1`],
      ];
      for (const [method, path, body] of routes) {
        for (const token of [null, 'wrong', `${'test-token-0123456789'}x`]) {
          const res = await h.call(method, path, body, token);
          expectFleetError(res, 401);
          expect(res.body.message).toBe('Authentication required');
        }
      }
      expect((await h.store.listPolicies(null)).find((p) => p.name === 'x')).toBeUndefined();
    });
  });

  describe('edits', () => {
    test('a query change answers 0/0/null at once and clears every membership row in batches', async () => {
      const policy = await createGlobal();
      const hosts: Host[] = [];
      for (let i = 0; i < 25; i++) hosts.push(await enroll(i % 2 ? 'darwin' : 'ubuntu'));
      await h.store.recordPolicyResults(
        hosts.map((host, i) => ({ hostId: host.id, reportedAt: new Date(Date.now() - 5000), results: [{ policyId: policy.id, passes: i % 3 !== 0 }] })),
      );
      await h.store.upsertPolicyCounts([{ policyId: policy.id, inheritedTeamId: null, passing: 16, failing: 9 }], new Date());
      const removedEvents: number[] = [];
      const onChange = (changes: readonly { policyId: number }[]) => removedEvents.push(...changes.filter((c) => c.policyId === policy.id).map(() => 1));
      h.context.events.on('membershipChanged', onChange);
      try {
        const res = await h.call('PATCH', `${V1}/global/policies/${policy.id}`, { query: 'SELECT 2' });
        expect(res.status).toBe(200);
        expect(res.body.policy).toMatchObject({ query: 'SELECT 2', passing_host_count: 0, failing_host_count: 0, host_count_updated_at: null });
        // Until the clean-up ran, the host view already hides the old answer.
        const detail = await h.call('GET', `${V1}/hosts/${hosts[1]!.id}`);
        expect(detail.body.host.policies.find((p: { id: number }) => p.id === policy.id).response).toBe('');
        await h.cleanup.whenIdle();
      } finally {
        h.context.events.off('membershipChanged', onChange);
      }
      for (const host of hosts) expect(await h.store.getMembership(policy.id, host.id)).toBeUndefined();
      expect(removedEvents).toHaveLength(25);
      expect(await h.store.readPolicyCounts([policy.id])).toEqual([]);
    });

    test('until the clean-up ends, counts read 0/0/null and the host list has no answers for the edited policy', async () => {
      const team = await createTeam();
      const policy = await createGlobal();
      const hosts = [await enroll('darwin', team.id), await enroll('ubuntu', team.id)];
      await h.store.recordPolicyResults(hosts.map((host) => ({ hostId: host.id, reportedAt: new Date(Date.now() - 5000), results: [{ policyId: policy.id, passes: true }] })));
      h.cleanup.pause();
      try {
        expect((await h.call('PATCH', `${V1}/global/policies/${policy.id}`, { query: 'SELECT 3' })).status).toBe(200);
        // An aggregation that runs inside the window (here: by hand) must not show old answers.
        await h.store.upsertPolicyCounts([{ policyId: policy.id, inheritedTeamId: null, passing: 2, failing: 0 }], new Date());
        const one = await h.call('GET', `${V1}/global/policies/${policy.id}`);
        expect(one.body.policy).toMatchObject({ passing_host_count: 0, failing_host_count: 0, host_count_updated_at: null });
        const passing = await h.call('GET', `${V1}/hosts?team_id=${team.id}&policy_id=${policy.id}&policy_response=passing`);
        expect(passing.body.hosts).toEqual([]);
        const unanswered = await h.call('GET', `${V1}/hosts?team_id=${team.id}&policy_id=${policy.id}`);
        expect(unanswered.body.hosts.map((x: { id: number }) => x.id)).toEqual(hosts.map((x) => x.id));
        expect((await h.call('GET', `${V1}/hosts/count?team_id=${team.id}&policy_id=${policy.id}&policy_response=passing`)).body).toEqual({ count: 0 });
      } finally {
        h.cleanup.resume();
      }
      await h.cleanup.whenIdle();
      expect(await h.store.readPolicyCounts([policy.id])).toEqual([]);
      expect(await h.store.getMembership(policy.id, hosts[0]!.id)).toBeUndefined();
    });

    test('a platform change removes only rows of hosts on other platforms', async () => {
      const policy = await createGlobal();
      const mac = await enroll('darwin');
      const linux = await enroll('ubuntu');
      await h.store.recordPolicyResults([
        { hostId: mac.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: true }] },
        { hostId: linux.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: false }] },
      ]);
      const res = await h.call('PATCH', `${V1}/global/policies/${policy.id}`, { platform: 'darwin' });
      expect(res.status).toBe(200);
      await h.cleanup.whenIdle();
      expect(await h.store.getMembership(policy.id, mac.id)).toBe(true);
      expect(await h.store.getMembership(policy.id, linux.id)).toBeUndefined();
    });

    test('a description change keeps results and counts', async () => {
      const policy = await createGlobal();
      const host = await enroll('darwin');
      await h.store.recordPolicyResults([{ hostId: host.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: true }] }]);
      await h.store.upsertPolicyCounts([{ policyId: policy.id, inheritedTeamId: null, passing: 1, failing: 0 }], new Date());
      const res = await h.call('PATCH', `${V1}/global/policies/${policy.id}`, { description: 'new words' });
      expect(res.body.policy.passing_host_count).toBe(1);
      await h.cleanup.whenIdle();
      expect(await h.store.getMembership(policy.id, host.id)).toBe(true);
    });

    test('spec apply with a changed query invalidates like an edit', async () => {
      const name = unique('spec-edit');
      await h.call('POST', `${V1}/spec/policies`, { specs: [{ name, query: 'SELECT 1' }] });
      const policy = (await h.store.listPolicies(null)).find((p) => p.name === name)!;
      const host = await enroll('darwin');
      await h.store.recordPolicyResults([{ hostId: host.id, reportedAt: new Date(), results: [{ policyId: policy.id, passes: true }] }]);
      await h.store.upsertPolicyCounts([{ policyId: policy.id, inheritedTeamId: null, passing: 1, failing: 0 }], new Date());
      expect((await h.call('POST', `${V1}/spec/policies`, { specs: [{ name, query: 'SELECT 2' }] })).status).toBe(200);
      await h.cleanup.whenIdle();
      expect(await h.store.getMembership(policy.id, host.id)).toBeUndefined();
      expect(await h.store.readPolicyCounts([policy.id])).toEqual([]);
    });
  });
}
