/**
 * The Store contract: one suite, run against every store (memory.test.ts, mysql.test.ts).
 * `open` must hand out an empty store each time it is called (beforeEach).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Host, HostIdentity, MembershipChange, Policy, PolicyPasses, Store } from '../../../server/store/store.js';

export type OpenStore = () => Promise<Store>;

const LONG_AGO = new Date('2000-01-01T00:00:00.000Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function identity(n: number, platform = 'ubuntu'): HostIdentity {
  return {
    osqueryHostId: `host-${n}`,
    platform,
    hostname: `host-${n}.example`,
    uuid: `uuid-${n}`,
    hardwareSerial: `SN${n}`,
    osVersion: 'Ubuntu 22.04.4 LTS',
    osqueryVersion: '5.12.1',
  };
}

function sortChanges(changes: readonly MembershipChange[]): MembershipChange[] {
  return [...changes].sort(
    (a, b) => a.policyId - b.policyId || a.hostId - b.hostId || String(a.hostTeamId).localeCompare(String(b.hostTeamId)),
  );
}

export function storeContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const t0 = new Date('2026-01-02T03:04:05.678Z');

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    async function enroll(n: number, teamId: number | null = null, platform = 'ubuntu') {
      return (await store.enrollHost(identity(n, platform), `key-${n}`, teamId, t0)).host;
    }

    // --- teams and secrets --------------------------------------------------------------

    describe('teams and enroll secrets', () => {
      it('creates, finds and lists teams; a duplicate name is a conflict', async () => {
        const a = await store.createTeam('Workstations', 'laptops');
        const b = await store.createTeam('Servers');
        expect(a).toMatchObject({ name: 'Workstations', description: 'laptops' });
        expect(b.description).toBe('');
        expect(await store.getTeam(a.id)).toEqual(a);
        expect(await store.getTeamByName('Servers')).toEqual(b);
        expect(await store.getTeamByName('Server')).toBeUndefined();
        expect(await store.getTeam(9999)).toBeUndefined();
        expect((await store.listTeams()).map((t) => t.name)).toEqual(['Workstations', 'Servers']);
        await expect(store.createTeam('Servers')).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect(await store.listTeams()).toHaveLength(2);
      });

      it('team names are unique and found case-insensitively (Fleet: utf8mb4_unicode_ci)', async () => {
        const a = await store.createTeam('TeamA');
        await expect(store.createTeam('teama')).rejects.toMatchObject({ code: 'STORE_CONFLICT', status: 409 });
        await expect(store.createTeam('TEAMA')).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect(await store.getTeamByName('teama')).toEqual(a);
        expect(await store.getTeamByName('TEAMA')).toEqual(a);
        expect(await store.getTeamByName('TeamA')).toEqual(a);
        expect(await store.getTeamByName('TeamB')).toBeUndefined();
        expect((await store.listTeams()).map((t) => t.name)).toEqual(['TeamA']);
      });

      it('ensures a secret once; an existing secret keeps its scope; unknown teams are refused', async () => {
        const team = await store.createTeam('T');
        const s1 = await store.ensureEnrollSecret('global-secret', null);
        expect(s1).toMatchObject({ secret: 'global-secret', teamId: null });
        const again = await store.ensureEnrollSecret('global-secret', team.id);
        expect(again.teamId).toBeNull();
        await store.ensureEnrollSecret('team-secret', team.id);
        expect(await store.findEnrollSecret('team-secret')).toMatchObject({ teamId: team.id });
        expect(await store.findEnrollSecret('TEAM-SECRET')).toBeUndefined();
        await expect(store.ensureEnrollSecret('x', 4242)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect(await store.findEnrollSecret('x')).toBeUndefined();
      });

      it('replaces a scope\'s secrets, refusing secrets of another scope without changing anything', async () => {
        const team = await store.createTeam('T');
        await store.ensureEnrollSecret('g1', null);
        await store.replaceEnrollSecrets(team.id, ['a', 'b']);
        expect((await store.listEnrollSecrets(team.id)).map((s) => s.secret).sort()).toEqual(['a', 'b']);
        const replaced = await store.replaceEnrollSecrets(team.id, ['b', 'c']);
        expect(replaced.map((s) => s.secret)).toEqual(['b', 'c']);
        expect((await store.listEnrollSecrets(team.id)).map((s) => s.secret).sort()).toEqual(['b', 'c']);
        await expect(store.replaceEnrollSecrets(team.id, ['d', 'g1'])).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect((await store.listEnrollSecrets(team.id)).map((s) => s.secret).sort()).toEqual(['b', 'c']);
        expect((await store.listEnrollSecrets(null)).map((s) => s.secret)).toEqual(['g1']);
        expect(await store.replaceEnrollSecrets(team.id, [])).toEqual([]);
        expect(await store.listEnrollSecrets(team.id)).toEqual([]);
      });

      it('deletes a team with its policies, rows, counts and secrets; its hosts move to no team', async () => {
        const team = await store.createTeam('T');
        await store.ensureEnrollSecret('ts', team.id);
        const host = await enroll(1, team.id);
        const tp = await store.createPolicy({ teamId: team.id, name: 'team p', query: 'SELECT 1' });
        const gp = await store.createPolicy({ teamId: null, name: 'global p', query: 'SELECT 1' });
        await store.recordPolicyResults([{ hostId: host.id, results: [{ policyId: tp.id, passes: true }, { policyId: gp.id, passes: false }], reportedAt: t0 }]);
        await store.upsertPolicyCounts([{ policyId: tp.id, inheritedTeamId: null, passing: 1, failing: 0 }], t0);
        expect(await store.deleteTeam(team.id)).toBe(true);
        expect(await store.getTeam(team.id)).toBeUndefined();
        expect(await store.getPolicy(tp.id)).toBeUndefined();
        expect(await store.findEnrollSecret('ts')).toBeUndefined();
        expect((await store.getHost(host.id))?.teamId).toBeNull();
        expect((await store.hostMembership(host.id)).map((r) => r.policyId)).toEqual([gp.id]);
        expect(await store.readPolicyCounts([tp.id])).toEqual([]);
        expect(await store.deleteTeam(team.id)).toBe(false);
      });

      it('refuses values longer than their columns with STORE_INVALID, changing nothing', async () => {
        const team = await store.createTeam('T');
        await store.replaceEnrollSecrets(team.id, ['keep']);
        const long = 'x'.repeat(300);
        await expect(store.replaceEnrollSecrets(team.id, ['ok', long])).rejects.toMatchObject({ code: 'STORE_INVALID', status: 400 });
        await expect(store.ensureEnrollSecret(long, null)).rejects.toMatchObject({ code: 'STORE_INVALID' });
        expect((await store.listEnrollSecrets(team.id)).map((s) => s.secret)).toEqual(['keep']);
        expect(await store.listEnrollSecrets(null)).toEqual([]);
        await expect(store.createTeam(long)).rejects.toMatchObject({ code: 'STORE_INVALID' });
        await expect(store.createTeam('U', 'd'.repeat(1024))).rejects.toMatchObject({ code: 'STORE_INVALID' });
        expect(await store.listTeams()).toHaveLength(1);
        // 255 characters fit, also when they are outside the BMP (2 UTF-16 units each).
        const emoji = '\u{1F512}'.repeat(255);
        expect((await store.replaceEnrollSecrets(team.id, [emoji]))[0]!.secret).toBe(emoji);
        expect((await store.createTeam('y'.repeat(255))).name).toHaveLength(255);
      });
    });

    // --- hosts --------------------------------------------------------------------------

    describe('hosts', () => {
      it('enrolls a new host due everything', async () => {
        const team = await store.createTeam('T');
        const result = await store.enrollHost(identity(1, 'darwin'), 'key-1', team.id, t0);
        expect(result.reenrolled).toBe(false);
        expect(result.removed).toEqual([]);
        expect(result.host).toMatchObject({
          osqueryHostId: 'host-1',
          nodeKey: 'key-1',
          teamId: team.id,
          platform: 'darwin',
          hostname: 'host-1.example',
          uuid: 'uuid-1',
          hardwareSerial: 'SN1',
          osVersion: 'Ubuntu 22.04.4 LTS',
          osqueryVersion: '5.12.1',
          refetchRequested: true,
          detailUpdatedAt: LONG_AGO,
          policyUpdatedAt: LONG_AGO,
          lastEnrolledAt: t0,
          createdAt: t0,
        });
        expect(await store.getHost(result.host.id)).toEqual(result.host);
        expect(await store.getHostByNodeKey('key-1')).toEqual(result.host);
        expect(await store.getHostByNodeKey('nope')).toBeUndefined();
      });

      // Fleet's EnrollHost (server/datastore/mysql/hosts.go), existing-host branch: memberships
      // deleted, timers and refetch flag untouched, so the host drops out of the counts until its
      // next normal policy run.
      it('re-enrolls an existing host: same id, rotated key, new team, results wiped, timers kept', async () => {
        const team = await store.createTeam('T');
        const host = await enroll(1);
        const p1 = await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' });
        const p2 = await store.createPolicy({ teamId: null, name: 'p2', query: 'SELECT 1' });
        await store.recordPolicyResults([{ hostId: host.id, results: [{ policyId: p1.id, passes: true }, { policyId: p2.id, passes: null }], reportedAt: t0 }]);
        const detailAt = new Date(t0.getTime() + 5_000);
        await store.updateHostDetails(host.id, { detailUpdatedAt: detailAt, refetchRequested: false });
        const later = new Date(t0.getTime() + 60_000);
        const again = await store.enrollHost(identity(1), 'key-1b', team.id, later);
        expect(again.reenrolled).toBe(true);
        expect(again.host.id).toBe(host.id);
        expect(again.host).toMatchObject({ nodeKey: 'key-1b', teamId: team.id, refetchRequested: false, policyUpdatedAt: t0, detailUpdatedAt: detailAt, lastEnrolledAt: later, createdAt: t0 });
        expect(await store.getHost(host.id)).toMatchObject({ refetchRequested: false, policyUpdatedAt: t0, detailUpdatedAt: detailAt });
        expect(sortChanges(again.removed)).toEqual([
          { policyId: p1.id, hostId: host.id, hostTeamId: null, before: true, after: undefined },
          { policyId: p2.id, hostId: host.id, hostTeamId: null, before: null, after: undefined },
        ]);
        expect(await store.getHostByNodeKey('key-1')).toBeUndefined();
        expect((await store.getHostByNodeKey('key-1b'))?.id).toBe(host.id);
        expect(await store.hostMembership(host.id)).toEqual([]);
        expect(await store.countHosts({})).toBe(1);
      });

      it('two enrolls of one new host at once make one host', async () => {
        const results = await Promise.all([
          store.enrollHost(identity(1), 'key-a', null, t0),
          store.enrollHost(identity(1), 'key-b', null, t0),
        ]);
        expect(results.map((r) => r.reenrolled).sort()).toEqual([false, true]);
        expect(results[0].host.id).toBe(results[1].host.id);
        expect(await store.countHosts({})).toBe(1);
        const last = results.find((r) => r.reenrolled)!;
        expect((await store.getHost(last.host.id))?.nodeKey).toBe(last.host.nodeKey);
      });

      it('refuses a node key held by another host and an unknown team, changing nothing', async () => {
        await enroll(1);
        await expect(store.enrollHost(identity(2), 'key-1', null, t0)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        await expect(store.enrollHost(identity(3), 'key-3', 777, t0)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect(await store.countHosts({})).toBe(1);
        expect(await store.getHostByNodeKey('key-3')).toBeUndefined();
      });

      it('patches only the given details and keeps exact timestamps', async () => {
        const host = await enroll(1);
        const at = new Date('2026-03-04T05:06:07.089Z');
        await store.updateHostDetails(host.id, { hostname: 'renamed', uptimeSeconds: 12345, detailUpdatedAt: at, distributedInterval: 10, configTlsRefresh: 60, loggerTlsPeriod: 10 });
        const got = await store.getHost(host.id);
        expect(got).toMatchObject({ hostname: 'renamed', uptimeSeconds: 12345, detailUpdatedAt: at, uuid: 'uuid-1', platform: 'ubuntu', distributedInterval: 10, configTlsRefresh: 60, loggerTlsPeriod: 10, refetchRequested: true });
        await store.updateHostDetails(host.id, { refetchRequested: false, platform: 'darwin' });
        expect(await store.getHost(host.id)).toMatchObject({ refetchRequested: false, platform: 'darwin', hostname: 'renamed' });
        await store.updateHostDetails(9999, { hostname: 'ghost' });
        expect(await store.countHosts({})).toBe(1);
      });

      it('sets and clears the refetch flag', async () => {
        const host = await enroll(1);
        await store.updateHostDetails(host.id, { refetchRequested: false });
        expect(await store.setRefetchRequested(host.id, true)).toBe(true);
        expect((await store.getHostByNodeKey('key-1'))?.refetchRequested).toBe(true);
        expect(await store.setRefetchRequested(host.id, false)).toBe(true);
        expect((await store.getHost(host.id))?.refetchRequested).toBe(false);
        expect(await store.setRefetchRequested(9999, true)).toBe(false);
      });

      it('marks hosts seen', async () => {
        const a = await enroll(1);
        const b = await enroll(2);
        const seen = new Date('2026-05-06T07:08:09.123Z');
        await store.markHostsSeen([b.id, a.id, 9999], seen);
        expect((await store.getHost(a.id))?.seenTime).toEqual(seen);
        expect((await store.getHostByNodeKey('key-2'))?.seenTime).toEqual(seen);
        await store.markHostsSeen([], seen);
      });

      it('lists hosts by team, by policy response and by page', async () => {
        const team = await store.createTeam('T');
        const hosts: Host[] = [];
        for (let n = 1; n <= 6; n++) hosts.push(await enroll(n, n <= 3 ? team.id : null));
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        await store.recordPolicyResults([
          { hostId: hosts[0]!.id, results: [{ policyId: p.id, passes: true }], reportedAt: t0 },
          { hostId: hosts[1]!.id, results: [{ policyId: p.id, passes: false }], reportedAt: t0 },
          { hostId: hosts[2]!.id, results: [{ policyId: p.id, passes: null }], reportedAt: t0 },
          { hostId: hosts[3]!.id, results: [{ policyId: p.id, passes: true }], reportedAt: t0 },
        ]);
        const ids = async (filter: Parameters<Store['listHosts']>[0]) => (await store.listHosts(filter)).map((h) => h.id);
        const id = (i: number) => hosts[i]!.id;
        expect(await ids({})).toEqual(hosts.map((h) => h.id));
        expect(await ids({ teamId: team.id })).toEqual([id(0), id(1), id(2)]);
        expect(await ids({ teamId: null })).toEqual([id(3), id(4), id(5)]);
        expect(await ids({ policyId: p.id, policyResponse: 'passing' })).toEqual([id(0), id(3)]);
        expect(await ids({ policyId: p.id, policyResponse: 'failing' })).toEqual([id(1)]);
        // policy_id alone: hosts without a result (no row or NULL), as Fleet.
        expect(await ids({ policyId: p.id })).toEqual([id(2), id(4), id(5)]);
        expect(await ids({ policyId: p.id, policyResponse: 'passing', teamId: team.id })).toEqual([id(0)]);
        expect(await ids({ perPage: 4, page: 0 })).toEqual([id(0), id(1), id(2), id(3)]);
        expect(await ids({ perPage: 4, page: 1 })).toEqual([id(4), id(5)]);
        expect(await ids({ perPage: 4, page: 2 })).toEqual([]);
        expect(await store.countHosts({})).toBe(6);
        expect(await store.countHosts({ teamId: team.id })).toBe(3);
        expect(await store.countHosts({ policyId: p.id, policyResponse: 'passing' })).toBe(2);
        expect(await store.countHosts({ policyId: p.id, perPage: 1 })).toBe(3);
      });

      it('moves hosts between teams, dropping team-policy rows and reporting global rows as moved', async () => {
        const a = await store.createTeam('A');
        const b = await store.createTeam('B');
        const host = await enroll(1, a.id);
        const other = await enroll(2, a.id);
        const g = await store.createPolicy({ teamId: null, name: 'g', query: 'SELECT 1' });
        const ta = await store.createPolicy({ teamId: a.id, name: 'ta', query: 'SELECT 1' });
        await store.recordPolicyResults([
          { hostId: host.id, results: [{ policyId: g.id, passes: true }, { policyId: ta.id, passes: false }], reportedAt: t0 },
          { hostId: other.id, results: [{ policyId: ta.id, passes: true }], reportedAt: t0 },
        ]);
        const changes = await store.moveHostsToTeam([host.id], b.id);
        expect(sortChanges(changes)).toEqual(sortChanges([
          { policyId: ta.id, hostId: host.id, hostTeamId: a.id, before: false, after: undefined },
          { policyId: g.id, hostId: host.id, hostTeamId: a.id, before: true, after: undefined },
          { policyId: g.id, hostId: host.id, hostTeamId: b.id, before: undefined, after: true },
        ]));
        expect((await store.getHost(host.id))?.teamId).toBe(b.id);
        expect((await store.hostMembership(host.id)).map((r) => r.policyId)).toEqual([g.id]);
        expect(await store.getMembership(ta.id, other.id)).toBe(true);
        expect(await store.moveHostsToTeam([host.id], b.id)).toEqual([]);
        const toNone = await store.moveHostsToTeam([host.id, 9999], null);
        expect(toNone).toHaveLength(2);
        expect((await store.getHost(host.id))?.teamId).toBeNull();
        await expect(store.moveHostsToTeam([other.id], 777)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect((await store.getHost(other.id))?.teamId).toBe(a.id);
      });

      it('deletes a host with its rows', async () => {
        const host = await enroll(1);
        const keep = await enroll(2);
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        await store.recordPolicyResults([
          { hostId: host.id, results: [{ policyId: p.id, passes: false }], reportedAt: t0 },
          { hostId: keep.id, results: [{ policyId: p.id, passes: true }], reportedAt: t0 },
        ]);
        expect(await store.deleteHost(host.id)).toEqual([
          { policyId: p.id, hostId: host.id, hostTeamId: null, before: false, after: undefined },
        ]);
        expect(await store.getHost(host.id)).toBeUndefined();
        expect(await store.getHostByNodeKey('key-1')).toBeUndefined();
        expect(await store.getMembership(p.id, host.id)).toBeUndefined();
        expect(await store.countMembership()).toBe(1);
        expect(await store.deleteHost(host.id)).toBeUndefined();
        // The osquery host id is free again: enrolling it makes a new host.
        const back = await store.enrollHost(identity(1), 'key-1c', null, t0);
        expect(back.reenrolled).toBe(false);
      });
    });

    // --- policies -----------------------------------------------------------------------

    describe('policies', () => {
      it('creates, reads and lists policies; (team, name) is unique', async () => {
        const team = await store.createTeam('T');
        const g = await store.createPolicy({ teamId: null, name: 'Disk encryption', query: 'SELECT 1 FROM disk_encryption', description: 'd', resolution: 'r', platforms: 'darwin', critical: true, authorName: 'Ann', authorEmail: 'ann@example.com' });
        expect(g).toMatchObject({ teamId: null, name: 'Disk encryption', description: 'd', resolution: 'r', platforms: 'darwin', critical: true, authorId: null, authorName: 'Ann', authorEmail: 'ann@example.com' });
        expect(await store.getPolicy(g.id)).toEqual(g);
        const t = await store.createPolicy({ teamId: team.id, name: 'Disk encryption', query: 'SELECT 1' });
        const none = await store.createPolicy({ teamId: 0, name: 'Disk encryption', query: 'SELECT 1' });
        expect(t).toMatchObject({ description: '', resolution: '', platforms: '', critical: false });
        await expect(store.createPolicy({ teamId: null, name: 'Disk encryption', query: 'SELECT 2' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        await expect(store.createPolicy({ teamId: 0, name: 'Disk encryption', query: 'SELECT 2' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        // Names are compared after Unicode NFC normalisation, as Fleet does.
        await store.createPolicy({ teamId: null, name: 'Caf\u00e9', query: 'SELECT 1' });
        await expect(store.createPolicy({ teamId: null, name: 'Cafe\u0301', query: 'SELECT 1' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        await expect(store.createPolicy({ teamId: 4242, name: 'x', query: 'SELECT 1' })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect((await store.listPolicies(null)).map((p) => p.name)).toEqual(['Disk encryption', 'Caf\u00e9']);
        expect((await store.listPolicies(team.id)).map((p) => p.id)).toEqual([t.id]);
        expect((await store.listPolicies(0)).map((p) => p.id)).toEqual([none.id]);
        expect(await store.listAllPolicies()).toHaveLength(4);
        expect(await store.getPolicy(9999)).toBeUndefined();
      });

      it('scopes policies to a host by team and Fleet platform', async () => {
        const team = await store.createTeam('T');
        const other = await store.createTeam('O');
        const all = await store.createPolicy({ teamId: null, name: 'all', query: 'SELECT 1' });
        const linux = await store.createPolicy({ teamId: null, name: 'linux', query: 'SELECT 1', platforms: 'linux' });
        const mac = await store.createPolicy({ teamId: null, name: 'mac', query: 'SELECT 1', platforms: 'darwin' });
        const both = await store.createPolicy({ teamId: null, name: 'both', query: 'SELECT 1', platforms: 'darwin, linux' });
        const teamP = await store.createPolicy({ teamId: team.id, name: 'team', query: 'SELECT 1' });
        await store.createPolicy({ teamId: other.id, name: 'other', query: 'SELECT 1' });
        const noTeam = await store.createPolicy({ teamId: 0, name: 'no team', query: 'SELECT 1', platforms: 'linux' });
        const ids = async (teamId: number | null, platform: string) => (await store.policiesForHost(teamId, platform)).map((p) => p.id);
        expect(await ids(team.id, 'linux')).toEqual([all.id, linux.id, both.id, teamP.id]);
        expect(await ids(team.id, 'darwin')).toEqual([all.id, mac.id, both.id, teamP.id]);
        expect(await ids(null, 'linux')).toEqual([all.id, linux.id, both.id, noTeam.id]);
        expect(await ids(null, 'windows')).toEqual([all.id]);
        // A host whose platform is unknown gets only the policies for all platforms.
        expect(await ids(null, '')).toEqual([all.id]);
      });

      it('updates a policy, telling whether its query or platforms changed', async () => {
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1', platforms: 'linux' });
        await store.createPolicy({ teamId: null, name: 'taken', query: 'SELECT 1' });
        const r1 = await store.updatePolicy(p.id, { description: 'new text', critical: true });
        expect(r1).toMatchObject({ queryChanged: false, platformsChanged: false, policy: { description: 'new text', critical: true, query: 'SELECT 1', platforms: 'linux', name: 'p' } });
        const r2 = await store.updatePolicy(p.id, { query: 'SELECT 2' });
        expect(r2).toMatchObject({ queryChanged: true, platformsChanged: false });
        const r3 = await store.updatePolicy(p.id, { query: 'SELECT 2', platforms: 'darwin', name: 'renamed' });
        expect(r3).toMatchObject({ queryChanged: false, platformsChanged: true, policy: { name: 'renamed' } });
        expect(await store.getPolicy(p.id)).toEqual(r3!.policy);
        await expect(store.updatePolicy(p.id, { name: 'taken' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect((await store.getPolicy(p.id))?.name).toBe('renamed');
        expect(await store.updatePolicy(9999, { name: 'x' })).toBeUndefined();
        // The old name is free again.
        await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
      });

      it('deletes policies with their rows and counts', async () => {
        const host = await enroll(1);
        const p1 = await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' });
        const p2 = await store.createPolicy({ teamId: null, name: 'p2', query: 'SELECT 1' });
        await store.recordPolicyResults([{ hostId: host.id, results: [{ policyId: p1.id, passes: true }, { policyId: p2.id, passes: true }], reportedAt: t0 }]);
        await store.upsertPolicyCounts([
          { policyId: p1.id, inheritedTeamId: null, passing: 1, failing: 0 },
          { policyId: p2.id, inheritedTeamId: null, passing: 1, failing: 0 },
        ], t0);
        expect(await store.deletePolicies([p1.id, 9999, p1.id])).toEqual([p1.id]);
        expect(await store.getPolicy(p1.id)).toBeUndefined();
        expect(await store.getMembership(p1.id, host.id)).toBeUndefined();
        expect(await store.getMembership(p2.id, host.id)).toBe(true);
        expect((await store.readPolicyCounts()).map((c) => c.policyId)).toEqual([p2.id]);
        expect(await store.deletePolicies([])).toEqual([]);
        // Its name can be used again.
        await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' });
      });

      it('applies specs as an upsert by (team, name), all or nothing', async () => {
        const team = await store.createTeam('T');
        const existing = await store.createPolicy({ teamId: null, name: 'Firewall', query: 'SELECT 1', description: 'old', critical: true });
        const applied = await store.applyPolicySpecs([
          { teamId: null, name: 'Firewall', query: 'SELECT 2', description: 'new' },
          { teamId: team.id, name: 'Firewall', query: 'SELECT 1', platforms: 'darwin' },
          { teamId: 0, name: 'Screen lock', query: 'SELECT 1' },
        ]);
        expect(applied).toHaveLength(3);
        expect(applied[0]!.policy).toMatchObject({ id: existing.id, query: 'SELECT 2', description: 'new', critical: false });
        expect(applied[0]!.result).toMatchObject({ queryChanged: true, platformsChanged: false });
        expect(applied[1]!.result).toBe('created');
        expect(applied[1]!.policy).toMatchObject({ teamId: team.id, platforms: 'darwin' });
        expect(applied[2]!.policy.teamId).toBe(0);
        const before = await store.listAllPolicies();
        await expect(store.applyPolicySpecs([
          { teamId: null, name: 'Firewall', query: 'SELECT 3' },
          { teamId: null, name: 'Brand new', query: 'SELECT 1' },
          { teamId: 4242, name: 'Ghost team', query: 'SELECT 1' },
        ])).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect(await store.listAllPolicies()).toEqual(before);
        const again = await store.applyPolicySpecs([{ teamId: null, name: 'Firewall', query: 'SELECT 2', description: 'new' }]);
        expect(again[0]!.result).toMatchObject({ queryChanged: false, platformsChanged: false });
      });

      it('concurrent applies of one new spec all succeed, leave one policy and report one creation', async () => {
        const team = await store.createTeam('T');
        for (let round = 0; round < 6; round += 1) {
          const teamId = round % 2 === 0 ? null : team.id;
          const specs = [
            { teamId, name: `race-${round}`, query: 'SELECT 1', platforms: 'darwin' },
            { teamId, name: `race-${round}-b`, query: 'SELECT 2' },
          ];
          const applied = await Promise.all(Array.from({ length: 8 }, () => store.applyPolicySpecs(specs)));
          const policies = (await store.listAllPolicies()).filter((p) => p.name.startsWith(`race-${round}`));
          expect(policies.map((p) => [p.teamId, p.name, p.platforms])).toEqual([
            [teamId, `race-${round}`, 'darwin'], [teamId, `race-${round}-b`, ''],
          ]);
          for (const [k, policy] of policies.entries()) {
            expect(applied.filter((a) => a[k]!.result === 'created')).toHaveLength(1);
            for (const a of applied) {
              expect(a[k]!.policy.id).toBe(policy.id);
              if (a[k]!.result !== 'created') expect(a[k]!.result).toMatchObject({ queryChanged: false, platformsChanged: false });
            }
            expect(policy.updatedAt.getTime()).toBeGreaterThan(LONG_AGO.getTime());
          }
        }
      });
    });

    // --- membership ---------------------------------------------------------------------

    describe('policy results', () => {
      it('records pass, fail and unknown; stamps the host and clears its refetch flag', async () => {
        const a = await enroll(1);
        const b = await enroll(2);
        const p1 = await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' });
        const p2 = await store.createPolicy({ teamId: null, name: 'p2', query: 'SELECT 1' });
        const ta = new Date('2026-02-03T04:05:06.789Z');
        const tb = new Date('2026-02-03T04:05:07.001Z');
        const out = await store.recordPolicyResults([
          { hostId: a.id, results: [{ policyId: p2.id, passes: false }, { policyId: p1.id, passes: true }], reportedAt: ta },
          { hostId: b.id, results: [{ policyId: p1.id, passes: null }], reportedAt: tb },
        ]);
        expect(out.rowsWritten).toBe(3);
        expect(out.changes).toEqual([]);
        expect(await store.hostMembership(a.id)).toEqual([
          { policyId: p1.id, hostId: a.id, passes: true, updatedAt: ta },
          { policyId: p2.id, hostId: a.id, passes: false, updatedAt: ta },
        ]);
        expect(await store.getMembership(p1.id, b.id)).toBeNull();
        expect(await store.getMembership(p2.id, b.id)).toBeUndefined();
        expect(await store.getHost(a.id)).toMatchObject({ policyUpdatedAt: ta, refetchRequested: false });
        expect(await store.getHost(b.id)).toMatchObject({ policyUpdatedAt: tb, refetchRequested: false });
        expect(await store.countMembership()).toBe(3);
      });

      // Fleet's cleanupOutOfScopePolicyMembership (server/service/osquery.go): after a policy run,
      // the host's rows for policies with no result in the write are stale and deleted.
      it('a policy run deletes the host\'s rows for policies it did not answer (other hosts untouched)', async () => {
        const team = await store.createTeam('T');
        const a = await enroll(1, team.id);
        const b = await enroll(2);
        const [p1, p2, p3] = [
          await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' }),
          await store.createPolicy({ teamId: null, name: 'p2', query: 'SELECT 1' }),
          await store.createPolicy({ teamId: null, name: 'p3', query: 'SELECT 1' }),
        ];
        const all = [p1, p2, p3].map((p) => ({ policyId: p.id, passes: true }));
        await store.recordPolicyResults([
          { hostId: a.id, results: all, reportedAt: t0 },
          { hostId: b.id, results: all, reportedAt: t0 },
        ]);
        const t1 = new Date(t0.getTime() + 1_000);
        // Without the flag (e.g. answers to edited policies) nothing else goes.
        await store.recordPolicyResults([{ hostId: a.id, results: [{ policyId: p1.id, passes: false }], reportedAt: t1 }]);
        expect((await store.hostMembership(a.id)).map((r) => r.policyId)).toEqual([p1.id, p2.id, p3.id]);
        const t2 = new Date(t0.getTime() + 2_000);
        const out = await store.recordPolicyResults(
          [{ hostId: a.id, results: [{ policyId: p2.id, passes: false }], reportedAt: t2, deleteUnanswered: true }],
          { trackChanges: true },
        );
        expect(sortChanges(out.changes)).toEqual([
          { policyId: p1.id, hostId: a.id, hostTeamId: team.id, before: false, after: undefined },
          { policyId: p2.id, hostId: a.id, hostTeamId: team.id, before: true, after: false },
          { policyId: p3.id, hostId: a.id, hostTeamId: team.id, before: true, after: undefined },
        ]);
        expect(await store.hostMembership(a.id)).toEqual([{ policyId: p2.id, hostId: a.id, passes: false, updatedAt: t2 }]);
        expect((await store.hostMembership(b.id)).map((r) => r.policyId)).toEqual([p1.id, p2.id, p3.id]);
        expect(await store.getHost(a.id)).toMatchObject({ policyUpdatedAt: t2 });
        // The wildcard (no policies in scope): every stored row of the host is stale.
        const t3 = new Date(t0.getTime() + 3_000);
        const wildcard = await store.recordPolicyResults([{ hostId: b.id, results: [], reportedAt: t3, deleteUnanswered: true }]);
        expect(wildcard.changes).toEqual([]);
        expect(await store.hostMembership(b.id)).toEqual([]);
        expect(await store.getHost(b.id)).toMatchObject({ policyUpdatedAt: t3, refetchRequested: false });
        expect(await store.countMembership()).toBe(1);
      });

      it('a batch holding a run and a later partial answer of one host keeps both answers', async () => {
        const a = await enroll(1);
        const [p1, p2, p3] = [
          await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' }),
          await store.createPolicy({ teamId: null, name: 'p2', query: 'SELECT 1' }),
          await store.createPolicy({ teamId: null, name: 'p3', query: 'SELECT 1' }),
        ];
        await store.recordPolicyResults([{ hostId: a.id, results: [{ policyId: p3.id, passes: true }], reportedAt: t0 }]);
        const t1 = new Date(t0.getTime() + 1_000);
        const t2 = new Date(t0.getTime() + 2_000);
        const out = await store.recordPolicyResults(
          [
            { hostId: a.id, results: [{ policyId: p1.id, passes: true }], reportedAt: t1, deleteUnanswered: true },
            { hostId: a.id, results: [{ policyId: p2.id, passes: false }], reportedAt: t2, keepPolicyTimer: true },
          ],
          { trackChanges: true },
        );
        expect(sortChanges(out.changes)).toEqual([
          { policyId: p1.id, hostId: a.id, hostTeamId: null, before: undefined, after: true },
          { policyId: p2.id, hostId: a.id, hostTeamId: null, before: undefined, after: false },
          { policyId: p3.id, hostId: a.id, hostTeamId: null, before: true, after: undefined },
        ]);
        expect((await store.hostMembership(a.id)).map((r) => [r.policyId, r.passes])).toEqual([[p1.id, true], [p2.id, false]]);
        // The answer to edited policies only did not move the host's policy timer.
        expect(await store.getHost(a.id)).toMatchObject({ policyUpdatedAt: t1 });
      });

      it('an answer to edited policies only (keepPolicyTimer) stores rows and leaves the host row alone', async () => {
        const a = await enroll(1);
        const p1 = await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' });
        await store.recordPolicyResults([{ hostId: a.id, results: [], reportedAt: t0 }]);
        await store.setRefetchRequested(a.id, true);
        const t1 = new Date(t0.getTime() + 1_000);
        await store.recordPolicyResults([{ hostId: a.id, results: [{ policyId: p1.id, passes: true }], reportedAt: t1, keepPolicyTimer: true }]);
        expect(await store.getMembership(p1.id, a.id)).toBe(true);
        expect(await store.getHost(a.id)).toMatchObject({ policyUpdatedAt: t0, refetchRequested: true });
      });

      it('an empty result list (the wildcard answer) only stamps the host', async () => {
        const a = await enroll(1);
        const out = await store.recordPolicyResults([{ hostId: a.id, results: [], reportedAt: t0 }]);
        expect(out.rowsWritten).toBe(0);
        expect(await store.getHost(a.id)).toMatchObject({ policyUpdatedAt: t0, refetchRequested: false });
        expect(await store.countMembership()).toBe(0);
        expect(await store.recordPolicyResults([])).toEqual({ rowsWritten: 0, changes: [] });
      });

      it('tracks changes when asked: new cells, flips, and nothing for unchanged ones', async () => {
        const team = await store.createTeam('T');
        const a = await enroll(1, team.id);
        const b = await enroll(2);
        const p1 = await store.createPolicy({ teamId: null, name: 'p1', query: 'SELECT 1' });
        const p2 = await store.createPolicy({ teamId: null, name: 'p2', query: 'SELECT 1' });
        const first = await store.recordPolicyResults([
          { hostId: a.id, results: [{ policyId: p1.id, passes: true }, { policyId: p2.id, passes: null }], reportedAt: t0 },
        ], { trackChanges: true });
        expect(sortChanges(first.changes)).toEqual([
          { policyId: p1.id, hostId: a.id, hostTeamId: team.id, before: undefined, after: true },
          { policyId: p2.id, hostId: a.id, hostTeamId: team.id, before: undefined, after: null },
        ]);
        const second = await store.recordPolicyResults([
          { hostId: a.id, results: [{ policyId: p1.id, passes: true }, { policyId: p2.id, passes: false }], reportedAt: t0 },
          { hostId: b.id, results: [{ policyId: p1.id, passes: false }], reportedAt: t0 },
        ], { trackChanges: true });
        expect(sortChanges(second.changes)).toEqual([
          { policyId: p1.id, hostId: b.id, hostTeamId: null, before: undefined, after: false },
          { policyId: p2.id, hostId: a.id, hostTeamId: team.id, before: null, after: false },
        ]);
      });

      it('reports no change for a host that does not exist', async () => {
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        const out = await store.recordPolicyResults([{ hostId: 424242, results: [{ policyId: p.id, passes: true }], reportedAt: t0 }], { trackChanges: true });
        expect(out.changes).toEqual([]);
      });

      it('tracked changes add up to the stored cells, even with concurrent writers', async () => {
        // Concurrent batches are serialised by the store, but their answers may arrive in any order;
        // what a delta strategy needs is that, per cell, the changes net out to the stored value.
        const hosts: Host[] = [];
        for (let n = 1; n <= 12; n++) hosts.push(await enroll(n));
        const policies: Policy[] = [];
        for (let i = 0; i < 4; i++) policies.push(await store.createPolicy({ teamId: null, name: `p${i}`, query: 'SELECT 1' }));
        const values: PolicyPasses[] = [true, false, null];
        let seed = 7;
        const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        const net = new Map<string, number>(); // `${cell}=${value}` → (times it became value) − (times it left value)
        const bump = (cell: string, value: PolicyPasses | undefined, by: number) => {
          if (value === undefined) return;
          const key = `${cell}=${String(value)}`;
          net.set(key, (net.get(key) ?? 0) + by);
        };
        const writers = Array.from({ length: 6 }, async () => {
          for (let round = 0; round < 8; round++) {
            const batch = hosts.filter(() => next() < 0.5).map((h) => ({
              hostId: h.id,
              results: policies.filter(() => next() < 0.7).map((p) => ({ policyId: p.id, passes: values[Math.floor(next() * 3)]! })),
              reportedAt: t0,
            }));
            for (const c of (await store.recordPolicyResults(batch, { trackChanges: true })).changes) {
              expect(c.before).not.toBe(c.after);
              bump(`${c.policyId}:${c.hostId}`, c.before, -1);
              bump(`${c.policyId}:${c.hostId}`, c.after, +1);
            }
          }
        });
        await Promise.all(writers);
        const expected = new Map<string, number>();
        for (const h of hosts) for (const r of await store.hostMembership(h.id)) expected.set(`${r.policyId}:${r.hostId}=${String(r.passes)}`, 1);
        expect(expected.size).toBeGreaterThan(20);
        const nonZero = new Map([...net].filter(([, n]) => n !== 0).sort());
        expect(nonZero).toEqual(new Map([...expected].sort()));
      });

      it('the last result of a cell in one batch wins', async () => {
        const a = await enroll(1);
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        const t1 = new Date(t0.getTime() + 1000);
        const out = await store.recordPolicyResults([
          { hostId: a.id, results: [{ policyId: p.id, passes: true }], reportedAt: t0 },
          { hostId: a.id, results: [{ policyId: p.id, passes: false }], reportedAt: t1 },
        ], { trackChanges: true });
        expect(out.changes).toEqual([{ policyId: p.id, hostId: a.id, hostTeamId: null, before: undefined, after: false }]);
        expect(await store.hostMembership(a.id)).toEqual([{ policyId: p.id, hostId: a.id, passes: false, updatedAt: t1 }]);
        expect((await store.getHost(a.id))?.policyUpdatedAt).toEqual(t1);
      });

      it('concurrent batches over the same cells, with clean-ups and moves, all commit', async () => {
        const team = await store.createTeam('T');
        const hosts: Host[] = [];
        for (let n = 1; n <= 40; n++) hosts.push(await enroll(n));
        const policies: Policy[] = [];
        for (let i = 0; i < 5; i++) policies.push(await store.createPolicy({ teamId: null, name: `p${i}`, query: 'SELECT 1' }));
        const doomed = await store.createPolicy({ teamId: null, name: 'doomed', query: 'SELECT 1' });
        await store.recordPolicyResults(hosts.map((h) => ({ hostId: h.id, results: [{ policyId: doomed.id, passes: true }], reportedAt: t0 })));
        const batches = Array.from({ length: 16 }, (_, b) => {
          // Overlapping host sets in different orders; every batch writes the same value for a cell.
          const chosen = hosts.filter((_, i) => (i + b) % 3 !== 0);
          if (b % 2 === 1) chosen.reverse();
          return chosen.map((h) => ({
            hostId: h.id,
            results: [...policies].reverse().map((p) => ({ policyId: p.id, passes: (h.id + p.id) % 2 === 0 })),
            reportedAt: t0,
          }));
        });
        const work: Array<Promise<unknown>> = batches.map((batch, i) => store.recordPolicyResults(batch, { trackChanges: i % 2 === 0 }));
        work.push((async () => { while ((await store.clearPolicyMembershipBatch(doomed.id, 7)).length > 0); })());
        work.push(store.moveHostsToTeam(hosts.slice(0, 10).map((h) => h.id), team.id));
        await Promise.all(work);
        expect(await store.countMembership()).toBe(40 * 5);
        for (const h of [hosts[0]!, hosts[39]!]) {
          expect((await store.hostMembership(h.id)).map((r) => r.passes)).toEqual(policies.map((p) => (h.id + p.id) % 2 === 0));
        }
        expect(await store.countHosts({ teamId: team.id })).toBe(10);
      });

      it('clears a policy\'s rows in batches', async () => {
        const team = await store.createTeam('T');
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        const q = await store.createPolicy({ teamId: null, name: 'q', query: 'SELECT 1' });
        const batch = [];
        for (let n = 1; n <= 7; n++) {
          const h = await enroll(n, n === 1 ? team.id : null);
          batch.push({ hostId: h.id, results: [{ policyId: p.id, passes: n % 2 === 0 }, { policyId: q.id, passes: true }], reportedAt: t0 });
        }
        await store.recordPolicyResults(batch);
        const removed: MembershipChange[] = [];
        for (;;) {
          const step = await store.clearPolicyMembershipBatch(p.id, 3);
          if (step.length === 0) break;
          expect(step.length).toBeLessThanOrEqual(3);
          removed.push(...step);
        }
        expect(removed).toHaveLength(7);
        expect(removed[0]).toEqual({ policyId: p.id, hostId: batch[0]!.hostId, hostTeamId: team.id, before: false, after: undefined });
        expect(removed.filter((c) => c.before === true)).toHaveLength(3);
        expect(await store.countMembership()).toBe(7);
        expect(await store.clearPolicyMembershipBatch(q.id, 0)).toEqual([]);
      });

      it('clears only the rows of hosts outside the kept platforms', async () => {
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        const platforms = ['ubuntu', 'darwin', 'windows', 'rhel', '', 'darwin'];
        const hosts: Host[] = [];
        for (let n = 0; n < platforms.length; n++) hosts.push(await enroll(n + 1, null, platforms[n]));
        await store.recordPolicyResults(hosts.map((h) => ({ hostId: h.id, results: [{ policyId: p.id, passes: true }], reportedAt: t0 })));
        const removed: number[] = [];
        for (;;) {
          const step = await store.clearPolicyMembershipBatch(p.id, 1, 'linux,darwin');
          if (step.length === 0) break;
          removed.push(...step.map((c) => c.hostId));
        }
        // windows and the unknown platform go; ubuntu and rhel count as linux.
        expect(removed.sort((x, y) => x - y)).toEqual([hosts[2]!.id, hosts[4]!.id]);
        expect(await store.countMembership()).toBe(4);
        // A host whose platform changes is cleaned up by a later pass.
        await store.updateHostDetails(hosts[1]!.id, { platform: 'windows' });
        expect((await store.clearPolicyMembershipBatch(p.id, 10, 'linux, darwin')).map((c) => c.hostId)).toEqual([hosts[1]!.id]);
        expect(await store.clearPolicyMembershipBatch(p.id, 10, 'linux, darwin')).toEqual([]);
        // '' keeps every platform.
        expect(await store.clearPolicyMembershipBatch(p.id, 10, '')).toEqual([]);
        expect(await store.countMembership()).toBe(3);
      });

      it('with olderThan clears only rows written before the edit; fresh answers stay', async () => {
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        const platforms = ['ubuntu', 'windows', 'ubuntu', 'windows', 'darwin', 'ubuntu'];
        const hosts: Host[] = [];
        for (let n = 0; n < platforms.length; n++) hosts.push(await enroll(n + 1, null, platforms[n]));
        await store.recordPolicyResults(hosts.map((h) => ({ hostId: h.id, results: [{ policyId: p.id, passes: false }], reportedAt: t0 })));
        const editedAt = new Date(t0.getTime() + 60_000);
        const fresh = new Date(editedAt.getTime() + 1);
        // Hosts 1, 4 and 5 answer the edited query after the edit.
        await store.recordPolicyResults([0, 3, 4].map((i) => ({ hostId: hosts[i]!.id, results: [{ policyId: p.id, passes: true }], reportedAt: fresh })));
        const removed: number[] = [];
        for (;;) {
          const step = await store.clearPolicyMembershipBatch(p.id, 1, undefined, editedAt);
          if (step.length === 0) break;
          expect(step.every((c) => c.before === false)).toBe(true);
          removed.push(...step.map((c) => c.hostId));
          // A host answering while the clean-up runs keeps its fresh row; a stale row committed behind
          // the clean-up's position (a late ingest batch from before the edit) still goes.
          if (removed.length === 1) {
            await store.recordPolicyResults([{ hostId: hosts[5]!.id, results: [{ policyId: p.id, passes: true }], reportedAt: fresh }]);
            await store.recordPolicyResults([{ hostId: hosts[1]!.id, results: [{ policyId: p.id, passes: false }], reportedAt: t0 }]);
          }
        }
        expect(removed.sort((x, y) => x - y)).toEqual([hosts[1]!.id, hosts[1]!.id, hosts[2]!.id]);
        expect((await store.hostMembership(hosts[0]!.id)).map((r) => r.passes)).toEqual([true]);
        expect(await store.getMembership(p.id, hosts[5]!.id)).toBe(true);
        expect(await store.countMembership()).toBe(4);
        // With kept platforms too: only stale rows of other platforms go (windows host 4 is fresh).
        await store.recordPolicyResults([{ hostId: hosts[1]!.id, results: [{ policyId: p.id, passes: false }], reportedAt: t0 }]);
        expect((await store.clearPolicyMembershipBatch(p.id, 10, 'linux', editedAt)).map((c) => c.hostId)).toEqual([hosts[1]!.id]);
        expect(await store.clearPolicyMembershipBatch(p.id, 10, 'linux', editedAt)).toEqual([]);
        expect(await store.countMembership()).toBe(4);
      });
    });

    // --- counts -------------------------------------------------------------------------

    describe('counts', () => {
      it('computes overall and inherited per-team counts; unknown results never count', async () => {
        const a = await store.createTeam('A');
        const b = await store.createTeam('B');
        const g = await store.createPolicy({ teamId: null, name: 'g', query: 'SELECT 1' });
        const ta = await store.createPolicy({ teamId: a.id, name: 'ta', query: 'SELECT 1' });
        const none = await store.createPolicy({ teamId: 0, name: 'none', query: 'SELECT 1' });
        const empty = await store.createPolicy({ teamId: null, name: 'empty', query: 'SELECT 1' });
        const h = [await enroll(1, a.id), await enroll(2, a.id), await enroll(3, null), await enroll(4, null), await enroll(5, b.id)];
        await store.recordPolicyResults([
          { hostId: h[0]!.id, results: [{ policyId: g.id, passes: true }, { policyId: ta.id, passes: true }], reportedAt: t0 },
          { hostId: h[1]!.id, results: [{ policyId: g.id, passes: false }, { policyId: ta.id, passes: null }], reportedAt: t0 },
          { hostId: h[2]!.id, results: [{ policyId: g.id, passes: true }, { policyId: none.id, passes: false }], reportedAt: t0 },
          { hostId: h[3]!.id, results: [{ policyId: g.id, passes: null }, { policyId: none.id, passes: true }], reportedAt: t0 },
          { hostId: h[4]!.id, results: [{ policyId: g.id, passes: false }], reportedAt: t0 },
        ]);
        const computed = await store.computePolicyCounts();
        expect(computed.rowsScanned).toBe(9);
        const sorted = [...computed.counts].sort((x, y) => x.policyId - y.policyId || (x.inheritedTeamId ?? -1) - (y.inheritedTeamId ?? -1));
        expect(sorted).toEqual([
          { policyId: g.id, inheritedTeamId: null, passing: 2, failing: 2 },
          { policyId: g.id, inheritedTeamId: 0, passing: 1, failing: 0 },
          { policyId: g.id, inheritedTeamId: a.id, passing: 1, failing: 1 },
          { policyId: g.id, inheritedTeamId: b.id, passing: 0, failing: 1 },
          { policyId: ta.id, inheritedTeamId: null, passing: 1, failing: 0 },
          { policyId: none.id, inheritedTeamId: null, passing: 1, failing: 1 },
          { policyId: empty.id, inheritedTeamId: null, passing: 0, failing: 0 },
          { policyId: empty.id, inheritedTeamId: 0, passing: 0, failing: 0 },
          { policyId: empty.id, inheritedTeamId: a.id, passing: 0, failing: 0 },
          { policyId: empty.id, inheritedTeamId: b.id, passing: 0, failing: 0 },
        ]);
        const subset = await store.computePolicyCounts([ta.id, 9999]);
        expect(subset).toEqual({ counts: [{ policyId: ta.id, inheritedTeamId: null, passing: 1, failing: 0 }], rowsScanned: 2 });
        // Every policy by id gives the same answer as the full recompute.
        const byIds = await store.computePolicyCounts([g.id, ta.id, none.id, empty.id]);
        expect(byIds.rowsScanned).toBe(9);
        expect(new Set(byIds.counts)).toEqual(new Set(computed.counts));
        // A row left by a host that no longer exists is stored but never counted.
        await store.recordPolicyResults([{ hostId: 424242, results: [{ policyId: g.id, passes: true }], reportedAt: t0 }]);
        expect(await store.countMembership()).toBe(10);
        const again = await store.computePolicyCounts();
        expect(again.rowsScanned).toBe(9);
        expect(again.counts.find((c) => c.policyId === g.id && c.inheritedTeamId === null)).toMatchObject({ passing: 2, failing: 2 });
      });

      it('per-team counts follow team moves, team deletion and re-enrolls (with and without tracked changes)', async () => {
        const a = await store.createTeam('A');
        const b = await store.createTeam('B');
        const g = await store.createPolicy({ teamId: null, name: 'g', query: 'SELECT 1' });
        const h1 = await enroll(1, a.id);
        const h2 = await enroll(2, a.id);
        const h3 = await enroll(3, null);
        await store.recordPolicyResults([
          { hostId: h1.id, results: [{ policyId: g.id, passes: true }], reportedAt: t0 },
          { hostId: h2.id, results: [{ policyId: g.id, passes: false }], reportedAt: t0 },
        ]);
        await store.recordPolicyResults([{ hostId: h3.id, results: [{ policyId: g.id, passes: true }], reportedAt: t0 }], { trackChanges: true });
        const scoped = async (): Promise<Record<string, [number, number]>> => {
          const out: Record<string, [number, number]> = {};
          for (const c of (await store.computePolicyCounts()).counts) out[String(c.inheritedTeamId)] = [c.passing, c.failing];
          return out;
        };
        expect(await scoped()).toEqual({ null: [2, 1], 0: [1, 0], [a.id]: [1, 1], [b.id]: [0, 0] });
        await store.moveHostsToTeam([h2.id], b.id);
        expect(await scoped()).toEqual({ null: [2, 1], 0: [1, 0], [a.id]: [1, 0], [b.id]: [0, 1] });
        // A later write (tracked or not) keeps the host's current team.
        await store.recordPolicyResults([{ hostId: h2.id, results: [{ policyId: g.id, passes: true }], reportedAt: t0 }], { trackChanges: true });
        await store.recordPolicyResults([{ hostId: h1.id, results: [{ policyId: g.id, passes: false }], reportedAt: t0 }]);
        expect(await scoped()).toEqual({ null: [2, 1], 0: [1, 0], [a.id]: [0, 1], [b.id]: [1, 0] });
        await store.deleteTeam(a.id);
        expect(await scoped()).toEqual({ null: [2, 1], 0: [1, 1], [b.id]: [1, 0] });
        // Re-enrolled into another team: its rows are gone; new answers count under the new team.
        await store.enrollHost(identity(3, 'ubuntu'), 'key-3b', b.id, t0);
        await store.recordPolicyResults([{ hostId: h3.id, results: [{ policyId: g.id, passes: false }], reportedAt: t0 }]);
        expect(await scoped()).toEqual({ null: [1, 2], 0: [0, 1], [b.id]: [1, 1] });
        await store.deleteHost(h2.id);
        expect(await scoped()).toEqual({ null: [0, 2], 0: [0, 1], [b.id]: [0, 1] });
      });

      it('upserts, adds deltas to, reads and deletes count rows', async () => {
        const g = await store.createPolicy({ teamId: null, name: 'g', query: 'SELECT 1' });
        const p = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        const t1 = new Date('2026-04-05T06:07:08.901Z');
        const t2 = new Date(t1.getTime() + 5000);
        await store.upsertPolicyCounts([
          { policyId: p.id, inheritedTeamId: null, passing: 3, failing: 4 },
          { policyId: g.id, inheritedTeamId: 2, passing: 1, failing: 0 },
          { policyId: g.id, inheritedTeamId: null, passing: 5, failing: 6 },
          { policyId: g.id, inheritedTeamId: 0, passing: 2, failing: 2 },
        ], t1);
        expect(await store.readPolicyCounts()).toEqual([
          { policyId: g.id, inheritedTeamId: null, passing: 5, failing: 6, updatedAt: t1 },
          { policyId: g.id, inheritedTeamId: 0, passing: 2, failing: 2, updatedAt: t1 },
          { policyId: g.id, inheritedTeamId: 2, passing: 1, failing: 0, updatedAt: t1 },
          { policyId: p.id, inheritedTeamId: null, passing: 3, failing: 4, updatedAt: t1 },
        ]);
        await store.upsertPolicyCounts([{ policyId: g.id, inheritedTeamId: null, passing: 7, failing: 0 }], t2);
        await store.addPolicyCountDeltas([
          { policyId: p.id, inheritedTeamId: null, passing: 1, failing: -1 },
          { policyId: p.id, inheritedTeamId: null, passing: 1, failing: 0 },
          { policyId: p.id, inheritedTeamId: 0, passing: 0, failing: 1 },
        ], t2);
        expect(await store.readPolicyCounts([p.id])).toEqual([
          { policyId: p.id, inheritedTeamId: null, passing: 5, failing: 3, updatedAt: t2 },
          { policyId: p.id, inheritedTeamId: 0, passing: 0, failing: 1, updatedAt: t2 },
        ]);
        expect((await store.readPolicyCounts([g.id]))[0]).toEqual({ policyId: g.id, inheritedTeamId: null, passing: 7, failing: 0, updatedAt: t2 });
        await store.deletePolicyCounts(g.id);
        expect((await store.readPolicyCounts()).map((c) => c.policyId)).toEqual([p.id, p.id]);
        expect(await store.readPolicyCounts([])).toEqual([]);
        await store.upsertPolicyCounts([], t2);
        await store.addPolicyCountDeltas([], t2);
      });
    });

    // --- leases and runs ----------------------------------------------------------------

    describe('leases and stats runs', () => {
      it('holds a lease for one owner at a time, extends it, and lets another take over after expiry', async () => {
        expect(await store.acquireLease('stats', 'a', 300)).toBe(true);
        expect(await store.acquireLease('stats', 'b', 300)).toBe(false);
        expect(await store.acquireLease('stats', 'a', 300)).toBe(true);
        expect(await store.acquireLease('other', 'b', 300)).toBe(true);
        await sleep(400);
        expect(await store.acquireLease('stats', 'b', 60_000)).toBe(true);
        expect(await store.acquireLease('stats', 'a', 60_000)).toBe(false);
        await store.releaseLease('stats', 'a');
        expect(await store.acquireLease('stats', 'a', 60_000)).toBe(false);
        await store.releaseLease('stats', 'b');
        expect(await store.acquireLease('stats', 'a', 60_000)).toBe(true);
      });

      it('only one of many concurrent contenders wins', async () => {
        const owners = ['a', 'b', 'c', 'd', 'e', 'f'];
        const won = await Promise.all(owners.map((o) => store.acquireLease('race', o, 60_000)));
        expect(won.filter(Boolean)).toHaveLength(1);
      });

      it('records stats runs and lists the newest first', async () => {
        const base = { strategy: 'cron', instance: 'i1', durationMs: 12.5, rowsScanned: 1000, policiesUpdated: 3, drift: 0 };
        const r1 = await store.recordStatsRun({ ...base, startedAt: t0 });
        const r2 = await store.recordStatsRun({ ...base, strategy: 'incremental', drift: 2, startedAt: new Date(t0.getTime() + 1) });
        expect(r1.id).toBeGreaterThan(0);
        expect(r2.id).toBeGreaterThan(r1.id!);
        expect(await store.listStatsRuns(10)).toEqual([r2, r1]);
        expect(await store.listStatsRuns(1)).toEqual([r2]);
        expect(await store.listStatsRuns(0)).toEqual([]);
      });
    });

    describe('host change feed', () => {
      it('starts with a reset, then reports nothing new when nothing changed', async () => {
        const first = await store.hostChangesSince(undefined);
        expect(first.reset).toBe(true);
        expect(typeof first.cursor).toBe('string');
        const second = await store.hostChangesSince(first.cursor);
        expect(second.reset).toBe(false);
        expect(second.changedHostIds).toEqual([]);
        expect(second.deletedHostIds).toEqual([]);
        expect(second.policiesVersion).toBe(first.policiesVersion);
        expect((await store.hostChangesSince('not a cursor')).reset).toBe(true);
      });

      it('reports every host write except last-seen (at least once)', async () => {
        const team = await store.createTeam('feed');
        const policy = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
        let cursor = (await store.hostChangesSince(undefined)).cursor;
        const changedAfter = async (write: () => Promise<unknown>): Promise<readonly number[]> => {
          await write();
          const changes = await store.hostChangesSince(cursor);
          expect(changes.reset).toBe(false);
          cursor = changes.cursor;
          return changes.changedHostIds;
        };
        let hostId = 0;
        expect(await changedAfter(async () => (hostId = (await enroll(1)).id))).toContain(hostId);
        expect(await changedAfter(() => store.setRefetchRequested(hostId, false))).toContain(hostId);
        expect(await changedAfter(() => store.updateHostDetails(hostId, { hostname: 'renamed' }))).toContain(hostId);
        expect(await changedAfter(() => store.moveHostsToTeam([hostId], team.id))).toContain(hostId);
        expect(
          await changedAfter(() =>
            store.recordPolicyResults([{ hostId, results: [{ policyId: policy.id, passes: true }], reportedAt: new Date() }]),
          ),
        ).toContain(hostId);
        expect(await changedAfter(() => store.enrollHost(identity(1), 'key-1b', null, t0))).toContain(hostId);
        expect(await changedAfter(() => store.deleteTeam(team.id))).toEqual(expect.any(Array));
        await store.deleteHost(hostId);
        const deleted = await store.hostChangesSince(cursor);
        expect(deleted.deletedHostIds).toContain(hostId);
      });

      it('getHosts returns the existing hosts of a list of ids, in id order', async () => {
        const a = await enroll(1);
        const b = await enroll(2);
        expect((await store.getHosts([b.id, 999, a.id, b.id])).map((h) => h.id)).toEqual([a.id, b.id]);
        expect(await store.getHosts([])).toEqual([]);
        expect((await store.getHosts([a.id]))[0]).toEqual(await store.getHost(a.id));
      });

      it('moves the policies version with every policy write, including deletes', async () => {
        const team = await store.createTeam('pv');
        const versions: string[] = [(await store.hostChangesSince(undefined)).policiesVersion];
        const step = async (write: () => Promise<unknown>): Promise<void> => {
          await write();
          const version = (await store.hostChangesSince(undefined)).policiesVersion;
          expect(versions).not.toContain(version);
          versions.push(version);
        };
        let id = 0;
        await step(async () => (id = (await store.createPolicy({ teamId: team.id, name: 'a', query: 'SELECT 1' })).id));
        await step(() => store.updatePolicy(id, { query: 'SELECT 2' }));
        await step(() => store.applyPolicySpecs([{ teamId: null, name: 'b', query: 'SELECT 3' }]));
        await step(() => store.applyPolicySpecs([{ teamId: null, name: 'b', query: 'SELECT 4' }]));
        await step(() => store.deletePolicies([id]));
        await step(async () => {
          await store.createPolicy({ teamId: team.id, name: 'c', query: 'SELECT 5' });
          await store.deleteTeam(team.id);
        });
        await enroll(2);
        expect((await store.hostChangesSince(undefined)).policiesVersion).toBe(versions[versions.length - 1]);
      });
    });

    describe('orbit enroll and device tokens', () => {
      const orbitIdentity = (n: number, osqueryIdentifier = '') => ({
        hardwareUuid: `uuid-${n}`,
        hardwareSerial: `SN${n}`,
        hostname: `host-${n}.example`,
        platform: 'darwin',
        osqueryIdentifier,
        computerName: `host-${n}`,
        hardwareModel: 'MacBookPro18,3',
      });

      it('creates a host due everything, keyed by the hardware UUID, found by its orbit node key only', async () => {
        const { host, created } = await store.enrollOrbit(orbitIdentity(1), 'orbit-1', null, t0);
        expect(created).toBe(true);
        expect(host).toMatchObject({ osqueryHostId: 'uuid-1', uuid: 'uuid-1', hardwareSerial: 'SN1', platform: 'darwin', refetchRequested: true });
        expect(host.policyUpdatedAt).toEqual(LONG_AGO);
        expect((await store.getHostByOrbitNodeKey('orbit-1'))?.id).toBe(host.id);
        expect(await store.getHostByOrbitNodeKey('orbit-2')).toBeUndefined();
        // No osquery node key is handed out until osquery enrolls.
        expect(await store.getHostByNodeKey('')).toBeUndefined();
      });

      it('matches the host osquery enrolled (by osquery_host_id, then uuid) and keeps one row', async () => {
        const osquery = await enroll(1, null, 'darwin');
        const { host, created } = await store.enrollOrbit(orbitIdentity(1, 'host-1'), 'orbit-1', null, t0);
        expect(created).toBe(false);
        expect(host.id).toBe(osquery.id);
        expect(host.nodeKey).toBe('key-1');
        const byUuid = await store.enrollOrbit(orbitIdentity(1), 'orbit-1b', null, t0);
        expect(byUuid).toMatchObject({ created: false, host: { id: osquery.id } });
        expect(await store.getHostByOrbitNodeKey('orbit-1')).toBeUndefined();
        expect((await store.getHostByOrbitNodeKey('orbit-1b'))?.id).toBe(osquery.id);
        expect(await store.countHosts({})).toBe(1);
      });

      it('lets osquery enroll later onto the orbit-created host (same id, timers still due)', async () => {
        const { host } = await store.enrollOrbit(orbitIdentity(7), 'orbit-7', null, t0);
        const osquery = (await store.enrollHost({ ...identity(7, 'darwin'), osqueryHostId: 'uuid-7' }, 'key-7', null, t0)).host;
        expect(osquery.id).toBe(host.id);
        expect(osquery.refetchRequested).toBe(true);
        expect((await store.getHostByOrbitNodeKey('orbit-7'))?.nodeKey).toBe('key-7');
      });

      it('rejects an unknown team and a key held by another host without writing anything', async () => {
        await expect(store.enrollOrbit(orbitIdentity(1), 'orbit-1', 999, t0)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect(await store.countHosts({})).toBe(0);
        await store.enrollOrbit(orbitIdentity(1), 'orbit-1', null, t0);
        await expect(store.enrollOrbit(orbitIdentity(2), 'orbit-1', null, t0)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect(await store.countHosts({})).toBe(1);
      });

      it('stores one device token per host; the same token keeps its time, another host\'s token conflicts', async () => {
        const a = (await store.enrollOrbit(orbitIdentity(1), 'orbit-1', null, t0)).host;
        const b = (await store.enrollOrbit(orbitIdentity(2), 'orbit-2', null, t0)).host;
        await store.setDeviceAuthToken(a.id, 'token-a', t0);
        const later = new Date(t0.getTime() + 30 * 60_000);
        await store.setDeviceAuthToken(a.id, 'token-a', later);
        // Valid since t0 still (updated_at did not move), not since `later`.
        expect((await store.getHostByDeviceAuthToken('token-a', t0))?.id).toBe(a.id);
        expect(await store.getHostByDeviceAuthToken('token-a', later)).toBeUndefined();
        await expect(store.setDeviceAuthToken(b.id, 'token-a', later)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect(await store.getHostByDeviceAuthToken('token-a', t0)).toMatchObject({ id: a.id });
        // Rotation replaces the old token.
        await store.setDeviceAuthToken(a.id, 'token-a2', later);
        expect(await store.getHostByDeviceAuthToken('token-a', t0)).toBeUndefined();
        expect((await store.getHostByDeviceAuthToken('token-a2', later))?.id).toBe(a.id);
        await expect(store.setDeviceAuthToken(9999, 'token-z', later)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
        expect(await store.getHostByDeviceAuthToken('token-z', t0)).toBeUndefined();
      });

      it('reads a token with its host and set time whatever its age; a new token is a host change in the feed', async () => {
        const a = (await store.enrollOrbit(orbitIdentity(1), 'orbit-1', null, t0)).host;
        let cursor = (await store.hostChangesSince(undefined)).cursor;
        expect(await store.setDeviceAuthToken(a.id, 'token-a', t0)).toEqual(t0);
        const afterSet = await store.hostChangesSince(cursor);
        expect(afterSet.changedHostIds).toContain(a.id);
        cursor = afterSet.cursor;
        const later = new Date(t0.getTime() + 2 * 3_600_000);
        // The same token again: its set time stays, and is what the call answers.
        expect(await store.setDeviceAuthToken(a.id, 'token-a', later)).toEqual(t0);
        expect(await store.getDeviceAuthToken('token-a')).toEqual({ hostId: a.id, updatedAt: t0 });
        expect(await store.setDeviceAuthToken(a.id, 'token-a2', later)).toEqual(later);
        expect((await store.hostChangesSince(cursor)).changedHostIds).toContain(a.id);
        expect(await store.getDeviceAuthToken('token-a')).toBeUndefined();
        expect(await store.getDeviceAuthToken('token-a2')).toEqual({ hostId: a.id, updatedAt: later });
        await store.deleteHost(a.id);
        expect(await store.getDeviceAuthToken('token-a2')).toBeUndefined();
      });

      it('upserts host_orbit_info (NULLs kept), ignores an unknown host, and drops it with the host', async () => {
        const a = (await store.enrollOrbit(orbitIdentity(1), 'orbit-1', null, t0)).host;
        expect(await store.getHostOrbitInfo(a.id)).toBeUndefined();
        await store.setHostOrbitInfo(a.id, { version: '1.38.0', desktopVersion: null, scriptsEnabled: null }, t0);
        expect(await store.getHostOrbitInfo(a.id)).toEqual({ version: '1.38.0', desktopVersion: null, scriptsEnabled: null });
        await store.setHostOrbitInfo(a.id, { version: '1.39.1', desktopVersion: '1.39.1', scriptsEnabled: true }, t0);
        expect(await store.getHostOrbitInfo(a.id)).toEqual({ version: '1.39.1', desktopVersion: '1.39.1', scriptsEnabled: true });
        await store.setHostOrbitInfo(9999, { version: '1.0.0', desktopVersion: null, scriptsEnabled: false }, t0);
        expect(await store.getHostOrbitInfo(9999)).toBeUndefined();
        await store.deleteHost(a.id);
        expect(await store.getHostOrbitInfo(a.id)).toBeUndefined();
      });

      it('deleting a host drops its orbit node key and frees its device token', async () => {
        const a = (await store.enrollOrbit(orbitIdentity(1), 'orbit-1', null, t0)).host;
        const b = (await store.enrollOrbit(orbitIdentity(2), 'orbit-2', null, t0)).host;
        await store.setDeviceAuthToken(a.id, 'token-a', t0);
        await store.deleteHost(a.id);
        expect(await store.getHostByOrbitNodeKey('orbit-1')).toBeUndefined();
        expect(await store.getHostByDeviceAuthToken('token-a', t0)).toBeUndefined();
        await store.setDeviceAuthToken(b.id, 'token-a', t0);
        expect((await store.getHostByDeviceAuthToken('token-a', t0))?.id).toBe(b.id);
      });
    });

    describe('lifecycle', () => {
      it('pings and migrates again without harm', async () => {
        await store.ping();
        await store.createTeam('keep');
        await store.migrate();
        expect((await store.listTeams()).map((t) => t.name)).toEqual(['keep']);
      });
    });
  });
}
