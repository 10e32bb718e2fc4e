/**
 * The verdict end to end (worker thread, real sockets, result document): the same slow target is
 * judged the generator's fault when a one-connection fixed pool queues the hosts' requests inside the
 * simulator, and the target's when elastic connections hand every request to it at once.
 */
import { afterEach, expect, test } from 'vitest';
import { runSimulation } from '../../simulator/pool.js';
import type { ConnectionMode } from '../../simulator/transport/transport.js';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { ENVIRONMENT_DATA, scenario } from './helpers.js';

let server: FakeServer | undefined;
afterEach(async () => server?.close());

async function run(connections: ConnectionMode) {
  // Reads take 600 ms at the target: above the 500 ms service-time rule, far below the request timeout.
  server = await startFakeServer({ readDelayMs: 600 });
  const s = scenario(
    { hosts: 40, duration: '4s', fleet: { groups: [{ name: 'linux', weight: 1, platform: 'ubuntu', os_version: '22.04', tables: {} }] } },
    { distributed_interval: '1s', start_period: '200ms' },
  );
  return runSimulation({ targets: [server.url], scenario: s, workers: 1, connections, environment: ENVIRONMENT_DATA }).done;
}

test('a fixed pool of 1 against a slow target: the generator is saturated (its own client queue), and the target cannot be judged', async () => {
  const doc = await run(1);
  expect(doc.run.connection_mode).toBe('fixed');
  expect(doc.generator.saturated).toBe(true);
  expect(doc.generator.saturated_side).toBe('generator');
  expect(doc.generator.client_queue_p99_ms).toBeGreaterThanOrEqual(100);
  expect(doc.generator.warnings.join(' ')).toMatch(/requests waited ≥ 100 ms \(p99\) inside the simulator/);
  expect(doc.generator.saturation_reasons!.at(-1)).toMatch(/^the target may be saturated too \(.*read service time p99 \d+ ms/);
}, 30_000);

test('elastic connections against the same target: the target is saturated (service time), the generator is not', async () => {
  const doc = await run('elastic');
  expect(doc.run.connection_mode).toBe('elastic');
  expect(doc.run.connections).toBeGreaterThanOrEqual(20);
  expect(doc.generator.saturated).toBe(false);
  expect(doc.generator.saturated_side).toBe('target');
  expect(doc.generator.saturation_reasons).toEqual([expect.stringMatching(/^TARGET SATURATED: read service time p99 \d+ ms \(≥ 500 ms\), while the generator kept its schedule$/)]);
}, 30_000);
