/**
 * contract/vocabulary.ts ENDPOINT_INFO is the one list of agent endpoints: every name has its route
 * and sender, the routes are the ones the simulator calls, and the lists built on it (Grafana's
 * endpoint filter) name the same endpoints.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENT_ENDPOINTS, AGENT_ENDPOINT_LIST, ENDPOINTS, ENDPOINT_INFO, endpointsOfKind, ORBIT_ENDPOINTS } from '../../contract/vocabulary.js';
import { ORBIT_PATHS } from '../../simulator/orbit/population.js';
import { FLEETD_TRAFFIC } from '../../scenarios/fleetd-traffic.js';

describe('the endpoint table', () => {
  it('lists every agent endpoint once, osquery\'s first, with its kind', () => {
    expect(AGENT_ENDPOINT_LIST.map((e) => e.name)).toEqual([...AGENT_ENDPOINTS]);
    expect(endpointsOfKind('osquery')).toEqual([...ENDPOINTS]);
    expect([...endpointsOfKind('orbit'), ...endpointsOfKind('desktop')].sort()).toEqual([...ORBIT_ENDPOINTS].sort());
    expect(endpointsOfKind('desktop')).toEqual(['desktop', 'device_ping']);
  });

  it('labels fleetd endpoints with the paths the simulator sends (simulator/orbit/population.ts)', () => {
    const path = (name: keyof typeof ENDPOINT_INFO) => ENDPOINT_INFO[name].label.split(' ')[1]!;
    expect(path('orbit_enroll')).toBe(ORBIT_PATHS.enroll);
    expect(path('orbit_config')).toBe(ORBIT_PATHS.config);
    expect(path('orbit_ping')).toBe(ORBIT_PATHS.ping);
    expect(path('orbit_device_token')).toBe(ORBIT_PATHS.deviceToken);
    expect(path('device_ping')).toBe(ORBIT_PATHS.devicePing);
    expect(path('desktop')).toBe(`${ORBIT_PATHS.device}{token}/desktop`);
    expect(path('device_token_ping')).toBe(`${ORBIT_PATHS.device}{token}/ping`);
  });

  it('the fleetd traffic model covers every fleetd endpoint, Desktop\'s as Desktop\'s', () => {
    expect(FLEETD_TRAFFIC.map((t) => t.endpoint)).toEqual([...ORBIT_ENDPOINTS]);
    for (const t of FLEETD_TRAFFIC) expect(t.desktop, t.endpoint).toBe(ENDPOINT_INFO[t.endpoint].kind === 'desktop');
  });

  it('Grafana\'s endpoint filter names every agent endpoint', () => {
    const dashboard = readFileSync(fileURLToPath(new URL('../../deploy/grafana/osqsim.json', import.meta.url)), 'utf8');
    const filters = [...dashboard.matchAll(/endpoint=~\\"([^\\]+)\\"/g)].map((m) => m[1]!);
    expect(filters.length).toBeGreaterThan(0);
    for (const filter of filters) expect(filter.split('|')).toEqual([...AGENT_ENDPOINTS]);
  });
});
