/** The REST API inside the full server (buildServer): its own auth and error shape, a generated token. */
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, type OsqsimServer } from '../../../server/app.js';
import { apiTokenOf, cleanupJobOf } from '../../../server/api/index.js';

describe('REST API in buildServer', () => {
  let server: OsqsimServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('generates a token when none is configured and accepts only it', async () => {
    const saved = process.env['OSQSIM_API_TOKEN'];
    delete process.env['OSQSIM_API_TOKEN'];
    try {
      server = await buildServer({ store: 'memory', host: '127.0.0.1', port: 0, logLevel: 'silent' });
    } finally {
      if (saved !== undefined) process.env['OSQSIM_API_TOKEN'] = saved;
    }
    const token = apiTokenOf(server.context);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const url = await server.listen();
    const ok = await fetch(`${url}/api/v1/fleet/global/policies`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ policies: [] });
    const denied = await fetch(`${url}/api/latest/fleet/teams`, { headers: { authorization: 'Bearer not-it' } });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ message: 'Authentication required', errors: [{ name: 'base', reason: 'Authentication required' }] });
    expect(cleanupJobOf(server.context)).toBeDefined();
    const missing = await fetch(`${url}/api/v1/fleet/no-such-route`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe('Resource Not Found');
  });

  it('answers malformed JSON with Fleet\'s 400 body, not the generic one', async () => {
    server = await buildServer({ store: 'memory', host: '127.0.0.1', port: 0, apiToken: 't0ken', logLevel: 'silent' });
    const url = await server.listen();
    const res = await fetch(`${url}/api/v1/fleet/global/policies`, {
      method: 'POST',
      headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; errors: Array<{ reason: string }> };
    expect(body.message).toBe('Bad request');
    expect(body.errors[0]!.reason).toMatch(/malformed JSON/);
    expect(await server.context.store.listPolicies(null)).toEqual([]);
  });
});
