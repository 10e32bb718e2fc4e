import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

const QUERIES = {
  fleet_policy_query_1: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1',
  fleet_policy_query_2: 'SELECT 1 FROM alf',
};

async function writtenStatuses(stringStatuses: boolean) {
  server = await startFakeServer({ queriesOnRead: (i) => (i === 0 ? QUERIES : {}) });
  const s = scenario({ hosts: 1, fleet: { groups: [{ name: 'linux', count: 1, platform: 'ubuntu', os_version: '22.04', tables: { disk_encryption: [{ name: 'sda', encrypted: 1 }] } }] } }, { string_statuses: stringStatuses });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.requests.some((r) => r.endpoint === 'write'));
  sim.stop();
  await sim.done;
  return srv.requests.find((r) => r.endpoint === 'write')!.body;
}

test('statuses are numbers by default; every query has a message ("" when OK), rows ([] when none) and stats', async () => {
  const body = await writtenStatuses(false);
  expect(body.statuses).toEqual({ fleet_policy_query_1: 0, fleet_policy_query_2: 1 });
  expect(body.messages).toEqual({ fleet_policy_query_1: '', fleet_policy_query_2: 'no such table: alf' });
  expect(body.queries).toEqual({ fleet_policy_query_1: [{ '1': '1' }], fleet_policy_query_2: [] });
  const stats = body.stats as Record<string, Record<string, number>>;
  for (const name of ['fleet_policy_query_1', 'fleet_policy_query_2']) expect(Object.keys(stats[name]!).sort()).toEqual(['memory', 'system_time', 'user_time', 'wall_time_ms']);
});

test('string_statuses sends them as strings, as osquery before 3.0 did', async () => {
  const body = await writtenStatuses(true);
  expect(body.statuses).toEqual({ fleet_policy_query_1: '0', fleet_policy_query_2: '1' });
});

test('detail queries over system_info answer with each host\'s own hostname, uuid and serial', async () => {
  server = await startFakeServer({ queriesOnRead: (i): Record<string, string> => (i === 0 ? { fleet_detail_query_system_info: 'SELECT hostname, uuid, hardware_serial FROM system_info LIMIT 1' } : {}) });
  const s = scenario({ hosts: 3, fleet: { groups: [{ name: 'mac', count: 3, platform: 'darwin', os_version: '14.4' }] } });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.written.size === 3);
  sim.stop();
  await sim.done;
  const enrolled = new Map(srv.requests.filter((r) => r.endpoint === 'enroll').map((r) => [r.host, (r.body.host_details as { system_info: Record<string, string> }).system_info]));
  for (const [host, answers] of srv.written) {
    const rows = answers.get('fleet_detail_query_system_info')!.rows as Array<Record<string, string>>;
    const details = enrolled.get(host)!;
    expect(rows).toEqual([{ hostname: details.hostname, uuid: details.uuid, hardware_serial: details.hardware_serial }]);
  }
});
