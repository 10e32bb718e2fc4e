import { createServer } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

const oneHost = (agent: Record<string, unknown>) =>
  scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '1h', ...agent });

test('enroll retries back off exponentially with jitter on 5xx, then the host enrolls', async () => {
  server = await startFakeServer({ enrollFailures: 3 });
  const sim = runInProcess(oneHost({ enroll_backoff: { initial: '200ms', max: '2s' } }), server.url);
  const srv = server;
  await waitFor(() => srv.requests.some((r) => r.endpoint === 'config'));
  sim.stop();
  const result = await sim.done;
  const at = srv.requests.filter((r) => r.endpoint === 'enroll').map((r) => r.at);
  expect(at).toHaveLength(4);
  const gaps = at.slice(1).map((t, i) => t - at[i]!);
  // attempt n waits in [cap/2, cap] with cap = 200 ms · 2^(n-1): 100–200, 200–400, 400–800 ms.
  expect(gaps[0]).toBeGreaterThanOrEqual(95);
  expect(gaps[1]).toBeGreaterThanOrEqual(195);
  expect(gaps[2]).toBeGreaterThanOrEqual(395);
  expect(gaps[2]).toBeGreaterThan(gaps[0]!);
  expect(result.totals.endpoints.enroll.outcomes['5xx']).toBe(3);
  expect(result.totals.endpoints.enroll.outcomes['2xx']).toBe(1);
});

test('connection refused is counted as a connect error and retried with backoff until the server is up', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const sim = runInProcess(oneHost({ enroll_backoff: { initial: '100ms', max: '300ms' } }), `http://127.0.0.1:${port}`);
  await new Promise((r) => setTimeout(r, 800));
  server = await startFakeServer({}, port);
  const srv = server;
  await waitFor(() => srv.requests.some((r) => r.endpoint === 'config'));
  sim.stop();
  const result = await sim.done;
  expect(result.totals.endpoints.enroll.outcomes.connect).toBeGreaterThanOrEqual(2);
  expect(result.totals.endpoints.enroll.outcomes['2xx']).toBe(1);
  expect(result.enrolled).toBe(1);
});
