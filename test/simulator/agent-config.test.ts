import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

const oneHost = (agent: Record<string, unknown>) =>
  scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, agent);

test('the agent adopts the distributed_interval the server pushes in config options', async () => {
  server = await startFakeServer({ options: { distributed_interval: 0.2 } });
  const sim = runInProcess(oneHost({ distributed_interval: '1h' }), server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'read').length >= 4, 5000);
  sim.stop();
  await sim.done;
  const reads = srv.requests.filter((r) => r.endpoint === 'read').map((r) => r.at);
  expect(reads[3]! - reads[0]!).toBeGreaterThanOrEqual(550);
  expect(reads[3]! - reads[0]!).toBeLessThan(2000);
});

test('startup order is enroll → config → read, and config repeats every config_refresh', async () => {
  server = await startFakeServer();
  const sim = runInProcess(oneHost({ distributed_interval: '1h', config_refresh: '300ms' }), server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'config').length >= 3, 5000);
  sim.stop();
  await sim.done;
  expect(srv.requests.slice(0, 3).map((r) => r.endpoint)).toEqual(['enroll', 'config', 'read']);
  const configs = srv.requests.filter((r) => r.endpoint === 'config').map((r) => r.at);
  expect(configs[2]! - configs[1]!).toBeGreaterThanOrEqual(280);
});

test('enroll sends host_details with a unique hostname, uuid and serial from the group', async () => {
  server = await startFakeServer();
  const s = scenario({
    hosts: 3,
    fleet: { groups: [{ name: 'win', count: 3, platform: 'windows', os_version: '10.0.22631', osquery_version: '5.11.0', hostname_prefix: 'desk' }] },
  });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'enroll').length >= 3);
  sim.stop();
  await sim.done;
  const details = srv.requests.filter((r) => r.endpoint === 'enroll').map((r) => r.body.host_details as Record<string, Record<string, string>>);
  expect(new Set(details.map((d) => d.system_info!.hostname)).size).toBe(3);
  expect(new Set(details.map((d) => d.system_info!.uuid)).size).toBe(3);
  expect(new Set(details.map((d) => d.system_info!.hardware_serial)).size).toBe(3);
  expect(details[0]!.system_info!.hostname).toMatch(/^desk-\d+$/);
  expect(details[0]!.os_version).toMatchObject({ platform: 'windows', version: '10.0.22631' });
  expect(details[0]!.osquery_info).toMatchObject({ version: '5.11.0' });
});
