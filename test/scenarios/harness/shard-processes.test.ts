/**
 * Simulator shard processes (simulator.processes): a shard that fails is an error naming the shard
 * with its own output — the run never waits on it.
 */
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ShardProcesses } from '../../../scenarios/harness/shard-processes.js';
import { freeLoopbackPort } from '../../../scenarios/harness/haproxy-process.js';
import { reportError } from '../../../lib/cli-usage.js';

it('a shard that cannot reach its target fails the run at once with its output, naming the shard', async () => {
  const port = await freeLoopbackPort();
  const started = Date.now();
  const shards = new ShardProcesses({
    scenarioFile: join(import.meta.dirname, '..', '..', '..', 'scenarios', 'quickstart.yaml'),
    hosts: 20,
    durationMs: 60_000,
    warmupMs: 0,
    seed: 1,
    enrollSecret: 'osqsim',
    targets: [`http://127.0.0.1:${port}`],
    processes: 2,
    startAtMs: Date.now() + 20_000,
    workersPerProcess: 1,
  });
  try {
    const error = await shards.done.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SHARD_PROCESS_FAILED' });
    expect(Date.now() - started).toBeLessThan(20_000);
    const printed: string[] = [];
    expect(reportError('osqsim run', error, (t) => printed.push(t))).toBe(1);
    expect(printed.join('')).toMatch(/simulator shard [01]\/2 failed: exited with 1/);
    expect(printed.join('')).toMatch(/shard output:\n.*cannot reach target http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/s);
  } finally {
    await shards.dispose();
  }
}, 40_000);

it('a shard that has not reported by the end of the run plus the grace period is killed and named, not waited for', async () => {
  // A target that accepts connections and never answers: the shard's requests hang until their timeout.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const startAtMs = Date.now() + 8000;
  const shards = new ShardProcesses({
    scenarioFile: join(import.meta.dirname, '..', '..', '..', 'scenarios', 'quickstart.yaml'),
    hosts: 10,
    durationMs: 1000,
    warmupMs: 0,
    seed: 1,
    enrollSecret: 'osqsim',
    targets: [`http://127.0.0.1:${port}`],
    processes: 1,
    startAtMs,
    workersPerProcess: 1,
    graceMs: 2000,
  });
  try {
    const error = (await shards.done.catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe('SHARD_PROCESS_FAILED');
    expect(error.message).toMatch(/simulator shard 0\/1 failed: no result 2 s after the end of the run \(killed\)/);
    expect(Date.now()).toBeLessThan(startAtMs + 1000 + 2000 + 3000);
  } finally {
    await shards.dispose();
    silent.close();
  }
}, 40_000);
