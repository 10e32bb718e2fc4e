/**
 * osquery under fleetd runs with fleetd's flags (orbit/pkg/osquery/flags.go FleetFlags):
 * config_refresh 60 s and distributed_tls_max_attempts 10, whatever the run's agent section says.
 */
import { afterEach, expect, test } from 'vitest';
import { agentHarness, gaps, type AgentHarness } from '../fixtures/agent-clock.js';
import { osqueryFlagsFor } from '../../../simulator/orbit/osquery-flags.js';
import { AGENT_DEFAULTS, type FleetGroupSpec } from '../../../contract/fleet-spec.js';

let harness: AgentHarness | undefined;
afterEach(() => harness?.close());

const base = { name: 'mac', count: 1, platform: 'darwin', os_version: '14.4', osquery_version: '5.12.1', tables: {} };

test('fleetd groups get config_refresh 60 s and 10 distributed attempts; osquery groups keep the run flags', () => {
  const agent = { ...AGENT_DEFAULTS, config_refresh: 10_000, distributed_tls_max_attempts: 3 };
  expect(osqueryFlagsFor({ ...base, agent: 'fleetd' } as FleetGroupSpec, agent)).toMatchObject({ config_refresh: 60_000, distributed_tls_max_attempts: 10 });
  expect(osqueryFlagsFor(base as FleetGroupSpec, agent)).toBe(agent);
});

test('an osquery agent of a fleetd group refreshes its config every 60 s although the run says 10 s', async () => {
  harness = await agentHarness({ agent: { config_refresh: '10s' }, groups: [{ ...base, agent: 'fleetd' }] });
  harness.advance(5 * 60_000);
  expect(new Set(gaps(harness.of('config')))).toEqual(new Set([60_000]));
});

test('a plain osquery group in the same run keeps config_refresh 10 s', async () => {
  harness = await agentHarness({ agent: { config_refresh: '10s' }, groups: [base] });
  harness.advance(60_000);
  expect(new Set(gaps(harness.of('config')))).toEqual(new Set([10_000]));
});

test('before a served config sets it, a fleetd host tries a failing read 10 times (i² s apart)', async () => {
  harness = await agentHarness({ groups: [{ ...base, agent: 'fleetd' }], reply: (r) => (r.endpoint === 'read' ? { status: 500, body: '{"error":"x"}' } : undefined) });
  harness.advance(400_000);
  const reads = harness.of('read');
  expect(gaps(reads.slice(0, 10))).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81].map((s) => s * 1000));
});
