import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

const oneHost = (agent: Record<string, unknown>) =>
  scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '1h', ...agent });

test('the logger sends only when lines are buffered: the start-up status lines, then nothing', async () => {
  server = await startFakeServer();
  const sim = runInProcess(oneHost({ logger_tls_period: '100ms', startup_status_lines: 3, status_lines_per_hour: 0 }), server.url);
  const srv = server;
  await waitFor(() => srv.requests.some((r) => r.endpoint === 'log'));
  await new Promise((r) => setTimeout(r, 600)); // ≈ 6 more logger ticks
  sim.stop();
  await sim.done;
  const logs = srv.requests.filter((r) => r.endpoint === 'log');
  expect(logs).toHaveLength(1);
  expect(logs[0]!.body.log_type).toBe('status');
  expect(logs[0]!.body.data).toHaveLength(3);
});

test('scheduled queries in the config produce result logs at their interval', async () => {
  server = await startFakeServer({ packs: { Global: { queries: { uptime: { query: 'SELECT 1 AS up', interval: 1, snapshot: true } } } } });
  const sim = runInProcess(oneHost({ logger_tls_period: '200ms', startup_status_lines: 0, status_lines_per_hour: 0 }), server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'log').length >= 2, 8000);
  sim.stop();
  await sim.done;
  const logs = srv.requests.filter((r) => r.endpoint === 'log');
  expect(logs.every((l) => l.body.log_type === 'result')).toBe(true);
  expect((logs[1]!.body.data as unknown[]).length).toBeGreaterThanOrEqual(1);
});

test('periodic status lines are spread over the hosts from the start (a seeded phase), not all due one period after start-up', async () => {
  server = await startFakeServer();
  // 1 line per 10 s per host: without a phase no host has a whole line before 10 s of running.
  const fleet = { groups: [{ name: 'mac', count: 200, platform: 'darwin', os_version: '14.4' }] };
  const s = scenario({ hosts: 200, fleet }, { distributed_interval: '1h', logger_tls_period: '100ms', startup_status_lines: 0, status_lines_per_hour: 360 });
  const sim = runInProcess(s, server.url);
  const srv = server;
  // ≈ 20 hosts per second cross a whole line; wait for a few of them.
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'log').length >= 3, 8_000);
  sim.stop();
  await sim.done;
  const logs = srv.requests.filter((r) => r.endpoint === 'log');
  expect(logs.every((l) => l.body.log_type === 'status' && (l.body.data as unknown[]).length === 1)).toBe(true);
});
