/**
 * The simulator's main thread: starts the shards (piscina workers), merges their 1-second windows,
 * watches the generator's own health, and builds the result document.
 *
 * Programmatic API (used by `osqsim simulate` and by the harness):
 *
 *   const sim = runSimulation({ targets: ['http://127.0.0.1:8080'], scenario, workers: 2 });
 *   sim.onWindow((w) => …);              // every merged second: counts, p50/p99/max, health
 *   await sim.started;                   // all workers are running
 *   const counts = await sim.truth();    // ground truth per policy id, at this moment
 *   sim.setHosts(5000);                  // ramp: activate / stop hosts while running (≤ capacity)
 *   sim.stop();                          // or wait for the scenario's duration
 *   const result = await sim.done;       // ResultDocument (reports/result.ts), histograms encoded
 *
 * Hosts are placed by global index (simulator/identity.ts): the same seed gives the same hosts,
 * `shard` splits one run across processes without collisions, and a ramp stays evenly spread over
 * workers. `capacity` (default: the scenario's hosts) is the most hosts `setHosts` can reach.
 */
import { machineInfo } from '../lib/machine.js';
import { VERSION } from '../lib/version.js';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { createHistogram, encodeHistogram, mergeInto, percentileMs, percentilesMs } from '../lib/histogram.js';
import { osqsimError } from '../lib/errors.js';
import { RESULT_SCHEMA, type EndpointResult, type PolicyResult, type ResultDocument, type Window } from '../contract/result.js';
import { ENDPOINTS, OUTCOMES, type EndpointName, type Outcome } from '../contract/vocabulary.js';
import type { SimulationSpec } from '../contract/fleet-spec.js';
import { mergeTruth, type PolicyTruth } from './fleet/truth.js';
import type { EnvironmentData } from './fleet/environment.js';
import { normalizeQuery } from './fleet/answers.js';
import { shardHostCount, type ShardRef } from './identity.js';
import type { WorkerWindow } from './recorder.js';
import type { MainMessage, ShardResult, ShardTask, WorkerMessage } from './shard.js';
import { nowMs, type TransportKind } from './transport/transport.js';

export interface SimulationOptions {
  targets: readonly string[];
  scenario: SimulationSpec;
  /** Worker threads (default: 1 per CPU, at most 4, never more than hosts). */
  workers?: number;
  /** Keep-alive connections per worker per target (default 32). */
  connections?: number;
  /** HTTP client: `undici` (default) or `raw` (simulator/raw-http.ts, lighter per request). */
  transport?: TransportKind;
  /** Skip TLS verification (https targets with self-signed certificates). */
  insecure?: boolean;
  shard?: ShardRef;
  /** Epoch ms all shards of one run share (default: now). */
  runStartMs?: number;
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
}

/** A merged second plus what the progress line and the harness need. */
export interface LiveWindow extends Window {
  /** Requests per second over all endpoints. */
  rate: number;
  errors: number;
  checkins: { scheduled: number; late: number; max_lag_ms: number };
  generator: { elu_max: number; event_loop_p99_ms: number; in_flight: number };
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


/** Saturation: a worker's event loop busy ≥ 95% for 3 s running, or its event-loop p99 ≥ 200 ms, or > 1% late check-ins. */
const SATURATED_ELU = 0.95;
const SATURATED_ELU_SECONDS = 3;
const SATURATED_LOOP_P99_MS = 200;
const SATURATED_LATE_FRACTION = 0.01;

export function defaultWorkers(hosts: number): number {
  return Math.max(1, Math.min(4, cpus().length, hosts));
}

export function runSimulation(options: SimulationOptions): SimulationHandle {
  const { scenario } = options;
  const shard = options.shard ?? { index: 0, count: 1 };
  const capacity = Math.max(options.capacity ?? scenario.hosts, scenario.hosts);
  const shardHosts = shardHostCount(scenario.hosts, shard);
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(shardHosts), Math.max(1, shardHostCount(capacity, shard))));
  const connections = options.connections ?? 32;
  // The run starts when every worker is ready (sql.js loaded, databases built), unless the caller
  // fixed a shared start time (shards of one run on several machines).
  let runStartMs = options.runStartMs ?? nowMs();
  const durationMs = options.durationMs ?? scenario.duration;
  const isTs = import.meta.url.endsWith('.ts');
  const piscina = new Piscina({
    filename: fileURLToPath(new URL(isTs ? './shard.ts' : './shard.js', import.meta.url)),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    atomics: 'disabled',
    // tsx by its resolved URL: a bare `tsx` would be looked up from the working directory, so the
    // workers of `osqsim` run from any other folder failed with "Cannot find package 'tsx'".
    ...(isTs ? { execArgv: ['--import', import.meta.resolve('tsx')] } : {}),
  });
  // A worker that dies outside a task also fails its task (SIM_WORKER_FAILED); without a listener the
  // pool's 'error' event would crash the process with a stack trace before that message is printed.
  piscina.on('error', () => undefined);

  const ports: MessagePort[] = [];
  const listeners = new Set<(window: LiveWindow) => void>();
  const pendingWindows = new Map<number, WorkerWindow[]>();
  const windows: Window[] = [];
  const warnings: string[] = [];
  const truthRequests = new Map<number, { parts: PolicyTruth[][]; resolve: (p: PolicyTruth[]) => void }>();
  let nextTruthId = 1;
  let activeHosts = scenario.hosts;
  let stopped = false;
  let eluStreak = 0;
  let maxLoopP99 = 0;
  let maxElu = 0;
  let startedCount = 0;
  let readyCount = 0;
  let resolveStarted!: () => void;
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));
  const cpuAtStart = process.cpuUsage();
  const wallAtStart = nowMs();

  // Saturation episodes by kind: counted per second, announced once live, summarised in the result.
  const saturation = new Map<string, { first: number; last: number; seconds: number; worst: number; text: (e: { first: number; last: number; seconds: number; worst: number }) => string }>();
  const saturated = (kind: string, t: number, value: number, text: (e: { first: number; last: number; seconds: number; worst: number }) => string): void => {
    let episode = saturation.get(kind);
    if (!episode) {
      episode = { first: t, last: t, seconds: 0, worst: value, text };
      saturation.set(kind, episode);
      warnings.push(text({ ...episode, seconds: 1 }));
    }
    episode.last = t;
    episode.seconds++;
    episode.worst = Math.max(episode.worst, value);
  };
  const saturationSummary = (): string[] => [...saturation.values()].map((e) => e.text(e));

  const emitWindow = (t: number, parts: WorkerWindow[]): void => {
    const endpoints: Window['endpoints'] = {};
    let rate = 0;
    let errors = 0;
    for (const name of ENDPOINTS) {
      const histogram = createHistogram();
      let count = 0;
      let endpointErrors = 0;
      for (const part of parts) {
        const e = part.endpoints[name];
        if (!e) continue;
        count += e.count;
        endpointErrors += e.errors;
        mergeInto(histogram, e.latency);
      }
      if (count > 0) {
        endpoints[name] = {
          count,
          errors: endpointErrors,
          p50: percentileMs(histogram, 50),
          p99: percentileMs(histogram, 99),
          max: percentileMs(histogram, 100),
        };
        rate += count;
        errors += endpointErrors;
      }
      histogram.destroy();
    }
    const scheduled = parts.reduce((s, p) => s + p.checkins.scheduled, 0);
    const late = parts.reduce((s, p) => s + p.checkins.late, 0);
    const eluMax = Math.max(...parts.map((p) => p.health.elu));
    const loopP99 = Math.max(...parts.map((p) => p.health.eventLoopP99Ms));
    const window: Window = {
      t,
      warmup: parts.some((p) => p.warmup),
      hosts_enrolled: parts.reduce((s, p) => s + p.hostsEnrolled, 0),
      endpoints,
    };
    windows.push(window);
    maxElu = Math.max(maxElu, eluMax);
    maxLoopP99 = Math.max(maxLoopP99, loopP99);
    eluStreak = eluMax >= SATURATED_ELU ? eluStreak + 1 : 0;
    const during = (e: { first: number; last: number; seconds: number }): string =>
      e.seconds <= 1 ? `at t=${e.first} s` : `in ${e.seconds} s between t=${e.first} and t=${e.last} s`;
    const advice = 'latency figures include the generator\'s own delay: use more workers or fewer hosts per machine';
    if (eluStreak >= SATURATED_ELU_SECONDS) saturated('elu', t, eluMax, (e) => `GENERATOR SATURATED: a worker's event loop was ≥ ${SATURATED_ELU * 100}% busy ${during(e)}; ${advice}`);
    if (loopP99 >= SATURATED_LOOP_P99_MS) saturated('delay', t, loopP99, (e) => `GENERATOR SATURATED: worker event-loop delay p99 ≥ ${SATURATED_LOOP_P99_MS} ms ${during(e)} (worst ${e.worst.toFixed(0)} ms); ${advice}`);
    if (scheduled >= 100 && late / scheduled > SATURATED_LATE_FRACTION) saturated('late', t, late / scheduled, (e) => `GENERATOR SATURATED: > ${SATURATED_LATE_FRACTION * 100}% of check-ins started > 1 s late ${during(e)} (worst ${(e.worst * 100).toFixed(1)}%); ${advice}`);
    const live: LiveWindow = {
      ...window,
      rate,
      errors,
      checkins: { scheduled, late, max_lag_ms: Math.max(...parts.map((p) => p.checkins.maxLagMs)) },
      generator: { elu_max: eluMax, event_loop_p99_ms: loopP99, in_flight: parts.reduce((s, p) => s + p.health.inFlight, 0) },
    };
    for (const listener of listeners) listener(live);
  };

  const onWorkerWindow = (window: WorkerWindow): void => {
    const parts = pendingWindows.get(window.t) ?? [];
    parts.push(window);
    pendingWindows.set(window.t, parts);
    // A second is complete when every worker sent it; older incomplete seconds are flushed as they are.
    for (const t of [...pendingWindows.keys()].sort((a, b) => a - b)) {
      const got = pendingWindows.get(t)!;
      if (got.length >= workers || t < window.t - 2) {
        pendingWindows.delete(t);
        emitWindow(t, got);
      } else break;
    }
  };

  /** At the end: seconds every worker reported are kept; the last, partial second (only some workers got to it before stopping) is dropped. */
  const flushWindows = (): void => {
    for (const t of [...pendingWindows.keys()].sort((a, b) => a - b)) {
      const parts = pendingWindows.get(t)!;
      if (parts.length >= workers) emitWindow(t, parts);
    }
    pendingWindows.clear();
  };

  const tasks: Array<Promise<ShardResult>> = [];
  for (let worker = 0; worker < workers; worker++) {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    port1.on('message', (message: WorkerMessage) => {
      if (message.type === 'window') onWorkerWindow(message.window);
      else if (message.type === 'ready') {
        if (++readyCount === workers) {
          runStartMs = nowMs() + 20;
          post({ type: 'start', runStartMs });
          armDuration();
        }
      } else if (message.type === 'started') {
        if (++startedCount === workers) resolveStarted();
      } else if (message.type === 'truth') {
        const request = truthRequests.get(message.id);
        if (!request) return;
        request.parts.push(message.policies);
        if (request.parts.length === workers) {
          truthRequests.delete(message.id);
          request.resolve(mergeTruth(request.parts));
        }
      }
    });
    const task: ShardTask = {
      worker,
      workers,
      shard,
      capacity,
      hosts: scenario.hosts,
      seed: scenario.seed,
      agent: scenario.agent,
      fleet: scenario.fleet,
      policies: scenario.policies,
      policyNames: [...(options.policyNames ?? new Map<number, string>())],
      enrollSecret: scenario.enroll_secret,
      targets: [...options.targets],
      connections,
      ...(options.transport !== undefined ? { transport: options.transport } : {}),
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.runStartMs !== undefined ? { runStartMs: options.runStartMs } : {}),
      warmupMs: scenario.warmup,
      ...(options.environment !== undefined ? { environment: options.environment } : {}),
      port: port2,
    };
    tasks.push(
      piscina.run(task, { transferList: [port2] }).catch((error: unknown) => {
        throw osqsimError('SIM_WORKER_FAILED', { worker, reason: error instanceof Error ? error.message : String(error) }, error);
      }) as Promise<ShardResult>,
    );
  }

  const post = (message: MainMessage): void => {
    for (const port of ports) port.postMessage(message);
  };

  let durationTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (durationTimer) clearTimeout(durationTimer);
    post({ type: 'stop' });
  };
  function armDuration(): void {
    if (Number.isFinite(durationMs) && !stopped) durationTimer = setTimeout(stop, Math.max(0, runStartMs + durationMs - nowMs()));
  }
  if (options.runStartMs !== undefined) armDuration();

  const done = (async (): Promise<ResultDocument> => {
    let results: ShardResult[];
    try {
      results = await Promise.all(tasks);
    } catch (error) {
      stop();
      await Promise.allSettled(tasks);
      throw error;
    } finally {
      if (durationTimer) clearTimeout(durationTimer);
      resolveStarted();
    }
    flushWindows();
    for (const port of ports) port.close();
    await piscina.destroy();
    const wallMs = nowMs() - wallAtStart;
    const cpu = process.cpuUsage(cpuAtStart);
    const cpuPct = wallMs > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10 : 0;
    const measuredS = Math.max(0.001, (nowMs() - runStartMs - scenario.warmup) / 1000);
    return buildResult({
      scenario,
      options,
      shard,
      workers,
      connections: results.reduce((s, r) => s + r.connections, 0),
      startedAt: new Date(runStartMs).toISOString(),
      durationS: (nowMs() - runStartMs) / 1000,
      measuredS,
      results,
      windows,
      generator: {
        cpu_pct: cpuPct,
        event_loop_p99_ms: maxLoopP99,
        max_in_flight: results.reduce((s, r) => s + r.maxInFlight, 0),
        saturated: saturation.size > 0,
        warnings: saturationSummary(),
      },
      hosts: activeHosts,
    });
  })();
  // The caller may never await `done` before an error; avoid an unhandled rejection crash.
  done.catch(() => undefined);

  return {
    started,
    done,
    stop,
    get runStartMs() {
      return runStartMs;
    },
    truth: () =>
      new Promise<PolicyTruth[]>((resolve) => {
        if (stopped) return done.then((r) => resolve(r.policies.map((p) => ({ id: p.id, query: p.query, counts: p.truth }))), () => resolve([]));
        const id = nextTruthId++;
        truthRequests.set(id, { parts: [], resolve });
        // Workers listen for requests once their hosts are running.
        void started.then(() => post({ type: 'truth', id }));
      }),
    onWindow(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    setHosts(hosts: number) {
      if (!Number.isInteger(hosts) || hosts < 0 || hosts > capacity) {
        throw osqsimError('CLI_INVALID_OPTION', { option: 'hosts', reason: `must be an integer in [0, ${capacity}] (the run's capacity)` });
      }
      activeHosts = hosts;
      void started.then(() => post({ type: 'setHosts', hosts }));
    },
    get hosts() {
      return activeHosts;
    },
    get warnings() {
      return warnings;
    },
  };
}

interface BuildInput {
  scenario: SimulationSpec;
  options: SimulationOptions;
  shard: ShardRef;
  workers: number;
  connections: number;
  startedAt: string;
  durationS: number;
  measuredS: number;
  results: ShardResult[];
  windows: Window[];
  generator: ResultDocument['generator'];
  hosts: number;
}

function buildResult(input: BuildInput): ResultDocument {
  const { scenario, options, results } = input;
  const endpoints: ResultDocument['endpoints'] = {};
  for (const name of ENDPOINTS) {
    const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    const latency = createHistogram();
    const service = createHistogram();
    for (const r of results) {
      const e = r.totals.endpoints[name];
      for (const o of OUTCOMES) outcomes[o] += e.outcomes[o];
      mergeInto(latency, e.latency);
      mergeInto(service, e.service);
    }
    const count = OUTCOMES.reduce((s, o) => s + outcomes[o], 0);
    if (count > 0) endpoints[name] = endpointResult(outcomes, count, input.measuredS, latency, service);
    latency.destroy();
    service.destroy();
  }
  const checkins = {
    scheduled: results.reduce((s, r) => s + r.totals.checkins.scheduled, 0),
    late: results.reduce((s, r) => s + r.totals.checkins.late, 0),
    max_lag_ms: Math.max(0, ...results.map((r) => r.totals.checkins.max_lag_ms)),
  };
  const byQuery = new Map(scenario.policies.filter((p) => p.query).map((p) => [normalizeQuery(p.query!), p.name]));
  const policies: PolicyResult[] = mergeTruth(results.map((r) => r.truth)).map((p) => {
    const name = options.policyNames?.get(p.id) ?? byQuery.get(normalizeQuery(p.query));
    return { id: p.id, query: p.query, ...(name !== undefined ? { name } : {}), truth: p.counts };
  });
  return {
    schema: RESULT_SCHEMA,
    scenario: scenario as unknown as Record<string, unknown>,
    run: {
      started_at: input.startedAt,
      duration_s: Math.round(input.durationS * 1000) / 1000,
      warmup_s: scenario.warmup / 1000,
      hosts: input.hosts,
      workers: input.workers,
      connections: input.connections,
      target: [...options.targets],
      store: options.store ?? 'unknown',
      seed: scenario.seed,
      ...(input.shard.count > 1 ? { shard: input.shard } : {}),
      osqsim_version: VERSION,
      machine: machineInfo(),
    },
    endpoints,
    checkins,
    windows: input.windows,
    policies,
    aggregations: [],
    generator: input.generator,
    thresholds: [],
  };
}

function endpointResult(
  outcomes: Record<Outcome, number>,
  count: number,
  measuredS: number,
  latency: ReturnType<typeof createHistogram>,
  service: ReturnType<typeof createHistogram>,
): EndpointResult {
  const errors: EndpointResult['errors'] = {};
  for (const o of OUTCOMES) if (o !== '2xx' && outcomes[o] > 0) errors[o] = outcomes[o];
  return {
    count,
    outcomes,
    errors,
    rate_per_s: Math.round((count / measuredS) * 100) / 100,
    latency_ms: percentilesMs(latency),
    service_ms: percentilesMs(service),
    histogram: encodeHistogram(latency),
    service_histogram: encodeHistogram(service),
  };
}

export type { EndpointName, PolicyTruth };
