/**
 * End-to-end: a few hundred simulated hosts against the real osqsim server (real catalogue, real
 * SQL), zero errors, and the simulator's ground truth equal to the server's policy membership.
 */
import { expect, it } from 'vitest';
import { buildServer } from '../../server/app.js';
import type { Store } from '../../server/store/store.js';
import { validateScenario } from '../../scenarios/schema/scenario.js';
import { runSimulation } from '../../simulator/pool.js';

const SECRET = 'e2e-secret';
const ENCRYPTED = 'SELECT 1 FROM disk_encryption WHERE encrypted = 1;';
const FIREWALL = 'SELECT 1 FROM alf WHERE global_state >= 1;';
const COIN = 'SELECT 1 FROM osquery_info;';

export function defineEndToEnd(createStore: () => Promise<{ store: Store; dispose(): Promise<void> }>): void {
  it('300 hosts: no errors, and ground truth equals the server membership', async () => {
    const { store, dispose } = await createStore();
    await store.migrate();
    const policies = [
      await store.createPolicy({ teamId: null, name: 'Disk encrypted', query: ENCRYPTED }),
      await store.createPolicy({ teamId: null, name: 'Firewall on', query: FIREWALL, platforms: 'darwin' }),
      await store.createPolicy({ teamId: null, name: 'Coin', query: COIN }),
    ];
    const server = await buildServer({ store, closeStore: false, port: 0, host: '127.0.0.1', logLevel: 'silent', enrollSecrets: [{ secret: SECRET }] });
    const url = await server.listen();
    try {
      const parsed = validateScenario({
        seed: 5,
        duration: '1h',
        enroll_secret: SECRET,
        agent: { start_period: '1s' },
        fleet: {
          groups: [
            { name: 'mac', count: 150, platform: 'darwin', os_version: '14.4.1', tables: { disk_encryption: [{ name: '/dev/disk1s1', encrypted: 1 }], alf: [{ global_state: 1 }] } },
            { name: 'ubuntu', count: 100, platform: 'ubuntu', os_version: '22.04' },
            { name: 'windows', count: 50, platform: 'windows', os_version: '10.0.22631' },
          ],
        },
        policies: [{ name: 'Coin', query: COIN, fail_rate: 0.2 }],
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
      const sim = runSimulation({ targets: [url], scenario: parsed.scenario, workers: 2, connections: 8, store: store.kind });
      const expectedReports = new Map([[policies[0]!.id, 300], [policies[1]!.id, 150], [policies[2]!.id, 300]]);
      const complete = (truth: Awaited<ReturnType<typeof sim.truth>>): boolean =>
        truth.length === 3 && truth.every((p) => p.counts.passing + p.counts.failing + p.counts.unknown === expectedReports.get(p.id));
      const deadline = Date.now() + 60_000;
      while (!complete(await sim.truth()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      sim.stop();
      const result = await sim.done;

      for (const [name, endpoint] of Object.entries(result.endpoints)) expect(endpoint!.errors, name).toEqual({});
      expect(result.endpoints.enroll!.count).toBe(300);
      const byId = new Map(result.policies.map((p) => [p.id, p.truth]));
      expect(byId.get(policies[0]!.id)).toEqual({ passing: 150, failing: 100, unknown: 50 });
      expect(byId.get(policies[1]!.id)).toEqual({ passing: 150, failing: 0, unknown: 0 });
      const coin = byId.get(policies[2]!.id)!;
      expect(coin.passing + coin.failing).toBe(300);
      expect(coin.failing).toBeGreaterThan(30);
      expect(coin.failing).toBeLessThan(90);

      // The server's membership, host by host.
      const hosts = await store.listHosts({ perPage: 1000 });
      expect(hosts).toHaveLength(300);
      const server_ = new Map<number, { passing: number; failing: number; unknown: number }>();
      for (const host of hosts) {
        for (const row of await store.hostMembership(host.id)) {
          const c = server_.get(row.policyId) ?? { passing: 0, failing: 0, unknown: 0 };
          if (row.passes === true) c.passing++;
          else if (row.passes === false) c.failing++;
          else c.unknown++;
          server_.set(row.policyId, c);
        }
      }
      for (const p of policies) expect(server_.get(p.id), p.name).toEqual(byId.get(p.id));

      // Label queries travelled in the same reads and writes (fleet_label_query_<id>, answered with
      // the agents' SQL against their tables): the built-in platform labels hold the right hosts.
      const members = async (name: string) => (await store.getLabelByName(name))!.hostCount;
      expect(await members('All Hosts')).toBe(300);
      expect(await members('macOS')).toBe(150);
      expect(await members('Ubuntu Linux')).toBe(100);
      expect(await members('MS Windows')).toBe(50);
      expect(await members('CentOS Linux')).toBe(0);
      for (const host of hosts) expect(host.labelUpdatedAt?.getTime() ?? 0, host.hostname).toBeGreaterThan(Date.UTC(2001, 0, 1));
    } finally {
      await server.close();
      await dispose();
    }
  }, 150_000);
}
