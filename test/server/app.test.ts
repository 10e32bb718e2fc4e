import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { osqsimError } from '../../lib/errors.js';
import { buildServer, type OsqsimServer } from '../../server/app.js';
import { MemoryStore } from '../../server/store/index.js';
import type { Store } from '../../server/store/store.js';
import { detailAnswers, GLOBAL_SECRET, memoryStores, startTestServer, storeSnapshot, type TestServer } from './support.js';

/** A store that throws STORE_UNAVAILABLE from every method while `down` is set. */
function flakyStore(inner: Store): { store: Store; setDown(down: boolean): void; calls: Map<string, number> } {
  let down = false;
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        if (down && property !== 'close') return Promise.reject(osqsimError('STORE_UNAVAILABLE', { reason: 'connection refused' }));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, setDown: (value) => (down = value), calls };
}

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function start(options: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> {
  const t = await startTestServer(memoryStores, options);
  cleanups.push(() => t.close());
  return t;
}

describe('HTTP errors', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const t = await start();
    const response = await t.server.app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'no route for GET /nope', code: 'HTTP_NOT_FOUND', hint: expect.any(String) });
    const osquery = await t.server.app.inject({ method: 'GET', url: '/api/osquery/distributed/read' });
    expect(osquery.statusCode).toBe(404);
    expect(osquery.json()).toEqual({ error: 'no route for GET /api/osquery/distributed/read' });
  });

  it('answers a non-JSON content type with 415 JSON', async () => {
    const t = await start();
    const response = await t.post('/api/osquery/distributed/read', '<node_key/>', { 'content-type': 'application/xml' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: 'unsupported content type application/xml' });
    const text = await t.post('/api/osquery/distributed/read', 'node_key=x', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(400);
  });

  it('applies the general body limit to enroll, config and read', async () => {
    const t = await start({ bodyLimitBytes: 2048 });
    const response = await t.post('/api/osquery/enroll', { enroll_secret: GLOBAL_SECRET, host_identifier: 'x'.repeat(4096) });
    expect(response.statusCode).toBe(413);
    expect(await t.store.countHosts({})).toBe(0);
  });
});

describe('store unavailable', () => {
  it('answers 503 while the store is down, stays up, and recovers when it is back', async () => {
    const inner = new MemoryStore();
    const flaky = flakyStore(inner);
    const t = await start({ store: flaky.store, hostCacheTtlMs: 0 });
    const key = await t.enroll('flaky-1');
    flaky.setDown(true);
    for (const response of [
      await t.read(key),
      await t.write(key, { fleet_no_policies_wildcard: [{ 1: '1' }] }),
      await t.post('/api/osquery/enroll', { enroll_secret: GLOBAL_SECRET, host_identifier: 'flaky-2' }),
      await t.post('/api/osquery/config', { node_key: key }),
    ]) {
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ error: 'the store is unavailable: connection refused' });
    }
    expect((await t.server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
    flaky.setDown(false);
    expect((await t.read(key)).statusCode).toBe(200);
    expect((await t.server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', store: 'memory' });
    expect(await inner.countHosts({})).toBe(1);
  });

  // Fleet's SubmitDistributedQueryResults logs ingestion errors and answers 200; the host stays due.
  it('a failed ingest batch answers its requests 200, stores nothing and leaves the hosts due', async () => {
    const inner = new MemoryStore();
    const flaky = flakyStore(inner);
    const t = await start({ store: flaky.store, ingestMaxDelayMs: 50 });
    const team = await inner.createTeam('T');
    await inner.ensureEnrollSecret('ts', team.id);
    const policy = await inner.createPolicy({ teamId: team.id, name: 'p', query: 'SELECT 1;' });
    t.server.context.events.emit('policiesChanged', [policy.id]);
    const keys = await Promise.all([1, 2, 3].map((i) => t.enroll(`batch-fail-${i}`, { secret: 'ts' })));
    await Promise.all(keys.map((key) => t.read(key))); // warm the host and scope caches
    const before = await storeSnapshot(inner);
    flaky.setDown(true);
    const responses = await Promise.all(keys.map((key) => t.write(key, { [`fleet_policy_query_${policy.id}`]: [{ 1: '1' }] })));
    flaky.setDown(false);
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    expect(await storeSnapshot(inner)).toEqual(before);
    for (const key of keys) expect(Object.keys(((await t.read(key)).json() as { queries: object }).queries)).toContain(`fleet_policy_query_${policy.id}`);
  });
});

describe('ingest group commit', () => {
  it('stores concurrent writes of many hosts with fewer store calls than requests, answering each after commit', async () => {
    const inner = new MemoryStore();
    const counting = flakyStore(inner);
    const t = await start({ store: counting.store, ingestMaxDelayMs: 100, ingestMaxBatchHosts: 1000 });
    const policy = await inner.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1;' });
    t.server.context.events.emit('policiesChanged', [policy.id]);
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => t.enroll(`batch-${i}`)));
    const responses = await Promise.all(keys.map((key) => t.write(key, { [`fleet_policy_query_${policy.id}`]: [{ 1: '1' }] })));
    expect(responses.every((response) => response.statusCode === 200)).toBe(true);
    expect(counting.calls.get('recordPolicyResults')).toBeLessThan(20);
    expect(await inner.countMembership()).toBe(20);
    const metrics = (await t.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/osqsim_ingest_batch_hosts_count \d+/);
    expect(metrics).toMatch(/osqsim_ingest_commit_duration_seconds_count \d+/);
    expect(metrics).toContain('osqsim_http_request_duration_seconds_count{endpoint="write"} 20');
  });

  it('does not hit the store for idle reads served from the host cache', async () => {
    const inner = new MemoryStore();
    const counting = flakyStore(inner);
    const t = await start({ store: counting.store, hostCacheTtlMs: 60_000 });
    const key = await t.enroll('idle-1');
    await t.read(key);
    await t.write(key, { ...detailAnswers('idle-1'), fleet_no_policies_wildcard: [{ 1: '1' }] });
    const lookups = counting.calls.get('getHostByNodeKey') ?? 0;
    for (let i = 0; i < 50; i++) expect((await t.read(key)).body).toBe('{"queries":{},"discovery":{}}');
    expect(counting.calls.get('getHostByNodeKey') ?? 0).toBe(lookups);
    expect(counting.calls.get('markHostsSeen') ?? 0).toBe(0);
  });
});

describe('start-up state', () => {
  it('creates teams for --enroll-secret SECRET:TEAM and applies --policies FILE.yml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-'));
    const file = join(dir, 'policies.yml');
    writeFileSync(
      file,
      [
        'apiVersion: v1\nkind: policy\nspec:\n  name: global one\n  query: SELECT 1;\n  platform: linux',
        'apiVersion: v1\nkind: policy\nspec:\n  name: team one\n  query: SELECT 2;\n  team: Platform\n  unknown_key: ignored',
        'apiVersion: v1\nkind: label\nspec:\n  name: skipped',
      ].join('\n---\n'),
    );
    const t = await start({ enrollSecrets: [{ secret: 'plat', team: 'Platform' }], policiesFile: file });
    const team = await t.store.getTeamByName('Platform');
    expect(team).toBeDefined();
    expect((await t.store.findEnrollSecret('plat'))?.teamId).toBe(team!.id);
    const policies = await t.store.listAllPolicies();
    expect(policies.map((p) => [p.name, p.teamId, p.platforms])).toEqual([
      ['global one', null, 'linux'],
      ['team one', team!.id, ''],
    ]);
    const key = await t.enroll('plat-1', { secret: 'plat' });
    const body = (await t.read(key)).json() as { queries: Record<string, string> };
    expect(Object.values(body.queries)).toEqual(expect.arrayContaining(['SELECT 1;', 'SELECT 2;']));
  });

  it('refuses to start with an invalid policy file, naming every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'kind: policy\nspec:\n  query: SELECT 1;\n');
    await expect(buildServer({ store: new MemoryStore(), logLevel: 'silent', policiesFile: file })).rejects.toMatchObject({
      code: 'POLICY_YAML_INVALID',
      message: expect.stringContaining('doc 1 spec.name: is required'),
    });
    await expect(buildServer({ store: new MemoryStore(), logLevel: 'silent', policiesFile: join(dir, 'missing.yml') })).rejects.toMatchObject({
      code: 'CLI_INVALID_OPTION',
    });
  });
});

describe('over real HTTP', () => {
  let server: OsqsimServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves every osquery endpoint, /metrics and errors on a real socket, and closes gracefully', async () => {
    const store = new MemoryStore();
    server = await buildServer({ store, closeStore: false, port: 0, logLevel: 'silent', enrollSecrets: [{ secret: 's' }] });
    const url = await server.listen();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const post = async (path: string, body: unknown): Promise<{ status: number; json: unknown; type: string | null }> => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, json: await response.json(), type: response.headers.get('content-type') };
    };
    const enrolled = await post('/api/osquery/enroll', { enroll_secret: 's', host_identifier: 'http-1' });
    expect(enrolled.status).toBe(200);
    expect(enrolled.type).toBe('application/json; charset=utf-8');
    const key = (enrolled.json as { node_key: string }).node_key;
    expect((await post('/api/osquery/config', { node_key: key })).status).toBe(200);
    const read = await post('/api/osquery/distributed/read', { node_key: key });
    expect(read.status).toBe(200);
    expect((read.json as { accelerate?: number }).accelerate).toBe(10);
    const write = await post('/api/osquery/distributed/write', {
      node_key: key,
      queries: { ...detailAnswers('http-1'), fleet_no_policies_wildcard: [{ 1: '1' }] },
      statuses: { fleet_no_policies_wildcard: '0' },
    });
    expect(write).toMatchObject({ status: 200, json: {} });
    expect(await post('/api/v1/osquery/distributed/read', { node_key: key })).toMatchObject({ status: 200, json: { queries: {}, discovery: {} } });
    expect(await post('/api/osquery/log', { node_key: key, log_type: 'result', data: [] })).toMatchObject({ status: 200, json: {} });
    expect(await post('/api/osquery/distributed/read', { node_key: 'bad' })).toMatchObject({ status: 401, json: { node_invalid: true } });
    expect(await post('/api/osquery/distributed/read', '{not json')).toMatchObject({ status: 400 });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('osqsim_http_request_duration_seconds_bucket{endpoint="read"');
    const hostId = (await store.getHostByNodeKey(key))!.id;
    const enrolledSeen = (await store.getHost(hostId))!.seenTime!.getTime();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await post('/api/osquery/distributed/read', { node_key: key });
    await server.close();
    expect((await store.getHost(hostId))!.seenTime!.getTime()).toBeGreaterThan(enrolledSeen);
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
    server = undefined;
  });
});

describe('fault injection (harness store_unavailable event)', () => {
  it('makes the store unavailable for the given time behind the REST token, then recovers', async () => {
    const t = await start({ apiToken: 'secret-token', hostCacheTtlMs: 0 });
    const key = await t.enroll('fault-1');
    const inject = (body: unknown, token = 'secret-token') =>
      t.post('/api/v1/osqsim/faults', body, { authorization: `Bearer ${token}` });
    expect((await inject({ store_unavailable_ms: 60_000 }, 'wrong')).statusCode).toBe(401);
    expect((await inject({ store_unavailable_ms: 'soon' })).statusCode).toBe(400);
    expect((await t.read(key)).statusCode).toBe(200);
    expect((await inject({ store_unavailable_ms: 60_000 })).statusCode).toBe(200);
    const down = await t.read(key);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: 'the store is unavailable: fault injected (store_unavailable)' });
    expect(t.server.faults.storeUnavailable).toBe(true);
    expect((await inject({ store_unavailable_ms: 0 })).statusCode).toBe(200);
    expect((await t.read(key)).statusCode).toBe(200);
  });
});
