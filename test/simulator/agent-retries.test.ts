/**
 * osquery's request rules on a fake clock (docs/fidelity.md, "osquery's client behaviour"):
 * retries with i² s sleeps, failures read from the body, the 16 s timeout, retained writes,
 * the accelerated config refresh.
 */
import { afterEach, expect, test } from 'vitest';
import { AGENT_DEFAULTS } from '../../contract/fleet-spec.js';
import { agentHarness, gaps, type AgentHarness, type Reply, type SentRequest } from './fixtures/agent-clock.js';

let h: AgentHarness | undefined;
afterEach(() => h?.close());

const POLICY = { fleet_policy_query_7: 'SELECT 1 FROM disk_encryption WHERE encrypted = 1' };

test('a failed read is tried distributed_tls_max_attempts (3) times, 1 s then 4 s apart, then the loop sleeps its interval', async () => {
  h = await agentHarness({ reply: (r) => (r.endpoint === 'read' && r.index < 3 ? { status: 500, body: { error: 'db down' } } : undefined) });
  h.advance(40_000);
  const reads = h.of('read');
  expect(gaps(reads).slice(0, 3)).toEqual([1000, 4000, 10_000]);
  expect(h.agents.agentCounts().write_results_retained).toBe(0);
});

test('an answer with "error" is a failure even with status 200; a JSON answer without it is a success even with status 500 (osquery reads the body, not the status)', async () => {
  h = await agentHarness({
    reply: (r) => {
      if (r.endpoint !== 'read') return undefined;
      if (r.index === 0) return { status: 200, body: { error: 'nope' } };
      if (r.index === 1) return { status: 500, body: { queries: {} } };
      return undefined;
    },
  });
  h.advance(12_000);
  const reads = h.of('read');
  // index 0 failed → retry 1 s later; index 1 (a 500 with a JSON body, no error) counted as done → 10 s.
  expect(gaps(reads).slice(0, 2)).toEqual([1000, 10_000]);
});

test('a non-JSON body and a connect error are failures', async () => {
  h = await agentHarness({ reply: (r) => (r.endpoint === 'read' && r.index === 0 ? { status: 200, body: '<html>bad gateway</html>' } : r.endpoint === 'read' && r.index === 1 ? 'connect' : undefined) });
  h.advance(20_000);
  expect(gaps(h.of('read')).slice(0, 3)).toEqual([1000, 4000, 10_000]);
});

test('the request timeout is osquery\'s 16 s; a timed-out read is retried after it plus the sleep', async () => {
  expect(AGENT_DEFAULTS.request_timeout).toBe(16_000);
  h = await agentHarness({ agent: { request_timeout: '16s' }, reply: (r) => (r.endpoint === 'read' && r.index === 0 ? 'timeout' : undefined) });
  h.advance(30_000);
  expect(gaps(h.of('read'))[0]).toBe(16_000 + 1000);
});

test('config is tried config_tls_max_attempts times (the agent section\'s), and a failed refresh waits config_accelerated_refresh (300 s)', async () => {
  let failing = false;
  h = await agentHarness({
    agent: { config_tls_max_attempts: 2, config_refresh: '60s' },
    reply: (r) => (r.endpoint === 'config' && failing ? { status: 503, body: { error: 'busy' } } : undefined),
  });
  h.advance(1000);
  failing = true;
  h.advance(359_500, 100); // to 360.5 s: the refresh at 60 s, its retry at 61 s, both fail
  failing = false;
  h.advance(120_000, 100);
  const at = h.of('config').map((r) => r.t);
  // start, the refresh at 60 s and its one retry 1 s later, then 300 s later a refresh that works,
  // then the normal 60 s again.
  expect(at.slice(0, 5)).toEqual([0, 60_000, 61_000, 361_000, 421_000]);
});

test('results of a failed write stay with the host and are re-sent with the next loop until accepted; the result counts them', async () => {
  let writesFail = true;
  h = await agentHarness({
    reply: (r: SentRequest): Reply | undefined => {
      if (r.endpoint === 'read') return { status: 200, body: r.index === 0 ? { queries: POLICY, discovery: {} } : { queries: {}, discovery: {} } };
      if (r.endpoint === 'write' && writesFail) return { status: 500, body: { error: 'ingest failed' } };
      return undefined;
    },
  });
  h.advance(10);
  // 3 attempts (0, 1, 5 s), then the read 10 s later finds no new queries but the loop writes what it holds.
  h.advance(5000 + 10_000 + 100);
  const writes = h.of('write');
  expect(writes.length).toBe(4);
  expect(gaps(writes).slice(0, 2)).toEqual([1000, 4000]);
  for (const w of writes) expect(w.body.queries).toEqual({ fleet_policy_query_7: [{ '1': '1' }] });
  expect(h.truth.snapshot().length).toBe(0);
  writesFail = false;
  h.advance(20_000);
  const counts = h.agents.agentCounts();
  expect(counts.write_results_retained).toBeGreaterThanOrEqual(1);
  expect(counts.write_results_resent).toBeGreaterThanOrEqual(1);
  expect(counts.write_results_dropped).toBe(0);
  // Accepted: the truth has it, and the host holds nothing any more.
  expect(h.truth.snapshot()).toEqual([expect.objectContaining({ id: 7 })]);
  expect(h.agents.sideState.results).toBe(0);
  const after = h.of('write').length;
  h.advance(30_000);
  expect(h.of('write').length).toBe(after);
});

test('retained results are bounded per host: the oldest are dropped and counted, never silently', async () => {
  let read = 0;
  h = await agentHarness({
    agent: { retained_results_max_bytes: 1024 },
    reply: (r) => {
      if (r.endpoint === 'read') {
        read++;
        // A new query name every loop, with a big answer; every write fails.
        return { status: 200, body: { queries: { [`fleet_detail_query_${read}`]: `SELECT '${'x'.repeat(400)}' AS v` }, discovery: {} } };
      }
      if (r.endpoint === 'write') return { status: 500, body: { error: 'down' } };
      return undefined;
    },
  });
  h.advance(120_000, 100);
  const counts = h.agents.agentCounts();
  expect(counts.write_results_dropped).toBeGreaterThan(0);
  const last = h.of('write').at(-1)!;
  expect(last.raw.length).toBeLessThan(2048);
  expect(Object.keys(last.body.queries as object).length).toBeGreaterThanOrEqual(1);
});
