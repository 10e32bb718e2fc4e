/**
 * `osqsim bench checkin`: why it does not trust autocannon's rate-mode correction, that its own open
 * loop measures from intended send times, and that it drives a real osqsim server end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { runOpenLoop } from '../../simulator/open-loop/driver.js';
import { runBench } from '../../capacity/bench-command.js';
import { benchDocument, type BenchDocument } from '../../capacity/bench-document.js';
import { runCheckinBench, type CheckinBenchParams, type CheckinBenchResults } from '../../capacity/checkin-bench.js';
import { checkinBench, optionsFromFlags } from '../../capacity/checkin-bench-command.js';
import { formatCheckinBench } from '../../capacity/checkin-bench-format.js';
import { writeBody } from '../../simulator/open-loop/hosts.js';
import { buildServer, type OsqsimServer } from '../../server/app.js';

/** A server whose every answer takes `delayMs`, optionally stalling all answers for `stallMs` once. */
function slowServer(delayMs: number, stall?: { atMs: number; forMs: number }): Promise<{ url: string; server: Server }> {
  const started = Date.now();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      let wait = delayMs;
      if (stall) {
        const now = Date.now() - started;
        const stallEnd = stall.atMs + stall.forMs;
        if (now >= stall.atMs && now < stallEnd) wait += stallEnd - now;
      }
      setTimeout(() => response.end('{}'), wait);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

describe("autocannon 9's coordinated-omission correction (why bench checkin measures --rate itself)", () => {
  it('uses an expected interval of 1 ms instead of 1000/rate ms, reporting latencies below the real minimum', async () => {
    const { url, server } = await slowServer(30);
    try {
      // 1 connection at 10 req/s: every response takes ≥ 30 ms and requests are ≥ 30 ms apart, so no real latency is < 30 ms.
      const corrected = await autocannon({ url, connections: 1, connectionRate: 10, duration: 1.5 });
      const honest = await autocannon({ url, connections: 1, connectionRate: 10, duration: 1.5, ignoreCoordinatedOmission: true });
      // (timers fire to the millisecond and autocannon rounds: allow 2 ms)
      expect(honest.latency.min).toBeGreaterThanOrEqual(28);
      expect(honest.latency.p50).toBeGreaterThanOrEqual(28);
      // The "correction" back-fills samples at 29, 28, … 1 ms for every response (interval Math.ceil(1/10) = 1 ms).
      expect(corrected.latency.min).toBeLessThan(5);
      // Back-filled 1 … r−1 ms for each response of r ms: the median falls to about half the real one.
      expect(corrected.latency.p50).toBeLessThan(honest.latency.p50 * 0.75);
      const count = (result: autocannon.Result): number => (result.latency as unknown as { totalCount: number }).totalCount;
      expect(count(corrected)).toBeGreaterThan(10 * count(honest));
    } finally {
      server.close();
    }
  });
});

describe('open loop (bench checkin --rate)', () => {
  it('sends at the rate, evenly, and never reports less than the service time', async () => {
    const { url, server } = await slowServer(5);
    const pool = new Pool(url, { connections: 4 });
    try {
      const result = await runOpenLoop({ pool, path: '/', bodies: ['{}'], ratePerS: 100, durationMs: 1500, connections: 4 });
      expect(result.intended).toBe(150);
      expect(result.completed).toBe(150);
      expect(result.unsent).toBe(0);
      expect(result.statusCodes['200']).toBe(150);
      expect(result.latencyMs.p50).toBeGreaterThanOrEqual(5);
      expect(result.latencyMs.p50).toBeGreaterThanOrEqual(result.serviceMs.p50 - 0.01);
    } finally {
      await pool.close();
      server.close();
    }
  });

  it('charges a stall to every request intended during it (no coordinated omission)', async () => {
    // 2 connections at 100 req/s; the server stalls 600 ms after 400 ms. About 60 requests were intended
    // during the stall; from their intended times they waited up to ~600 ms.
    const { url, server } = await slowServer(2, { atMs: 400, forMs: 600 });
    const pool = new Pool(url, { connections: 2 });
    try {
      const result = await runOpenLoop({ pool, path: '/', bodies: ['{}'], ratePerS: 100, durationMs: 2000, connections: 2 });
      expect(result.completed).toBe(200);
      expect(result.latencyMs.max).toBeGreaterThan(450);
      // ≥ 25% of requests were intended during or just after the stall: p90 shows it; service time does not.
      expect(result.latencyMs.p90).toBeGreaterThan(100);
      expect(result.serviceMs.p90).toBeLessThan(result.latencyMs.p90);
      expect(result.maxSendLagMs).toBeGreaterThan(400);
    } finally {
      await pool.close();
      server.close();
    }
  });
});

const base = { target: '', enrollSecret: 'bench-secret', hosts: '40', connections: '4', duration: '1s', seed: '7', apiPrefix: '/api/osquery', timeout: '5s' };

describe('bench checkin against the osqsim server (memory store)', () => {
  let osqsim: OsqsimServer;
  let target: string;

  beforeAll(async () => {
    osqsim = await buildServer({ store: 'memory', port: 0, logLevel: 'silent', enrollSecrets: [{ secret: 'bench-secret' }] });
    await osqsim.context.store.applyPolicySpecs([
      { name: 'always passes', query: 'SELECT 1;', teamId: null },
      { name: 'disk encrypted', query: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1;', teamId: null },
      { name: 'firewall', query: 'SELECT 1 FROM alf WHERE global_state >= 1;', platforms: 'darwin', teamId: null },
    ]);
    target = await osqsim.listen();
  });

  afterAll(async () => {
    await osqsim?.close();
  });

  it('enrolls, primes and drives idle reads with rotating node keys', async () => {
    const doc = benchDocument('checkin', await runCheckinBench(optionsFromFlags({ ...base, target, endpoint: 'read' })));
    expect(doc.bench).toBe('checkin');
    expect(doc).not.toHaveProperty('ratio');
    expect(doc.results.enroll).toMatchObject({ hosts: 40, failures: 0 });
    expect(doc.results.prime).toMatchObject({ failures: 0 });
    expect(doc.results.prime!.policies_per_host_max).toBeGreaterThanOrEqual(2);
    expect(doc.results.requests.total).toBeGreaterThan(0);
    expect(doc.results.requests.non_2xx).toBe(0);
    expect(doc.results.errors.total).toBe(0);
    // Primed hosts are in steady state: their reads are the idle check-in.
    expect(doc.results.read_nonempty).toBe(0);
    expect(formatCheckinBench(doc)).toMatch(/req\/s/);
    expect((await osqsim.context.store.countMembership())).toBeGreaterThanOrEqual(40 * 2);
  });

  it('writes policy results the server accepts, at a fixed rate from intended times', async () => {
    const doc = await runCheckinBench(optionsFromFlags({ ...base, target, endpoint: 'write', rate: '50' }));
    expect(doc.params.rate).toBe(50);
    expect(doc.results.schedule).toMatchObject({ intended: 50, unsent: 0 });
    expect(doc.results.requests.ok).toBe(50);
    expect(doc.results.service_ms).toBeDefined();
    expect(doc.results.measurement).toMatch(/intended send time/);
  });

  it('measures several endpoints one after the other, the first at the top, each under endpoints', async () => {
    let stdout = '';
    const code = await runBench(checkinBench, { ...base, target, endpoint: 'log,enroll', json: true }, { stdout: (text) => void (stdout += text), stderr: () => undefined });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as BenchDocument<CheckinBenchResults, CheckinBenchParams>;
    expect(doc.params).toMatchObject({ endpoint: 'log', endpoints: ['log', 'enroll'] });
    expect(Object.keys(doc.results.endpoints!)).toEqual(['log', 'enroll']);
    for (const results of Object.values(doc.results.endpoints!)) {
      expect(results.requests.total).toBeGreaterThan(0);
      expect(results.requests.non_2xx).toBe(0);
    }
    expect(doc.results.requests).toEqual(doc.results.endpoints!.log!.requests);
    expect(formatCheckinBench(doc)).toMatch(/every endpoint measured[\s\S]*log[\s\S]*enroll/);
  });

  it('prepares the orbit rows (orbit enroll, device tokens) and drives them, Desktop with a token per host in the URL', async () => {
    let stdout = '';
    const code = await runBench(checkinBench, { ...base, target, endpoint: 'orbit-config,device-token,desktop,desktop-ping,orbit-ping', json: true }, { stdout: (text) => void (stdout += text), stderr: () => undefined });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as BenchDocument<CheckinBenchResults, CheckinBenchParams>;
    expect(Object.keys(doc.results.endpoints!)).toEqual(['orbit-config', 'device-token', 'desktop', 'desktop-ping', 'orbit-ping']);
    for (const [name, results] of Object.entries(doc.results.endpoints!)) {
      if (name !== 'orbit-ping') expect(results.orbit).toMatchObject({ hosts: 40, failures: 0 });
      expect(results.requests.total).toBeGreaterThan(0);
      expect(results.requests.non_2xx).toBe(0);
    }
  });

  it('fails clearly when the enroll secret is wrong', async () => {
    await expect(runCheckinBench(optionsFromFlags({ ...base, target, endpoint: 'config', enrollSecret: 'wrong', hosts: '2' }))).rejects.toThrow(/no host could enroll.*401/);
  });
});

describe('write bodies', () => {
  it('answer each policy the host was asked, sticky per host: pass, fail or error like osquery', () => {
    const host = { index: 3, identifier: 'X', nodeKey: 'k', firstQueries: ['fleet_detail_query_os_version', ...Array.from({ length: 200 }, (_, i) => `fleet_policy_query_${i + 1}`)] };
    const body = JSON.parse(writeBody(host, 1)) as { node_key: string; queries: Record<string, unknown[]>; statuses: Record<string, number> };
    expect(body.node_key).toBe('k');
    expect(writeBody(host, 1)).toBe(writeBody(host, 1));
    const policies = Object.keys(body.queries).filter((name) => name.startsWith('fleet_policy_query_'));
    const passing = policies.filter((name) => body.statuses[name] === 0 && body.queries[name]!.length > 0).length;
    const errored = policies.filter((name) => body.statuses[name] !== 0).length;
    expect(passing / policies.length).toBeGreaterThan(0.65);
    expect(passing / policies.length).toBeLessThan(0.95);
    expect(errored).toBeLessThan(20);
    expect(body.queries.fleet_detail_query_os_version).toHaveLength(1);
  });

  it('rejects bad flags with the option named', () => {
    expect(() => optionsFromFlags({ ...base, target: 'http://x', endpoint: 'nope' })).toThrow(/--endpoint/);
    expect(() => optionsFromFlags({ ...base, target: 'nope', endpoint: 'read' })).toThrow(/--target/);
    expect(() => optionsFromFlags({ ...base, target: 'http://x', endpoint: 'read', rate: '-1' })).toThrow(/--rate/);
  });
});
