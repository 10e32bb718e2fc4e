/**
 * The host-vitals part of the Store contract (VitalsStore + HostPolicyResults.vitals), run against
 * every store (vitals.memory.test.ts, vitals.mysql.test.ts). `open` hands out an empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostPolicyResults, HostVitalsReport, SoftwareItem, Store } from '../../../server/store/store.js';

export type OpenStore = () => Promise<Store>;

const t0 = new Date('2026-03-01T10:00:00.000Z');
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);

function software(name: string, version: string, extra: Partial<SoftwareItem> = {}): SoftwareItem {
  return {
    name, version, source: 'deb_packages', bundleIdentifier: '', release: '', arch: 'amd64', vendor: '', extensionId: '', extensionFor: '',
    lastOpenedAt: null, ...extra,
  };
}

const COMMON = [software('openssl', '3.0.2-0ubuntu1.15'), software('curl', '7.81.0-1ubuntu1.16'), software('bash', '5.1-6ubuntu1.1')];

function vitalsOnly(hostId: number, vitals: HostVitalsReport, at = t0): HostPolicyResults {
  return { hostId, results: [], reportedAt: at, keepPolicyTimer: true, vitals };
}

export function vitalsContract(name: string, open: OpenStore): void {
  describe(`Store contract (host vitals): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    async function enroll(n: number): Promise<number> {
      const identity = { osqueryHostId: `h${n}`, platform: 'ubuntu', hostname: `h${n}`, uuid: `u${n}`, hardwareSerial: `s${n}`, osVersion: '', osqueryVersion: '' };
      return (await store.enrollHost(identity, `k${n}`, null, new Date('2026-01-01T00:00:00Z'))).host.id;
    }

    it('stores host columns, disk space, users, software, MDM and batteries; leaves the policy timer alone', async () => {
      const id = await enroll(1);
      const before = (await store.getHost(id))!;
      await store.recordPolicyResults([
        vitalsOnly(id, {
          host: {
            platform: 'ubuntu', osVersion: 'Ubuntu 22.04.4 LTS', osqueryVersion: '5.13.1', hostname: 'web-1', uptimeSeconds: 3600,
            detailUpdatedAt: t0, refetchRequested: false, memory: 68719476736, cpuBrand: 'Intel Xeon', cpuLogicalCores: 16,
            hardwareModel: 'PowerEdge R650', primaryIp: '10.0.4.17', primaryMac: '00:1a:2b:3c:4d:5e', publicIp: '203.0.113.9',
            platformLike: 'debian', lastRestartedAt: minutes(-60),
          },
          diskSpace: { gigsAvailable: 52.02, percentAvailable: 49.6, gigsTotal: 104.86, gigsAll: 120.5 },
          users: [
            { uid: 0, username: 'root', type: '', groupname: 'root', shell: '/bin/bash' },
            { uid: 1000, username: 'ops', type: '', groupname: 'ops', shell: '/bin/bash' },
          ],
          software: COMMON,
          mdm: { enrolled: true, serverUrl: 'https://fleet.example/mdm', installedFromDep: false, isServer: false, name: 'Fleet' },
          batteries: [{ serialNumber: 'B1', cycleCount: 12, health: 'Normal' }],
        }),
      ]);
      const host = (await store.getHost(id))!;
      expect(host).toMatchObject({ hostname: 'web-1', osVersion: 'Ubuntu 22.04.4 LTS', osqueryVersion: '5.13.1', uptimeSeconds: 3600, refetchRequested: false });
      expect(host.detailUpdatedAt).toEqual(t0);
      expect(host.policyUpdatedAt).toEqual(before.policyUpdatedAt);
      const vitals = (await store.getHostVitals(id))!;
      expect(vitals.columns).toMatchObject({
        memory: 68719476736, cpuBrand: 'Intel Xeon', cpuLogicalCores: 16, hardwareModel: 'PowerEdge R650', primaryIp: '10.0.4.17',
        primaryMac: '00:1a:2b:3c:4d:5e', publicIp: '203.0.113.9', platformLike: 'debian',
      });
      expect(vitals.columns.lastRestartedAt).toEqual(minutes(-60));
      expect(vitals.diskSpace).toEqual({ gigsAvailable: 52.02, percentAvailable: 49.6, gigsTotal: 104.86, gigsAll: 120.5 });
      expect(vitals.users.map((u) => u.username)).toEqual(['root', 'ops']);
      expect(vitals.software.map((s) => s.name)).toEqual(['bash', 'curl', 'openssl']);
      expect(vitals.mdm).toEqual({ enrolled: true, serverUrl: 'https://fleet.example/mdm', installedFromDep: false, isServer: false, name: 'Fleet' });
      expect(vitals.batteries).toEqual([{ serialNumber: 'B1', cycleCount: 12, health: 'Normal' }]);
      expect(await store.countVitals()).toEqual({ software: 3, hostSoftware: 3, hostUsers: 2, hostDisks: 1, hostMdm: 1, hostBatteries: 1 });
    });

    it('shares software rows between hosts (one row per name, version, source, …)', async () => {
      const a = await enroll(1);
      const b = await enroll(2);
      await store.recordPolicyResults([
        vitalsOnly(a, { software: [...COMMON, software('nginx', '1.18.0')] }),
        vitalsOnly(b, { software: [...COMMON, software('nginx', '1.24.0'), software('bash', '5.1-6ubuntu1.1', { source: 'rpm_packages' })] }),
      ]);
      expect(await store.countVitals()).toMatchObject({ software: 6, hostSoftware: 9 });
      const sa = (await store.getHostVitals(a))!.software;
      const sb = (await store.getHostVitals(b))!.software;
      const idOf = (list: typeof sa, n: string, v: string, source = 'deb_packages') => list.find((s) => s.name === n && s.version === v && s.source === source)?.id;
      expect(idOf(sa, 'openssl', '3.0.2-0ubuntu1.15')).toBe(idOf(sb, 'openssl', '3.0.2-0ubuntu1.15'));
      expect(idOf(sa, 'nginx', '1.18.0')).not.toBe(idOf(sb, 'nginx', '1.24.0'));
      expect(idOf(sb, 'bash', '5.1-6ubuntu1.1', 'rpm_packages')).not.toBe(idOf(sb, 'bash', '5.1-6ubuntu1.1'));
    });

    it('diffs a host\'s software: gone items leave, new ones join, last_opened_at moves only by an hour or more', async () => {
      const id = await enroll(1);
      const app = (opened: Date | null) => software('Slack', '4.41.105', { source: 'apps', bundleIdentifier: 'com.tinyspeck.slackmacgap', lastOpenedAt: opened });
      await store.recordPolicyResults([vitalsOnly(id, { software: [COMMON[0]!, COMMON[1]!, app(minutes(0))] })]);
      await store.recordPolicyResults([vitalsOnly(id, { software: [COMMON[0]!, COMMON[2]!, app(minutes(30))] }, minutes(60))]);
      let list = (await store.getHostVitals(id))!.software;
      expect(list.map((s) => s.name)).toEqual(['Slack', 'bash', 'openssl']);
      expect(list.find((s) => s.name === 'Slack')!.lastOpenedAt).toEqual(minutes(0));
      await store.recordPolicyResults([vitalsOnly(id, { software: [COMMON[0]!, COMMON[2]!, app(minutes(61))] }, minutes(120))]);
      list = (await store.getHostVitals(id))!.software;
      expect(list.find((s) => s.name === 'Slack')!.lastOpenedAt).toEqual(minutes(61));
      // curl's row stays in the shared catalogue (another host may report it); the host's link went.
      expect(await store.countVitals()).toMatchObject({ software: 4, hostSoftware: 3 });
      await store.recordPolicyResults([vitalsOnly(id, { software: [] }, minutes(180))]);
      expect((await store.getHostVitals(id))!.software).toEqual([]);
    });

    it('users: reported users are current, unreported ones are marked removed, an empty answer changes nothing', async () => {
      const id = await enroll(1);
      const user = (uid: number, username: string, shell = '/bin/bash') => ({ uid, username, type: '', groupname: username, shell });
      await store.recordPolicyResults([vitalsOnly(id, { users: [user(0, 'root'), user(1000, 'ops')] })]);
      await store.recordPolicyResults([vitalsOnly(id, { users: [user(0, 'root', '/bin/zsh'), user(1001, 'dev')] }, minutes(60))]);
      expect((await store.getHostVitals(id))!.users).toEqual([user(0, 'root', '/bin/zsh'), user(1001, 'dev')]);
      await store.recordPolicyResults([vitalsOnly(id, { users: [] }, minutes(120))]);
      expect((await store.getHostVitals(id))!.users.map((u) => u.username)).toEqual(['root', 'dev']);
      // ops comes back: it is current again.
      await store.recordPolicyResults([vitalsOnly(id, { users: [user(1000, 'ops')] }, minutes(180))]);
      expect((await store.getHostVitals(id))!.users.map((u) => u.username)).toEqual(['ops']);
      expect((await store.countVitals()).hostUsers).toBe(3);
    });

    it('batteries are replaced by each answer; disk space and MDM are upserted', async () => {
      const id = await enroll(1);
      await store.recordPolicyResults([vitalsOnly(id, {
        batteries: [{ serialNumber: 'B1', cycleCount: 12, health: 'Normal' }, { serialNumber: 'B2', cycleCount: 1100, health: 'Service recommended' }],
        diskSpace: { gigsAvailable: 10, percentAvailable: 10, gigsTotal: 100, gigsAll: null },
      })]);
      await store.recordPolicyResults([vitalsOnly(id, {
        batteries: [{ serialNumber: 'B2', cycleCount: 1101, health: 'Service recommended' }],
        diskSpace: { gigsAvailable: 9.5, percentAvailable: 9.5, gigsTotal: 100, gigsAll: null },
        mdm: { enrolled: false, serverUrl: '', installedFromDep: false, isServer: null, name: '' },
      }, minutes(60))]);
      const vitals = (await store.getHostVitals(id))!;
      expect(vitals.batteries).toEqual([{ serialNumber: 'B2', cycleCount: 1101, health: 'Service recommended' }]);
      expect(vitals.diskSpace).toEqual({ gigsAvailable: 9.5, percentAvailable: 9.5, gigsTotal: 100, gigsAll: null });
      expect(vitals.mdm).toEqual({ enrolled: false, serverUrl: '', installedFromDep: false, isServer: null, name: '' });
      await store.recordPolicyResults([vitalsOnly(id, { batteries: [] }, minutes(120))]);
      expect((await store.getHostVitals(id))!.batteries).toEqual([]);
    });

    it('last_restarted_at moves only by more than 30 s', async () => {
      const id = await enroll(1);
      await store.recordPolicyResults([vitalsOnly(id, { host: { uptimeSeconds: 600, lastRestartedAt: minutes(-10) } })]);
      await store.recordPolicyResults([vitalsOnly(id, { host: { uptimeSeconds: 4220, lastRestartedAt: new Date(minutes(-10).getTime() + 20_000) } }, minutes(60))]);
      expect((await store.getHostVitals(id))!.columns.lastRestartedAt).toEqual(minutes(-10));
      await store.recordPolicyResults([vitalsOnly(id, { host: { uptimeSeconds: 60, lastRestartedAt: minutes(119) } }, minutes(120))]);
      expect((await store.getHostVitals(id))!.columns.lastRestartedAt).toEqual(minutes(119));
    });

    it('stores vitals and policy results of one batch together, and a host\'s later entry in the batch wins', async () => {
      const id = await enroll(1);
      const policy = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
      await store.recordPolicyResults([
        { hostId: id, results: [{ policyId: policy.id, passes: true }], reportedAt: t0, deleteUnanswered: true, vitals: { software: [COMMON[0]!], host: { hostname: 'first' } } },
        vitalsOnly(id, { software: [COMMON[1]!], host: { hostname: 'second' } }, minutes(1)),
      ]);
      expect(await store.getMembership(policy.id, id)).toBe(true);
      expect((await store.getHost(id))!.policyUpdatedAt).toEqual(t0);
      expect((await store.getHost(id))!.hostname).toBe('second');
      expect((await store.getHostVitals(id))!.software.map((s) => s.name)).toEqual(['curl']);
    });

    it('an unknown host has no vitals and gets none stored; deleting a host deletes its vitals', async () => {
      const id = await enroll(1);
      expect(await store.getHostVitals(9999)).toBeUndefined();
      expect(await store.getHostVitals(id)).toEqual({ columns: expect.any(Object), diskSpace: undefined, users: [], software: [], mdm: undefined, batteries: [] });
      await store.recordPolicyResults([vitalsOnly(9999, { software: COMMON, users: [{ uid: 1, username: 'x', type: '', groupname: '', shell: '' }] })]);
      expect(await store.countVitals()).toEqual({ software: 0, hostSoftware: 0, hostUsers: 0, hostDisks: 0, hostMdm: 0, hostBatteries: 0 });
      await store.recordPolicyResults([vitalsOnly(id, {
        software: COMMON, users: [{ uid: 1, username: 'x', type: '', groupname: '', shell: '' }],
        diskSpace: { gigsAvailable: 1, percentAvailable: 1, gigsTotal: 2, gigsAll: null },
        mdm: { enrolled: false, serverUrl: '', installedFromDep: false, isServer: null, name: '' },
        batteries: [{ serialNumber: 'B', cycleCount: 1, health: 'Normal' }],
      })]);
      await store.deleteHost(id);
      expect(await store.getHostVitals(id)).toBeUndefined();
      expect(await store.countVitals()).toEqual({ software: 3, hostSoftware: 0, hostUsers: 0, hostDisks: 0, hostMdm: 0, hostBatteries: 0 });
    });

    // Fleet's directIngestOrbitInfo → SetOrUpdateHostOrbitInfo (server/service/osquery_utils/queries.go,
    // server/datastore/mysql/hosts.go): one host_orbit_info row per host, replaced by each answer.
    it('orbit info from a write is upserted into host_orbit_info (NULLs kept), in the batch with the rest; unknown hosts get none', async () => {
      const a = await enroll(1);
      const b = await enroll(2);
      expect(await store.getHostOrbitInfo(a)).toBeUndefined();
      await store.recordPolicyResults([
        vitalsOnly(a, { orbitInfo: { version: '1.36.0', desktopVersion: '1.36.0', scriptsEnabled: true }, host: { hostname: 'fleetd-a' } }),
        vitalsOnly(b, { orbitInfo: { version: '1.35.1', desktopVersion: null, scriptsEnabled: null } }),
        vitalsOnly(9999, { orbitInfo: { version: '9.9.9', desktopVersion: null, scriptsEnabled: false } }),
      ]);
      expect(await store.getHostOrbitInfo(a)).toEqual({ version: '1.36.0', desktopVersion: '1.36.0', scriptsEnabled: true });
      expect(await store.getHostOrbitInfo(b)).toEqual({ version: '1.35.1', desktopVersion: null, scriptsEnabled: null });
      expect(await store.getHostOrbitInfo(9999)).toBeUndefined();
      expect((await store.getHost(a))!.hostname).toBe('fleetd-a');
      // A later answer replaces the row; of two entries for one host in a batch, the later one wins.
      await store.recordPolicyResults([
        vitalsOnly(a, { orbitInfo: { version: '1.37.0', desktopVersion: '', scriptsEnabled: false } }, minutes(60)),
        vitalsOnly(a, { orbitInfo: { version: '1.38.0', desktopVersion: '1.38.0', scriptsEnabled: false } }, minutes(61)),
      ]);
      expect(await store.getHostOrbitInfo(a)).toEqual({ version: '1.38.0', desktopVersion: '1.38.0', scriptsEnabled: false });
      await store.deleteHost(a);
      expect(await store.getHostOrbitInfo(a)).toBeUndefined();
      expect(await store.getHostOrbitInfo(b)).toEqual({ version: '1.35.1', desktopVersion: null, scriptsEnabled: null });
    });
  });
}
