import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

/** A server that takes 150 ms to answer reads. */
const slowReads = (): Promise<FakeServer> => startFakeServer({ readDelayMs: 150 });

async function readGaps(pacing: string): Promise<number[]> {
  server = await slowReads();
  const s = scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] } }, { distributed_interval: '300ms', pacing });
  const sim = runInProcess(s, server.url);
  const srv = server;
  await waitFor(() => srv.requests.filter((r) => r.endpoint === 'read').length >= 5);
  sim.stop();
  await sim.done;
  const at = srv.requests.filter((r) => r.endpoint === 'read').map((r) => r.at);
  return at.slice(1).map((t, i) => t - at[i]!);
}

test('fixed-delay (osquery) sleeps the interval after the response: gaps ≈ interval + response time', async () => {
  const gaps = await readGaps('fixed-delay');
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  expect(mean).toBeGreaterThanOrEqual(430);
});

test('fixed-rate (osquery-perf tickers) keeps the interval regardless of response time', async () => {
  const gaps = await readGaps('fixed-rate');
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  expect(mean).toBeLessThan(380);
  expect(mean).toBeGreaterThanOrEqual(270);
});
