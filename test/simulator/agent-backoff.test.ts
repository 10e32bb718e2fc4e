import { createServer } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
// osquery's enroll schedule itself (1, 4, 9 … s, no jitter) is pinned with a fake clock in agent-osquery-rules.test.ts.
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

const oneHost = (agent: Record<string, unknown>) =>
  scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '1h', ...agent });

test('connection refused is counted as a connect error and enroll is retried until the server is up', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const sim = runInProcess(oneHost({}), `http://127.0.0.1:${port}`);
  await waitFor(() => sim.messages.some((m) => m.type === 'started'));
  await new Promise((r) => setTimeout(r, 1500)); // attempts at 0 s and 1 s fail; the next, at 5 s, finds the server
  server = await startFakeServer({}, port);
  const srv = server;
  await waitFor(() => srv.requests.some((r) => r.endpoint === 'config'));
  sim.stop();
  const result = await sim.done;
  expect(result.totals.endpoints.enroll.outcomes.connect).toBeGreaterThanOrEqual(2);
  expect(result.totals.endpoints.enroll.outcomes['2xx']).toBe(1);
  expect(result.enrolled).toBe(1);
});
