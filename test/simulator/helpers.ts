/** Helpers: small scenarios and an in-process shard (runShard on the test's own thread). */
import { MessageChannel } from 'node:worker_threads';
import { validateScenario, type Scenario } from '../../scenarios/schema/scenario.js';
import runShard from '../../simulator/shard.js';
import type { ShardResult, ShardTask, WorkerMessage } from '../../simulator/protocol.js';
import type { PolicyTruth } from '../../simulator/fleet/truth.js';

export { ENVIRONMENT_DATA } from './fixtures/environment.js';
import { ENVIRONMENT_DATA } from './fixtures/environment.js';

export function scenario(overrides: Record<string, unknown> = {}, agent: Record<string, unknown> = {}): Scenario {
  const result = validateScenario({
    seed: 7,
    duration: '1h',
    agent: { start_period: 0, distributed_interval: '1s', config_refresh: '1h', logger_tls_period: '1h', ...agent },
    fleet: {
      groups: [
        { name: 'mac', count: 3, platform: 'darwin', os_version: '14.4', tables: { disk_encryption: [{ name: 'disk0', encrypted: 1 }] } },
        { name: 'linux', count: 2, platform: 'ubuntu', os_version: '22.04', tables: {} },
      ],
    },
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.scenario;
}

export interface InProcessShard {
  messages: WorkerMessage[];
  done: Promise<ShardResult>;
  stop(): void;
  setHosts(hosts: number): void;
  truth(): Promise<PolicyTruth[]>;
}

export function runInProcess(s: Scenario, target: string, extra: Partial<ShardTask> = {}): InProcessShard {
  const { port1, port2 } = new MessageChannel();
  const messages: WorkerMessage[] = [];
  let truthWaiter: ((p: PolicyTruth[]) => void) | undefined;
  port1.on('message', (m: WorkerMessage) => {
    messages.push(m);
    if (m.type === 'truth') truthWaiter?.(m.policies);
  });
  const task: ShardTask = {
    worker: 0,
    workers: 1,
    shard: { index: 0, count: 1 },
    capacity: s.hosts,
    hosts: s.hosts,
    seed: s.seed,
    agent: s.agent,
    fleet: s.fleet,
    policies: s.policies,
    policyNames: [],
    enrollSecret: s.enroll_secret,
    targets: [target],
    connections: 4,
    connectionLimit: 1000,
    runStartMs: performance.timeOrigin + performance.now(),
    warmupMs: 0,
    environment: ENVIRONMENT_DATA,
    port: port2,
    ...extra,
  };
  const done = runShard(task).finally(() => port1.close());
  return {
    messages,
    done,
    stop: () => port1.postMessage({ type: 'stop' }),
    setHosts: (hosts) => port1.postMessage({ type: 'setHosts', hosts }),
    truth: () =>
      new Promise((resolve) => {
        truthWaiter = resolve;
        port1.postMessage({ type: 'truth', id: 1 });
      }),
  };
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}
