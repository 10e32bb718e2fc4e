/**
 * osquery's enroll schedule, node_invalid handling and buffered logger, on a fake clock
 * (docs/fidelity.md, "osquery's client behaviour").
 */
import { afterEach, expect, test } from 'vitest';
import { agentHarness, gaps, type AgentHarness } from './fixtures/agent-clock.js';

let h: AgentHarness | undefined;
afterEach(() => h?.close());

test('enroll retries wait 1, 4, 9 … s capped at tls_enroll_max_interval, with no jitter, for tls_enroll_max_attempts; then the request goes out with an empty key', async () => {
  let enrollWorks = false;
  h = await agentHarness({
    agent: { tls_enroll_max_attempts: 6, tls_enroll_max_interval: '10s' },
    reply: (r) => {
      if (r.endpoint === 'enroll' && !enrollWorks) return { status: 503, body: { error: 'enroll failed' } };
      if (r.endpoint === 'config' && r.body.node_key === '') return { status: 401, body: { error: 'invalid node key', node_invalid: true } };
      return undefined;
    },
  });
  h.advance(34_500, 100); // attempts at 0, 1, 5, 14, 24, 34 s
  const enrolls = h.of('enroll');
  expect(enrolls).toHaveLength(6);
  expect(gaps(enrolls)).toEqual([1000, 4000, 9000, 10_000, 10_000]);
  // The sequence gave up: the config goes out with "" (osquery's enroll() returned ""), fails, and
  // its next attempt 1 s later starts a new enroll sequence.
  const config = h.of('config')[0]!;
  expect(config.body.node_key).toBe('');
  expect(config.authorization).toBeUndefined();
  expect(h.agents.agentCounts().enroll_gave_up).toBe(1);
  enrollWorks = true;
  h.advance(2000, 100);
  expect(h.of('enroll').at(-1)!.t).toBe(config.t + 1000);
  expect(h.of('config').at(-1)!.body.node_key).toMatch(/^key-/);
});

test('every host of a wave retries at the same instants (no jitter)', async () => {
  h = await agentHarness({ hosts: 20, agent: { start_period: 0 }, reply: (r) => (r.endpoint === 'enroll' && r.t < 14_000 ? { status: 500, body: { error: 'x' } } : undefined) });
  h.advance(20_000, 100);
  const instants = new Set(h.of('enroll').map((r) => r.t));
  expect([...instants].sort((a, b) => a - b)).toEqual([0, 1000, 5000, 14_000]);
});

test('node_invalid in a write\'s body (whatever the status) clears the key; the next attempt re-enrolls and re-sends the same results, which reach the server; other loops keep their phases', async () => {
  let invalidated = false;
  h = await agentHarness({
    reply: (r) => {
      if (r.endpoint === 'read') return { status: 200, body: r.index === 0 ? { queries: { fleet_policy_query_3: 'SELECT 1' }, discovery: {} } : { queries: {}, discovery: {} } };
      if (r.endpoint === 'write' && !invalidated) {
        invalidated = true;
        return { status: 200, body: { error: 'invalid node key', node_invalid: true } };
      }
      return undefined;
    },
  });
  h.advance(70_000, 100);
  const writes = h.of('write');
  expect(writes).toHaveLength(2);
  expect(writes[1]!.t - writes[0]!.t).toBe(1000);
  expect(writes[1]!.body.queries).toEqual(writes[0]!.body.queries);
  expect(writes[1]!.body.node_key).not.toBe(writes[0]!.body.node_key);
  const enrolls = h.of('enroll');
  expect(enrolls).toHaveLength(2);
  expect(enrolls[1]!.t).toBe(writes[1]!.t);
  expect(h.truth.snapshot()).toEqual([expect.objectContaining({ id: 3, counts: expect.objectContaining({ passing: 1 }) })]);
  // The config loop kept its phase: 0 s, 60 s (no extra config after the re-enroll).
  expect(h.of('config').map((r) => r.t)).toEqual([0, 60_000]);
});

test('logger: one attempt per check; a failing type backs off period × n² up to logger_tls_backoff_max', async () => {
  h = await agentHarness({
    agent: { startup_status_lines: 5, logger_tls_period: '10s', logger_tls_backoff_max: '100s' },
    reply: (r) => (r.endpoint === 'log' ? { status: 500, body: { error: 'log ingest down' } } : undefined),
  });
  h.advance(400_000, 1000);
  const at = h.of('log').map((r) => r.t);
  // Checks at 0; after failure n: 10·n² s (10, 40, 90 → capped at 100, then 100 …).
  expect(gaps(at.map((t) => ({ t }) as never)).slice(0, 5)).toEqual([10_000, 40_000, 90_000, 100_000, 100_000]);
  // The lines stay buffered.
  expect(h.agents.bufferedLines(0).statuses).toBe(5);
});

test('logger: at most logger_tls_max_lines per check across results and statuses (results first); buffered_log_max purges and counts the excess', async () => {
  h = await agentHarness({
    agent: { startup_status_lines: 300, logger_tls_max_lines: 100, buffered_log_max: 250, logger_tls_period: '10s' },
    reply: (r) => (r.endpoint === 'log' && r.index === 0 ? { status: 500, body: { error: 'x' } } : undefined),
  });
  h.advance(100);
  // First check: 100 of 300 status lines, fails; purge keeps 250.
  expect((h.of('log')[0]!.body.data as unknown[]).length).toBe(100);
  expect(h.agents.agentCounts().log_lines_purged).toBe(50);
  h.advance(60_000, 1000);
  const sizes = h.of('log').map((r) => (r.body.data as unknown[]).length);
  expect(sizes.slice(1, 4)).toEqual([100, 100, 50]);
  expect(h.agents.bufferedLines(0).statuses).toBe(0);
});

test('logger: results fill the per-check cap before statuses, sent results first then statuses', async () => {
  h = await agentHarness({
    agent: { startup_status_lines: 50, logger_tls_max_lines: 30, logger_tls_period: '10s' },
    reply: (r) => {
      if (r.endpoint === 'config') return { status: 200, body: { schedule: { many: { query: "SELECT 'a' UNION SELECT 'b' UNION SELECT 'c'", interval: 1 } } } };
      return undefined;
    },
  });
  h.advance(10_000 * 2 + 100, 100);
  const logs = h.of('log');
  // The first check (at start) sends 30 of the 50 status lines. The next, 10 s later: a differential
  // query logs its rows once (first run: 3 lines, later runs add nothing on static tables); results go
  // first, and the statuses take what is left of the cap (the 20 remaining lines).
  expect(logs.map((l) => [l.body.log_type, (l.body.data as unknown[]).length])).toEqual([
    ['status', 30],
    ['result', 3],
    ['status', 20],
  ]);
  expect(logs[2]!.t).toBe(logs[1]!.t);
});
