/**
 * QA findings on the server side, each pinned by a test that failed before its fix:
 * - REST routes answered 400 to an empty body sent with `Content-Type: application/json`
 *   (DELETE, refetch: scripts often set the header on every request);
 * - over-long names, descriptions, resolutions and secrets reached the MySQL columns (500
 *   ER_DATA_TOO_LONG) while the memory store accepted them — now 400/422 on both stores;
 * - the fault toggle answered 401 with code HTTP_BAD_REQUEST;
 * - `osqsim server --policies` started with mutating SQL the REST API refuses;
 * - paging disagreed between lists and with Fleet: `per_page=0` listed everything, `page`
 *   without `per_page` was a 400 on /hosts and ignored on policy lists (Fleet: 400, and 20 a page).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type OsqsimServer } from '../../server/app.js';
import { parsePolicyYaml } from '../../server/policies/fleetctl-yaml.js';
import { describeMysql } from '../helpers/mysql.js';

const TOKEN = 'qa-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };

async function start(store: string): Promise<OsqsimServer> {
  return buildServer({ store, apiToken: TOKEN, logLevel: 'silent', enrollSecrets: [{ secret: 'qa-secret' }] });
}

async function call(server: OsqsimServer, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: string, headers: Record<string, string> = {}) {
  const response = await server.app.inject({ method, url, headers: { ...auth, ...json, ...headers }, ...(payload === undefined ? {} : { payload }) });
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

function lengthSuite(label: string, storeSpec: () => string): void {
  describe(`over-long values are the client's mistake (${label})`, () => {
    let server: OsqsimServer;
    beforeAll(async () => {
      server = await start(storeSpec());
    });
    afterAll(async () => {
      await server.close();
    });

    it('policy name: 255 characters fit, 256 are a 400 policy payload verification error', async () => {
      const ok = await call(server, 'POST', '/api/v1/fleet/global/policies', JSON.stringify({ name: 'é'.repeat(255), query: 'SELECT 1' }));
      expect(ok.status).toBe(200);
      const bad = await call(server, 'POST', '/api/v1/fleet/global/policies', JSON.stringify({ name: 'n'.repeat(256), query: 'SELECT 1' }));
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].reason).toMatch(/^policy payload verification: policy name is too long/);
      const patch = await call(server, 'PATCH', `/api/v1/fleet/global/policies/${ok.body.policy.id}`, JSON.stringify({ name: 'n'.repeat(300) }));
      expect(patch.status).toBe(400);
      const team = await call(server, 'POST', '/api/v1/fleet/teams/0/policies', JSON.stringify({ name: 'n'.repeat(300), query: 'SELECT 1' }));
      expect(team.status).toBe(400);
    });

    it('policy resolution over 65,535 bytes is a 400', async () => {
      const bad = await call(server, 'POST', '/api/v1/fleet/global/policies', JSON.stringify({ name: 'long-resolution', query: 'SELECT 1', resolution: 'r'.repeat(70_000) }));
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].reason).toMatch(/resolution is too long/);
    });

    it('spec apply with one over-long name applies nothing and names the spec', async () => {
      const specs = [
        { name: 'qa-spec-ok', query: 'SELECT 1' },
        { name: 'x'.repeat(256), query: 'SELECT 1' },
      ];
      const bad = await call(server, 'POST', '/api/v1/fleet/spec/policies', JSON.stringify({ specs }));
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].name).toMatch(/^specs\[1\]/);
      const list = await call(server, 'GET', '/api/v1/fleet/global/policies?query=qa-spec-ok');
      expect(list.body.policies).toEqual([]);
    });

    it('team name over 255 characters and description over 1023 are 422; secret over 255 is 400', async () => {
      const name = await call(server, 'POST', '/api/v1/fleet/teams', JSON.stringify({ name: 't'.repeat(256) }));
      expect(name.status).toBe(422);
      expect(name.body.errors[0].name).toBe('name');
      const description = await call(server, 'POST', '/api/v1/fleet/teams', JSON.stringify({ name: 'qa-team', description: 'd'.repeat(1024) }));
      expect(description.status).toBe(422);
      expect(description.body.errors[0].name).toBe('description');
      const team = await call(server, 'POST', '/api/v1/fleet/teams', JSON.stringify({ name: 'qa-team' }));
      expect(team.status).toBe(200);
      const secret = await call(server, 'PATCH', `/api/v1/fleet/teams/${team.body.team.id}/secrets`, JSON.stringify({ secrets: [{ secret: 's'.repeat(256) }] }));
      expect(secret.status).toBe(400);
      expect(secret.body.errors[0].reason).toMatch(/too long/);
      const secrets = await call(server, 'GET', `/api/v1/fleet/teams/${team.body.team.id}/secrets`);
      expect(secrets.body.secrets).toEqual([]);
    });
  });
}

describeMysql('QA: concurrent fleetctl applies of the same new policy (MySQL)', (db) => {
  let server: OsqsimServer;
  beforeAll(async () => {
    server = await start(db.url);
  });
  afterAll(async () => {
    await server.close();
  });

  it('all succeed: apply is an upsert, never a 409', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      const body = JSON.stringify({ specs: [{ name: `race-${round}`, query: 'SELECT 1' }, { name: `race-${round}-b`, query: 'SELECT 2' }] });
      const answers = await Promise.all(Array.from({ length: 8 }, () => call(server, 'POST', '/api/v1/fleet/spec/policies', body)));
      statuses.push(...answers.map((answer) => answer.status));
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });
});

lengthSuite('memory', () => 'memory');
describeMysql('QA: over-long values on MySQL', (db) => {
  lengthSuite('mysql', () => db.url);
});

describe('empty JSON bodies on body-less REST routes', () => {
  let server: OsqsimServer;
  beforeAll(async () => {
    server = await start('memory');
  });
  afterAll(async () => {
    await server.close();
  });

  it('DELETE and refetch with Content-Type: application/json and no body behave as without the header', async () => {
    const enroll = await server.app.inject({
      method: 'POST',
      url: '/api/osquery/enroll',
      headers: json,
      payload: JSON.stringify({ enroll_secret: 'qa-secret', host_identifier: 'qa-host' }),
    });
    expect(enroll.statusCode).toBe(200);
    const hosts = await call(server, 'GET', '/api/v1/fleet/hosts');
    const id = hosts.body.hosts[0].id as number;
    expect((await call(server, 'POST', `/api/v1/fleet/hosts/${id}/refetch`, '')).status).toBe(200);
    expect((await call(server, 'DELETE', '/api/v1/fleet/hosts/999', '')).status).toBe(404);
    const team = await call(server, 'POST', '/api/v1/fleet/teams', JSON.stringify({ name: 'to-delete' }));
    expect((await call(server, 'DELETE', `/api/v1/fleet/teams/${team.body.team.id}`, '')).status).toBe(200);
    expect((await call(server, 'DELETE', `/api/v1/fleet/hosts/${id}`, '  ')).status).toBe(200);
  });

  it('a route that needs a body still says so, and malformed JSON is still a 400', async () => {
    const empty = await call(server, 'POST', '/api/v1/fleet/global/policies', '');
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].reason).toMatch(/must be a JSON object/);
    const malformed = await call(server, 'POST', '/api/v1/fleet/global/policies', '{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].reason).toMatch(/malformed JSON/);
    const poisoned = await call(server, 'POST', '/api/v1/fleet/global/policies', '{"__proto__":{"x":1},"name":"p","query":"SELECT 1"}');
    expect(poisoned.status).toBe(400);
  });
});

describe('fault toggle auth', () => {
  let server: OsqsimServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('answers a wrong token with 401 and code HTTP_UNAUTHORIZED', async () => {
    server = await start('memory');
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/osqsim/faults',
      headers: { ...json, authorization: 'Bearer wrong' },
      payload: JSON.stringify({ store_unavailable_ms: 10 }),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'HTTP_UNAUTHORIZED' });
  });
});

describe('--policies at start follows the REST API rules', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osqsim-qa-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parsePolicyYaml reports mutating SQL and over-long names with the document and policy', () => {
    const text = [
      'apiVersion: v1\nkind: policy\nspec:\n  name: evil\n  query: DELETE FROM users',
      `apiVersion: v1\nkind: policy\nspec:\n  name: ${'n'.repeat(256)}\n  query: SELECT 1`,
      'apiVersion: v1\nkind: policy\nspec:\n  name: fine\n  query: SELECT "release" FROM rpm_packages',
    ].join('\n---\n');
    const parsed = parsePolicyYaml(text, 'qa.yml');
    expect(parsed.errors).toEqual([
      { doc: 1, path: 'spec.query (policy "evil")', message: expect.stringMatching(/^invalid policy query: only read-only/) },
      { doc: 2, path: 'spec.name', message: expect.stringMatching(/too long/) },
    ]);
  });

  it('osqsim server refuses to start with a mutating policy query', async () => {
    const file = join(dir, 'mutating.yml');
    await writeFile(file, 'apiVersion: v1\nkind: policy\nspec:\n  name: evil\n  query: DELETE FROM users\n');
    await expect(buildServer({ store: 'memory', apiToken: TOKEN, logLevel: 'silent', policiesFile: file })).rejects.toThrow(/invalid policy query/);
  });
});

describe('list paging follows Fleet (per_page ≥ 1; page alone pages by 20)', () => {
  let server: OsqsimServer;
  beforeAll(async () => {
    server = await start('memory');
    for (let i = 0; i < 25; i += 1) {
      const created = await call(server, 'POST', '/api/v1/fleet/global/policies', JSON.stringify({ name: `page-${String(i).padStart(2, '0')}`, query: 'SELECT 1' }));
      expect(created.status).toBe(200);
      const enrolled = await server.app.inject({
        method: 'POST',
        url: '/api/osquery/enroll',
        headers: json,
        payload: JSON.stringify({ enroll_secret: 'qa-secret', host_identifier: `page-host-${i}` }),
      });
      expect(enrolled.statusCode).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(['/api/v1/fleet/global/policies', '/api/v1/fleet/hosts', '/api/v1/fleet/teams/0/policies'])('%s?per_page=0 is a 400', async (path) => {
    const response = await call(server, 'GET', `${path}?per_page=0`);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].reason).toMatch(/per_page/);
  });

  it('page without per_page pages by 20 on policies and hosts alike', async () => {
    const policies = await call(server, 'GET', '/api/v1/fleet/global/policies?page=1');
    expect(policies.status).toBe(200);
    expect(policies.body.policies.map((p: { name: string }) => p.name)).toEqual(['page-20', 'page-21', 'page-22', 'page-23', 'page-24']);
    const hosts = await call(server, 'GET', '/api/v1/fleet/hosts?page=0');
    expect(hosts.status).toBe(200);
    expect(hosts.body.hosts).toHaveLength(20);
    const second = await call(server, 'GET', '/api/v1/fleet/hosts?page=1');
    expect(second.body.hosts).toHaveLength(5);
    expect((await call(server, 'GET', '/api/v1/fleet/hosts')).body.hosts).toHaveLength(25);
  });
});
