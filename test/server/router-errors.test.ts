/**
 * Errors raised by fastify's router before any route runs (found by fuzzing, docs/RELIABILITY.md
 * "Fuzzing"): a path segment that is not valid percent-encoding and an overlong path parameter are
 * 400 in the route family's error shape (Fleet's `{message, errors}` on the REST, orbit and device
 * routes), not fastify's own body.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStores, startTestServer, type TestServer } from './support.js';

const TOKEN = 'router-errors-token';
let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const get = (url: string, method: 'GET' | 'DELETE' | 'HEAD' = 'GET') => t!.server.app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` } });

describe('router errors are answered in the route family shape', () => {
  for (const url of ['/api/latest/fleet/hosts/%', '/api/v1/fleet/teams/%ZZ/policies', '/api/2022-04/fleet/queries/%/report', `/api/latest/fleet/labels/${'x'.repeat(200)}`, '/api/latest/fleet/device/%/desktop']) {
    it(`GET ${url.slice(0, 60)} → 400 in Fleet's shape`, async () => {
      t = await startTestServer(memoryStores, { apiToken: TOKEN });
      const response = await get(url);
      expect(response.statusCode).toBe(400);
      const body = response.json() as { message: string; errors: Array<{ name: string; reason: string }> };
      expect(body.message).toBe('Bad request');
      expect(body.errors[0]!.name).toBe('base');
      expect(body.errors[0]!.reason).toMatch(/not a valid url component|max param length/);
    });
  }

  it('DELETE with a bad segment changes nothing and counts in osqsim_http_errors_total', async () => {
    t = await startTestServer(memoryStores, { apiToken: TOKEN });
    const response = await get('/api/latest/fleet/hosts/%E0%A4%A', 'DELETE');
    expect(response.statusCode).toBe(400);
    const metrics = await t.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/osqsim_http_errors_total\{code="HTTP_BAD_REQUEST"\} 1/);
  });
});
