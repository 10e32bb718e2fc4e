/**
 * The worker side (piscina): one long task per worker runs one slice of the run's hosts until the
 * main thread says stop, streams a window every second over its MessagePort, answers truth
 * requests, and returns its totals (encoded histograms, counts, truth) when done.
 *
 * Start-up: the worker loads sql.js and builds its groups' databases (before its task arrives when the
 * pool was started ahead with the fleet's groups), posts {type:'ready'}, and
 * starts its hosts when {type:'start', runStartMs} arrives (or at once if the task carries runStartMs),
 * so slow start-up never shows up as agent lateness. The task, the result and the messages are in
 * protocol.ts.
 */
import { workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { FleetGroupSpec } from '../contract/fleet-spec.js';
import { AgentPopulation } from './agent.js';
import { ORBIT_EVENT, OrbitPopulation } from './orbit/population.js';
import { nowMs } from './clock.js';
import { AnswerModel } from './fleet/answers.js';
import { FleetEvaluator, loadSqlJs } from './fleet/evaluator.js';
import { loadEnvironment, type EnvironmentData } from './fleet/environment.js';
import { GroundTruth } from './fleet/truth.js';
import { activeInSlice, assignGroups, groupCounts, workerSlice } from './identity.js';
import type { MainMessage, ShardResult, ShardTask, WorkerMessage, WorkerPreparation } from './protocol.js';
import { Recorder } from './recorder.js';
import { TimingWheel } from './timing-wheel.js';
import { Transport } from './transport/transport.js';
/**
 * A worker started ahead of its run (pool.ts startWorkers) prepares while it waits for its task: it
 * loads sql.js (a WebAssembly module) and, given the fleet's groups in workerData, builds their
 * databases. runShard uses them when its task's groups are the same, else builds its own.
 */
const prepared: Promise<PreparedFleet | undefined> = prepareFleet(workerData as WorkerPreparation | undefined);
prepared.catch(() => undefined);

interface PreparedFleet {
  key: string;
  evaluator: FleetEvaluator;
}

function fleetKey(groups: readonly FleetGroupSpec[], environment: EnvironmentData | undefined): string {
  return JSON.stringify([groups, environment ?? null]);
}

async function prepareFleet(preparation: WorkerPreparation | undefined): Promise<PreparedFleet | undefined> {
  const SQL = await loadSqlJs();
  if (preparation?.groups === undefined) return undefined;
  const evaluator = new FleetEvaluator(SQL, preparation.groups, loadEnvironment(preparation.environment));
  evaluator.warm();
  return { key: fleetKey(preparation.groups, preparation.environment), evaluator };
}

/** The task's evaluator, its group databases built: the prepared one when it fits. */
async function evaluatorFor(task: ShardTask): Promise<FleetEvaluator> {
  const ready = await prepared.catch(() => undefined);
  if (ready !== undefined && ready.key === fleetKey(task.fleet.groups, task.environment)) return ready.evaluator;
  ready?.evaluator.close();
  const evaluator = new FleetEvaluator(await loadSqlJs(), task.fleet.groups, loadEnvironment(task.environment));
  evaluator.warm();
  return evaluator;
}

/** Events handed out per drain before yielding to I/O. */
const DRAIN_BATCH = 2000;

export default async function runShard(task: ShardTask): Promise<ShardResult> {
  const { port } = task;
  const groups: FleetGroupSpec[] = task.fleet.groups;
  const groupOf = assignGroups(groupCounts(groups, task.capacity));
  const slice = workerSlice(task.capacity, task.shard, task.worker, task.workers);
  const evaluator = await evaluatorFor(task);
  const truth = new GroundTruth(slice.size);
  const answers = new AnswerModel(evaluator, task.fleet, task.policies, task.seed, new Map(task.policyNames));
  let runStartMs: number;
  let stopBeforeStart = false;
  if (task.runStartMs !== undefined) runStartMs = task.runStartMs;
  else {
    runStartMs = await new Promise<number>((resolve) => {
      const onStart = (message: MainMessage): void => {
        if (message.type !== 'start' && message.type !== 'stop') return;
        port.off('message', onStart);
        if (message.type === 'stop') stopBeforeStart = true;
        resolve(message.type === 'start' ? message.runStartMs : nowMs());
      };
      port.on('message', onStart);
      port.postMessage({ type: 'ready', worker: task.worker } satisfies WorkerMessage);
    });
  }
  const recorder = new Recorder();
  recorder.measuring = task.warmupMs <= 0;
  const transport = new Transport({ targets: task.targets, connections: task.connections, connectionLimit: task.connectionLimit, timeoutMs: task.agent.request_timeout, ...(task.transport !== undefined ? { kind: task.transport } : {}), insecure: task.insecure === true, ...(task.ca !== undefined ? { ca: task.ca } : {}) });
  const wheel = new TimingWheel(Math.min(nowMs(), runStartMs));
  // fleetd hosts: orbit's loop on the same wheel and clock (only when a group runs fleetd).
  const orbit = groups.some((g) => g.agent === 'fleetd')
    ? new OrbitPopulation({ seed: task.seed, slice, groupOf, groups, enrollSecret: task.enrollSecret, wheel, transport, recorder, clock: nowMs, phase: task.agent.fleetd_phase })
    : undefined;
  const agents = new AgentPopulation({
    seed: task.seed,
    slice,
    groupOf,
    groups,
    agent: task.agent,
    enrollSecret: task.enrollSecret,
    runStartMs: runStartMs,
    totalActiveHosts: task.hosts,
    wheel,
    transport,
    recorder,
    answers,
    truth,
    queryTimeMs: task.fleet.query_time_ms,
    ...(orbit !== undefined ? { orbit } : {}),
  });
  agents.setActive(activeInSlice(slice, task.hosts), task.hosts, nowMs());

  let stopping = stopBeforeStart;
  let resolveStop!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStop = resolve));
  if (stopping) resolveStop();
  const fire = orbit === undefined ? (event: number): void => agents.fire(event) : (event: number): void => ((event & ORBIT_EVENT) !== 0 ? orbit.fire(event) : agents.fire(event));

  let tickTimer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    tickTimer = undefined;
    if (stopping) return;
    const handed = wheel.drain(nowMs(), DRAIN_BATCH, fire);
    if (handed >= DRAIN_BATCH) setImmediate(tick);
    else tickTimer = setTimeout(tick, 1);
  };
  tick();

  // 1-second windows aligned on the run start, so all workers and shards agree on `t`.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let windowIndex = Math.max(0, Math.floor((nowMs() - runStartMs) / 1000));
  let windowTimer: NodeJS.Timeout | undefined;
  let peakConnections = 0;
  const closeWindow = (): void => {
    const now = nowMs();
    const current = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(current, elu);
    elu = current;
    const eventLoopP99Ms = loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0;
    loopDelay.reset();
    const t = windowIndex;
    const warmup = t * 1000 < task.warmupMs;
    const transportHealth = transport.takeHealth();
    peakConnections = Math.max(peakConnections, transportHealth.peakConnections);
    const window = recorder.takeWindow(t, warmup, agents.enrolled, {
      elu: Math.round(delta.utilization * 1000) / 1000,
      eventLoopP99Ms: Math.round(eventLoopP99Ms * 100) / 100,
      inFlight: transport.inFlight,
      maxInFlight: transport.maxInFlight,
      transport: transportHealth,
    });
    port.postMessage({ type: 'window', worker: task.worker, window } satisfies WorkerMessage);
    windowIndex++;
    recorder.measuring = windowIndex * 1000 >= task.warmupMs;
    if (!stopping) windowTimer = setTimeout(closeWindow, Math.max(0, runStartMs + (windowIndex + 1) * 1000 - now));
  };
  windowTimer = setTimeout(closeWindow, Math.max(0, runStartMs + (windowIndex + 1) * 1000 - nowMs()));

  port.on('message', (message: MainMessage) => {
    if (message.type === 'stop') {
      stopping = true;
      resolveStop();
    } else if (message.type === 'setHosts') {
      agents.setActive(activeInSlice(slice, message.hosts), message.hosts, nowMs());
    } else if (message.type === 'truth') {
      port.postMessage({ type: 'truth', worker: task.worker, id: message.id, policies: truth.snapshot() } satisfies WorkerMessage);
    }
  });
  port.postMessage({ type: 'started', worker: task.worker, hosts: agents.active } satisfies WorkerMessage);

  await stopped;
  agents.stop();
  orbit?.stop();
  if (tickTimer) clearTimeout(tickTimer);
  if (windowTimer) clearTimeout(windowTimer);
  // Let in-flight requests finish (bounded), so their outcomes and truth are counted.
  const deadline = nowMs() + Math.min(task.agent.request_timeout, 5000);
  while (transport.inFlight > 0 && nowMs() < deadline) await new Promise((r) => setTimeout(r, 10));
  closeWindow();
  loopDelay.disable();
  await transport.close();
  const result: ShardResult = {
    worker: task.worker,
    totals: recorder.totals(),
    truth: truth.snapshot(),
    hosts: agents.active,
    enrolled: agents.enrolled,
    connections: transport.connections,
    peakConnections,
    maxInFlight: transport.maxInFlight,
    cachedAnswers: evaluator.cachedAnswers,
    agents: { ...agents.agentCounts(), orbit_reenrolls: orbit?.counts.reenrolls ?? 0 },
  };
  recorder.destroy();
  evaluator.close();
  port.removeAllListeners('message');
  port.close();
  return result;
}
