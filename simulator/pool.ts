/**
 * The simulator's main thread: starts the shards (piscina workers), merges their 1-second windows
 * (window-merge.ts), watches the generator's own health (saturation.ts), and builds the result
 * document (result.ts). The worker side is shard.ts; what the two share is protocol.ts.
 *
 * Programmatic API (used by `osqsim simulate` and by the harness):
 *
 *   const sim = runSimulation({ targets: ['http://127.0.0.1:8080'], scenario, workers: 2 });
 *   sim.onWindow((w) => …);              // every merged second: counts, p50/p99/max, health
 *   await sim.started;                   // all workers are running
 *   const counts = await sim.truth();    // ground truth per policy id, at this moment
 *   sim.setHosts(5000);                  // ramp: activate / stop hosts while running (≤ capacity)
 *   sim.stop();                          // or wait for the scenario's duration
 *   const result = await sim.done;       // ResultDocument (contract/result.ts), histograms encoded
 *
 * Hosts are placed by global index (simulator/identity.ts): the same seed gives the same hosts,
 * `shard` splits one run across processes without collisions, and a ramp stays evenly spread over
 * workers. `capacity` (default: the scenario's hosts) is the most hosts `setHosts` can reach.
 */
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { osqsimError } from '../lib/errors.js';
import { machineInfo } from '../lib/machine.js';
import type { ResultDocument, Window } from '../contract/result.js';
import type { SimulationSpec } from '../contract/fleet-spec.js';
import type { EndpointName } from '../contract/vocabulary.js';
import { mergeTruth, type PolicyTruth } from './fleet/truth.js';
import { nowMs } from './clock.js';
import type { EnvironmentData } from './fleet/environment.js';
import { shardHostCount, unscheduledRunId, type ShardRef } from './identity.js';
import type { MainMessage, ShardResult, ShardTask, WorkerMessage, WorkerPreparation } from './protocol.js';
import { buildResult } from './result.js';
import { SaturationWatch } from './saturation.js';
import { elasticConnectionLimit, type ConnectionMode, type TransportKind } from './transport/transport.js';
import { ephemeralPortRange, openFileLimit } from '../lib/os-limits.js';
import { resultWindow, WindowMerger, type LiveWindow } from './window-merge.js';

export interface SimulationOptions {
  targets: readonly string[];
  scenario: SimulationSpec;
  /** Worker threads (default: 1 per CPU, at most 4, never more than hosts). */
  workers?: number;
  /**
   * `elastic` (default): a connection per request in flight, opened on demand and kept alive, as each
   * agent holds its own; a number: a fixed pool of that many per worker per target (transport.ts).
   */
  connections?: ConnectionMode;
  /** HTTP client: `raw` (transport/raw.ts, the default for http://) or `undici` (the default for https://). */
  transport?: TransportKind;
  /** Skip TLS verification (https targets with self-signed certificates). */
  insecure?: boolean;
  /** PEM CA certificates to trust for https targets (osqsim simulate --ca; a self-signed osqsim server's ca.pem). */
  ca?: string;
  shard?: ShardRef;
  /** Epoch ms all shards of one run share (default: now). */
  runStartMs?: number;
  /** The result's run.run_id (identity.ts scheduledRunId for a shared start; default: a unique one). */
  runId?: string;
  /** Run length; default the scenario's duration. `Infinity` runs until stop(). */
  durationMs?: number;
  /** Most hosts a ramp (setHosts) may reach; default the scenario's hosts. */
  capacity?: number;
  /** Policy id → name (from the server's API) so overrides can match by name. */
  policyNames?: ReadonlyMap<number, string>;
  /** A small catalogue as data (tests); default osquery's catalogue. */
  environment?: EnvironmentData;
  /** Store label for the result's run info (the harness knows it; the simulator does not). */
  store?: string;
  /**
   * Workers started ahead (startWorkers), e.g. while the server under test starts; the run takes them
   * over and destroys them at its end. Their count must be the run's (simulationWorkers).
   */
  workersStarted?: StartedWorkers;
}

export interface SimulationHandle {
  /** Resolves once every worker is running its hosts. */
  readonly started: Promise<void>;
  readonly done: Promise<ResultDocument>;
  stop(): void;
  truth(): Promise<PolicyTruth[]>;
  onWindow(callback: (window: LiveWindow) => void): () => void;
  /** Changes the number of active hosts of the whole run (this shard runs its part). */
  setHosts(hosts: number): void;
  readonly hosts: number;
  /** Epoch ms the run starts (t = 0 of the windows); final once `started` resolved. */
  readonly runStartMs: number;
  /** Generator warnings so far (saturation). */
  readonly warnings: readonly string[];
}


export function defaultWorkers(hosts: number): number {
  return Math.max(1, Math.min(4, cpus().length, hosts));
}

/** The worker threads a run uses: `requested` (default defaultWorkers), at most one per host of `capacity`. */
export function simulationWorkers(requested: number | undefined, shardHosts: number, shardCapacity: number): number {
  return Math.max(1, Math.min(requested ?? defaultWorkers(shardHosts), Math.max(1, shardCapacity)));
}

export function runSimulation(options: SimulationOptions): SimulationHandle {
  return new Simulation(options);
}

/** The worker file beside this one: shard.ts under tsx (tests, `npm run dev`), shard.js once built to dist/. */
const RUNNING_TS = import.meta.url.endsWith('.ts');
const SHARD_FILE = fileURLToPath(new URL(RUNNING_TS ? './shard.ts' : './shard.js', import.meta.url));

/**
 * Worker threads started before their run is known. Each thread loads shard.ts (piscina loads a
 * worker's module when the thread starts, not with its first task), sql.js and, when told the fleet's
 * groups, their databases (shard.ts prepareFleet); under tsx that is seconds per thread, which
 * `osqsim run` overlaps with the server's start instead of adding it. Nothing runs on them until a run's task arrives, so t = 0 and every
 * measurement are unchanged.
 */
export interface StartedWorkers {
  readonly count: number;
  /** Ends the threads when no run took them over (a failed server start). */
  destroy(): Promise<void>;
}

class WorkerThreads implements StartedWorkers {
  readonly piscina: Piscina;
  taken = false;

  constructor(
    readonly count: number,
    preparation?: WorkerPreparation,
  ) {
    this.piscina = new Piscina({
      filename: SHARD_FILE,
      ...(preparation !== undefined ? { workerData: preparation } : {}),
      minThreads: count,
      maxThreads: count,
      idleTimeout: 60_000,
      atomics: 'disabled',
      // tsx by its resolved URL: a bare `tsx` would be looked up from the working directory, so the
      // workers of `osqsim` run from any other folder failed with "Cannot find package 'tsx'".
      ...(RUNNING_TS ? { execArgv: ['--import', import.meta.resolve('tsx')] } : {}),
    });
    // A worker that dies outside a task also fails its task (SIM_WORKER_FAILED); without a listener the
    // pool's 'error' event would crash the process with a stack trace before that message is printed.
    this.piscina.on('error', () => undefined);
  }

  async destroy(): Promise<void> {
    if (!this.taken) await this.piscina.destroy();
  }
}

/**
 * Starts `count` simulator threads now, for a run that starts later (SimulationOptions.workersStarted).
 * With the fleet's groups (`preparation`) each thread also builds their databases while it waits.
 */
export function startWorkers(count: number, preparation?: WorkerPreparation): StartedWorkers {
  return new WorkerThreads(count, preparation);
}

/** The run's threads: those started ahead when they fit, else new ones. */
function takeWorkers(started: StartedWorkers | undefined, count: number): Piscina {
  if (started === undefined) return new WorkerThreads(count).piscina;
  if (!(started instanceof WorkerThreads) || started.count !== count || started.taken) {
    throw new Error(`workersStarted: ${started.count} threads started ahead${started instanceof WorkerThreads && started.taken ? ' (already taken by a run)' : ''}, this run needs ${count} (simulationWorkers)`);
  }
  started.taken = true;
  return started.piscina;
}

interface TruthRequest {
  parts: PolicyTruth[][];
  resolve: (policies: PolicyTruth[]) => void;
}

/**
 * One run: the workers and their ports, the start handshake, the duration timer, truth requests,
 * and the hand-off of each worker window to the merger and of each merged second to the saturation
 * watch and the listeners.
 */
class Simulation implements SimulationHandle {
  readonly started: Promise<void>;
  readonly done: Promise<ResultDocument>;
  readonly warnings: string[] = [];
  private readonly scenario: SimulationSpec;
  private readonly shard: ShardRef;
  private readonly capacity: number;
  private readonly workers: number;
  private readonly durationMs: number;
  private readonly piscina: Piscina;
  private readonly ports: MessagePort[] = [];
  private readonly merger: WindowMerger;
  private readonly fileLimit = openFileLimit();
  private readonly portRange = ephemeralPortRange();
  private readonly saturation = new SaturationWatch({ ...(this.fileLimit !== undefined ? { fileLimit: this.fileLimit } : {}), ...(this.portRange !== undefined ? { portRange: this.portRange } : {}) });
  private maxClientQueueP99Ms = 0;
  private maxLoadAvg = 0;
  private readonly windows: Window[] = [];
  private readonly listeners = new Set<(window: LiveWindow) => void>();
  private readonly truthRequests = new Map<number, TruthRequest>();
  private nextTruthId = 1;
  private activeHosts: number;
  private startMs: number;
  private stopped = false;
  private readyCount = 0;
  private startedCount = 0;
  private maxLoopP99Ms = 0;
  private durationTimer: NodeJS.Timeout | undefined;
  private resolveStarted!: () => void;

  constructor(private readonly options: SimulationOptions) {
    const { scenario } = options;
    this.scenario = scenario;
    this.shard = options.shard ?? { index: 0, count: 1 };
    this.capacity = Math.max(options.capacity ?? scenario.hosts, scenario.hosts);
    const shardHosts = shardHostCount(scenario.hosts, this.shard);
    this.workers = simulationWorkers(options.workers, shardHosts, shardHostCount(this.capacity, this.shard));
    this.activeHosts = scenario.hosts;
    // The run starts when every worker is ready (sql.js loaded, databases built), unless the caller
    // fixed a shared start time (shards of one run on several machines).
    this.startMs = options.runStartMs ?? nowMs();
    this.durationMs = options.durationMs ?? scenario.duration;
    this.merger = new WindowMerger(this.workers);
    this.started = new Promise<void>((resolve) => (this.resolveStarted = resolve));
    this.piscina = takeWorkers(options.workersStarted, this.workers);
    const cpuAtStart = process.cpuUsage();
    const wallAtStart = nowMs();
    const tasks: Array<Promise<ShardResult>> = [];
    for (let worker = 0; worker < this.workers; worker++) tasks.push(this.startWorker(worker));
    if (options.runStartMs !== undefined) this.armDuration();
    this.done = this.finish(tasks, cpuAtStart, wallAtStart);
    // The caller may never await `done` before an error; avoid an unhandled rejection crash.
    this.done.catch(() => undefined);
  }

  get runStartMs(): number {
    return this.startMs;
  }

  get hosts(): number {
    return this.activeHosts;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.durationTimer) clearTimeout(this.durationTimer);
    this.post({ type: 'stop' });
  }

  truth(): Promise<PolicyTruth[]> {
    return new Promise<PolicyTruth[]>((resolve) => {
      if (this.stopped) {
        this.done.then((r) => resolve(r.policies.map((p) => ({ id: p.id, query: p.query, counts: p.truth }))), () => resolve([]));
        return;
      }
      const id = this.nextTruthId++;
      this.truthRequests.set(id, { parts: [], resolve });
      // Workers listen for requests once their hosts are running.
      void this.started.then(() => this.post({ type: 'truth', id }));
    });
  }

  onWindow(callback: (window: LiveWindow) => void): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  setHosts(hosts: number): void {
    if (!Number.isInteger(hosts) || hosts < 0 || hosts > this.capacity) {
      throw osqsimError('CLI_INVALID_OPTION', { option: 'hosts', reason: `must be an integer in [0, ${this.capacity}] (the run's capacity)` });
    }
    this.activeHosts = hosts;
    void this.started.then(() => this.post({ type: 'setHosts', hosts }));
  }

  private startWorker(worker: number): Promise<ShardResult> {
    const { options, scenario } = this;
    const { port1, port2 } = new MessageChannel();
    this.ports.push(port1);
    port1.on('message', (message: WorkerMessage) => this.onMessage(message));
    const task: ShardTask = {
      worker,
      workers: this.workers,
      shard: this.shard,
      capacity: this.capacity,
      hosts: scenario.hosts,
      seed: scenario.seed,
      agent: scenario.agent,
      fleet: scenario.fleet,
      policies: scenario.policies,
      policyNames: [...(options.policyNames ?? new Map<number, string>())],
      enrollSecret: scenario.enroll_secret,
      targets: [...options.targets],
      connections: options.connections ?? 'elastic',
      connectionLimit: elasticConnectionLimit(this.workers, options.targets.length, this.fileLimit),
      ...(options.transport !== undefined ? { transport: options.transport } : {}),
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.runStartMs !== undefined ? { runStartMs: options.runStartMs } : {}),
      warmupMs: scenario.warmup,
      ...(options.environment !== undefined ? { environment: options.environment } : {}),
      port: port2,
    };
    return this.piscina.run(task, { transferList: [port2] }).catch((error: unknown) => {
      throw osqsimError('SIM_WORKER_FAILED', { worker, reason: error instanceof Error ? error.message : String(error) }, error);
    }) as Promise<ShardResult>;
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'window') {
      for (const second of this.merger.add(message.window)) this.emit(second);
    } else if (message.type === 'ready') {
      if (++this.readyCount === this.workers) {
        this.startMs = nowMs() + 20;
        this.post({ type: 'start', runStartMs: this.startMs });
        this.armDuration();
      }
    } else if (message.type === 'started') {
      if (++this.startedCount === this.workers) this.resolveStarted();
    } else if (message.type === 'truth') {
      const request = this.truthRequests.get(message.id);
      if (!request) return;
      request.parts.push(message.policies);
      if (request.parts.length === this.workers) {
        this.truthRequests.delete(message.id);
        request.resolve(mergeTruth(request.parts));
      }
    }
  }

  /** A merged second: kept for the result, judged for saturation, then handed to the listeners. */
  private emit(second: LiveWindow): void {
    this.windows.push(resultWindow(second));
    this.maxLoopP99Ms = Math.max(this.maxLoopP99Ms, second.generator.event_loop_p99_ms);
    this.maxClientQueueP99Ms = Math.max(this.maxClientQueueP99Ms, second.generator.client_queue_p99_ms);
    this.maxLoadAvg = Math.max(this.maxLoadAvg, loadavg()[0] ?? 0);
    this.warnings.push(...this.saturation.observe(second));
    for (const listener of this.listeners) listener(second);
  }

  private post(message: MainMessage): void {
    for (const port of this.ports) port.postMessage(message);
  }

  private armDuration(): void {
    if (Number.isFinite(this.durationMs) && !this.stopped) {
      this.durationTimer = setTimeout(() => this.stop(), Math.max(0, this.startMs + this.durationMs - nowMs()));
    }
  }

  private async finish(tasks: Array<Promise<ShardResult>>, cpuAtStart: NodeJS.CpuUsage, wallAtStart: number): Promise<ResultDocument> {
    let results: ShardResult[];
    try {
      results = await Promise.all(tasks);
    } catch (error) {
      this.stop();
      await Promise.allSettled(tasks);
      throw error;
    } finally {
      if (this.durationTimer) clearTimeout(this.durationTimer);
      this.resolveStarted();
    }
    for (const second of this.merger.finish()) this.emit(second);
    for (const port of this.ports) port.close();
    await this.piscina.destroy();
    const { scenario, options } = this;
    const wallMs = nowMs() - wallAtStart;
    const cpu = process.cpuUsage(cpuAtStart);
    const cpuPct = wallMs > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10 : 0;
    const elastic = (options.connections ?? 'elastic') === 'elastic';
    const measuredS = Math.max(0.001, (nowMs() - this.startMs - scenario.warmup) / 1000);
    return buildResult({
      scenario,
      targets: options.targets,
      store: options.store,
      policyNames: options.policyNames,
      shard: this.shard,
      runId: options.runId ?? unscheduledRunId(),
      workers: this.workers,
      connections: elastic ? results.reduce((s, r) => s + r.peakConnections, 0) : results.reduce((s, r) => s + r.connections, 0),
      connectionMode: elastic ? 'elastic' : 'fixed',
      startedAt: new Date(this.startMs).toISOString(),
      durationS: (nowMs() - this.startMs) / 1000,
      measuredS,
      results,
      windows: this.windows,
      generator: {
        cpu_pct: cpuPct,
        event_loop_p99_ms: this.maxLoopP99Ms,
        max_in_flight: results.reduce((s, r) => s + r.maxInFlight, 0),
        saturated: this.saturation.saturated,
        warnings: this.saturation.summary(),
        client_queue_p99_ms: this.maxClientQueueP99Ms,
        load_avg_max: Math.round(this.maxLoadAvg * 10) / 10,
      },
      hosts: this.activeHosts,
      machine: machineInfo(),
    });
  }
}

export type { EndpointName, LiveWindow, PolicyTruth };
