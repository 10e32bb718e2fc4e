import { readFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { startFakeServer, type FakeServer } from '../fixtures/fake-server.js';
import { runInProcess, scenario, waitFor } from '../helpers.js';

const tls = {
  key: readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url), 'utf8'),
  cert: readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url), 'utf8'),
};

let server: FakeServer | undefined;
afterEach(async () => server?.close());

const oneHost = () => scenario({ hosts: 1, fleet: { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14' }] } }, {});

test('https targets with a self-signed certificate work with insecure, and fail to connect without', async () => {
  server = await startFakeServer({}, 0, tls);
  expect(server.url).toMatch(/^https:/);
  const insecure = runInProcess(oneHost(), server.url, { insecure: true });
  const srv = server;
  await waitFor(() => srv.requests.some((r) => r.endpoint === 'read'));
  insecure.stop();
  expect((await insecure.done).enrolled).toBe(1);

  const strict = runInProcess(oneHost(), server.url);
  await new Promise((r) => setTimeout(r, 500));
  strict.stop();
  const result = await strict.done;
  expect(result.enrolled).toBe(0);
  expect(result.totals.endpoints.enroll.outcomes.connect).toBeGreaterThanOrEqual(1);
});
