/**
 * Which options come from where, the distributed wire format (discovery, denylist, node-key header)
 * and result logs from the served config's schedule and packs, on a fake clock
 * (docs/fidelity.md, "osquery's client behaviour").
 */
import { afterEach, expect, test } from 'vitest';
import { validateScenario } from '../../scenarios/schema/scenario.js';
import { agentHarness, gaps, T0, type AgentHarness, type SentRequest } from './fixtures/agent-clock.js';

let h: AgentHarness | undefined;
afterEach(() => h?.close());

const FLEET = { groups: [{ name: 'mac', count: 1, platform: 'darwin', os_version: '14.4' }] };
const config = (body: Record<string, unknown>) => (r: SentRequest) => (r.endpoint === 'config' ? { status: 200, body } : undefined);

test('CLI-only flags in the served config are ignored (config_refresh, config_tls_max_attempts, tls_enroll_*); ordinary ones are adopted', async () => {
  h = await agentHarness({
    agent: { config_refresh: '60s', distributed_interval: '10s' },
    reply: (r) => {
      if (r.endpoint === 'config') return { status: 200, body: { options: { config_refresh: 5, config_tls_refresh: 5, distributed_interval: 20, distributed_tls_max_attempts: 2 } } };
      if (r.endpoint === 'read' && r.index >= 1 && r.index <= 3) return { status: 500, body: { error: 'x' } };
      return undefined;
    },
  });
  h.advance(130_000, 100);
  // config every 60 s (the agent section's), not 5 s.
  expect(h.of('config').map((r) => r.t)).toEqual([0, 60_000, 120_000]);
  // distributed_interval 20 s and 2 attempts (1 s apart) from the served options.
  expect(gaps(h.of('read')).slice(0, 4)).toEqual([20_000, 1000, 20_000, 1000]);
});

test('the scenario\'s agent section takes the CLI-only flags and checks them', () => {
  const ok = validateScenario({ hosts: 1, fleet: FLEET, agent: { config_tls_max_attempts: 5, config_accelerated_refresh: '2m', tls_enroll_max_attempts: 0, tls_enroll_max_interval: '30s', node_key_auth: 'header', crash_queries: ['FROM crashy'] } });
  expect(ok.ok).toBe(true);
  const bad = validateScenario({ hosts: 1, fleet: FLEET, agent: { config_tls_max_attempts: 0, node_key_auth: 'cookie', crash_queries: [''] } });
  expect(bad.ok).toBe(false);
  if (!bad.ok) expect(bad.issues.map((i) => i.path).sort()).toEqual(['agent.config_tls_max_attempts', 'agent.crash_queries[0]', 'agent.node_key_auth']);
});

test('a discovery query with an SQL error aborts the whole batch: nothing of it runs or is written', async () => {
  h = await agentHarness({
    reply: (r) => {
      if (r.endpoint !== 'read') return undefined;
      if (r.index === 0) return { status: 200, body: { queries: { fleet_policy_query_1: 'SELECT 1', fleet_policy_query_2: 'SELECT 1' }, discovery: { fleet_policy_query_1: 'SELECT 1', fleet_policy_query_2: 'SELECT * FROM no_such_table' } } };
      if (r.index === 1) return { status: 200, body: { queries: { fleet_policy_query_1: 'SELECT 1', fleet_policy_query_2: 'SELECT 1' }, discovery: { fleet_policy_query_1: 'SELECT 1', fleet_policy_query_2: 'SELECT 1 WHERE 0' } } };
      return undefined;
    },
  });
  h.advance(25_000, 100);
  const writes = h.of('write');
  expect(writes).toHaveLength(1);
  expect(writes[0]!.t).toBeGreaterThanOrEqual(10_000);
  // Read 2: query 2's discovery returned no rows, so only query 1 ran.
  expect(Object.keys(writes[0]!.body.queries as object)).toEqual(['fleet_policy_query_1']);
  expect(h.agents.agentCounts().batches_aborted).toBe(1);
});

test('a query that crashes the agent is denylisted after the restart for distributed_denylist_duration and answered "distributed query is denylisted"', async () => {
  const crashy = 'SELECT * FROM disk_encryption WHERE encrypted = 1 /* crashy */';
  h = await agentHarness({
    agent: { crash_queries: ['crashy'], crash_restart_delay: '30s', distributed_denylist_duration: '1h' },
    reply: (r) => (r.endpoint === 'read' ? { status: 200, body: { queries: { fleet_policy_query_9: crashy }, discovery: {} } } : undefined),
  });
  h.advance(100);
  expect(h.agents.agentCounts().crashes).toBe(1);
  expect(h.of('write')).toHaveLength(0);
  h.advance(45_000, 10);
  // Restarted 30 s later: config again (same node key, no enroll), then the read, answered denylisted.
  expect(h.of('enroll')).toHaveLength(1);
  const crashedAt = h.of('read')[0]!.t;
  expect(h.of('config').map((r) => r.t)).toEqual([0, crashedAt + 30_000]);
  const write = h.of('write')[0]!;
  expect(write.body.statuses).toEqual({ fleet_policy_query_9: 1 });
  expect(write.body.messages).toEqual({ fleet_policy_query_9: 'distributed query is denylisted' });
  expect(write.body.queries).toEqual({ fleet_policy_query_9: [] });
  expect(h.truth.snapshot()[0]!.counts).toMatchObject({ unknown: 1 });
  // After the denylist expires the query runs again (and crashes again).
  h.advance(3_600_000, 1000);
  expect(h.agents.agentCounts().crashes).toBe(2);
});

test('the node key goes in the body and an Authorization: NodeKey header; header-only leaves the body without it', async () => {
  h = await agentHarness();
  h.advance(100);
  const read = h.of('read')[0]!;
  expect(read.body).toEqual({ node_key: 'key-0' });
  expect(read.authorization).toBe('NodeKey key-0');
  expect(h.of('enroll')[0]!.authorization).toBeUndefined();
  h.close();
  h = await agentHarness({ agent: { node_key_auth: 'header' } });
  h.advance(100);
  for (const r of h.sent.filter((x) => x.endpoint !== 'enroll')) {
    expect(r.body.node_key).toBeUndefined();
    expect(r.authorization).toBe('NodeKey key-0');
  }
  h.close();
  h = await agentHarness({ agent: { node_key_auth: 'body' } });
  h.advance(100);
  expect(h.of('read')[0]!.authorization).toBeUndefined();
  h.close();
  // A key with characters JSON escapes still makes the right header.
  h = await agentHarness({ reply: (r) => (r.endpoint === 'enroll' ? { status: 200, body: { node_key: 'a"b\\c/d+' } } : undefined) });
  h.advance(100);
  expect(h.of('read')[0]!.authorization).toBe('NodeKey a"b\\c/d+');
  expect(h.of('read')[0]!.body.node_key).toBe('a"b\\c/d+');
});

test('result logs come from the config\'s schedule and packs: snapshot one line per run at Unix-time multiples of the splayed interval', async () => {
  h = await agentHarness({
    agent: { logger_tls_period: '60s' },
    reply: config({
      options: { pack_delimiter: '/' },
      schedule: { uptime: { query: 'SELECT 1 AS up', interval: 10, snapshot: true } },
      packs: { Global: { queries: { up2: { query: 'SELECT 1 AS up', interval: 30, snapshot: true } } } },
    }),
  });
  h.advance(3_600_000 + 10, 1000);
  const lines = h.of('log').flatMap((l) => l.body.data as Array<{ name: string; action: string }>);
  const byName = new Map<string, number>();
  for (const l of lines) byName.set(l.name, (byName.get(l.name) ?? 0) + 1);
  // Splayed intervals lie within ±10 %: 9–11 s and 27–33 s, so an hour has 327–400 and 109–133 runs.
  expect(byName.get('uptime')).toBeGreaterThanOrEqual(327);
  expect(byName.get('uptime')).toBeLessThanOrEqual(400);
  expect(byName.get('pack/Global/up2')).toBeGreaterThanOrEqual(109);
  expect(byName.get('pack/Global/up2')).toBeLessThanOrEqual(134);
  expect(lines.every((l) => l.action === 'snapshot')).toBe(true);
  expect(h.of('log').every((l) => l.body.log_type === 'result')).toBe(true);
});

test('differential queries log their rows once; platform and min version filter what runs', async () => {
  h = await agentHarness({
    agent: { logger_tls_period: '60s' },
    reply: config({
      schedule: {
        rows: { query: "SELECT 'a' AS v UNION SELECT 'b'", interval: 10 },
        windows_only: { query: 'SELECT 1', interval: 10, snapshot: true, platform: 'windows' },
        future: { query: 'SELECT 1', interval: 10, snapshot: true, version: '99.0.0' },
        posix: { query: 'SELECT 1', interval: 60, snapshot: true, platform: 'posix' },
      },
    }),
  });
  h.advance(600_000, 1000);
  const lines = h.of('log').flatMap((l) => l.body.data as Array<{ name: string; action: string }>);
  const names = lines.map((l) => l.name);
  expect(names.filter((n) => n === 'rows')).toHaveLength(2);
  expect(lines.filter((l) => l.name === 'rows').every((l) => l.action === 'added')).toBe(true);
  expect(names).not.toContain('windows_only');
  expect(names).not.toContain('future');
  expect(names.filter((n) => n === 'posix').length).toBeGreaterThanOrEqual(9);
  expect(T0 % 3_600_000).toBe(0);
});
