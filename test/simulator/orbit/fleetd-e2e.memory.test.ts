/**
 * End-to-end: a small fleet with `agent: fleetd` groups against osqsim's server (memory store):
 * orbit's and Fleet Desktop's requests reach the orbit routes, are counted per endpoint in the
 * result, fail nowhere, and each fleetd host is ONE host on the server (orbit and osquery matched by UUID).
 */
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../../server/app.js';
import { MemoryStore } from '../../../server/store/index.js';
import { validateScenario } from '../../../scenarios/schema/scenario.js';
import { runSimulation } from '../../../simulator/pool.js';
import { ORBIT_ENDPOINTS } from '../../../contract/vocabulary.js';
import type { TransportKind } from '../../../simulator/transport/transport.js';

const SECRET = 'fleetd-secret';

describe('fleetd hosts against osqsim server (memory store)', () => {
  for (const transport of ['undici', 'raw'] as TransportKind[]) {
    it(`orbit and Desktop traffic is served and counted per endpoint (${transport})`, async () => {
      const store = new MemoryStore();
      await store.migrate();
      const server = await buildServer({ store, closeStore: false, port: 0, host: '127.0.0.1', logLevel: 'silent', enrollSecrets: [{ secret: SECRET }] });
      const url = await server.listen();
      try {
        const parsed = validateScenario({
          seed: 9,
          duration: '1h',
          enroll_secret: SECRET,
          agent: { start_period: '1s' },
          fleet: {
            groups: [
              { name: 'mac', count: 20, platform: 'darwin', os_version: '14.4.1', agent: 'fleetd' },
              { name: 'kiosk', count: 10, platform: 'ubuntu', os_version: '22.04', agent: 'fleetd', fleet_desktop: false },
              { name: 'plain', count: 10, platform: 'windows', os_version: '10.0.22631' },
            ],
          },
        });
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
        const sim = runSimulation({ targets: [url], scenario: parsed.scenario, workers: 1, connections: 4, store: store.kind, transport });
        // Past one device-ping period (10 s) after the last start (worker start-up included).
        await new Promise((r) => setTimeout(r, 16_000));
        sim.stop();
        const result = await sim.done;
        for (const [name, endpoint] of Object.entries(result.endpoints)) expect(endpoint!.errors, name).toEqual({});
        const count = (name: (typeof ORBIT_ENDPOINTS)[number]): number => result.endpoints[name]?.count ?? 0;
        expect(count('orbit_enroll')).toBe(30);
        expect(count('orbit_ping')).toBe(30);
        expect(count('orbit_config')).toBe(30);
        expect(count('orbit_device_token')).toBe(30);
        expect(count('desktop')).toBe(20); // the token check at Desktop start; the summary is 5 min later
        expect(count('device_ping')).toBeGreaterThanOrEqual(40); // at start and 10 s later, Desktop hosts only
        expect(count('device_ping')).toBeLessThanOrEqual(60);
        expect(result.endpoints.enroll!.count).toBe(40);
        // orbit and osquery of one machine are one host (matched by hardware UUID / osquery identifier).
        expect(await store.listHosts({ perPage: 100 })).toHaveLength(40);
      } finally {
        await server.close();
        await store.close();
      }
    }, 40_000);
  }
});
