/**
 * `osqsim run`: one scenario end to end.
 *
 *   server (own process) ─ policies applied ─ simulator (worker threads) ─ timeline events
 *        ▲ sampled every second: CPU, RSS, responsiveness, stats runs, policy counts vs truth
 *   → result document → thresholds → runs/<UTC timestamp>-<name>/{result.json, summary.md, report.html}
 *
 * A scenario whose `server.stats.strategy` lists several strategies runs once per strategy and
 * the runs are compared. With `target:` only the simulator runs (counts are read when the target's
 * API token is given).
 */
import { redactSecrets } from '../lib/redact.js';
import { FAULT_KINDS } from '../reports/fault-windows.js';
import { redactUrl } from '../lib/redact.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { isOsqsimError, osqsimError } from '../lib/errors.js';
import { compareResults, formatComparison } from '../reports/compare.js';
import { writeRunFiles, runDirName, type RunFiles } from '../reports/output.js';
import type { AggregationRun, CountSample, ResultDocument, ServerSample, ServerTraffic, TimelineRecord } from '../contract/result.js';
import { defaultWorkers, runSimulation, simulationWorkers, startWorkers, type LiveWindow, type SimulationHandle, type StartedWorkers } from '../simulator/pool.js';
import type { PolicyTruth } from '../simulator/fleet/truth.js';
import type { ConnectionMode } from '../simulator/transport/transport.js';
import { FleetApi, type ApiPolicy, type ApiStatsRun } from '../contract/fleet-rest.js';
import { hasRamps, hostsAt, planScenario, planSummary } from './plan.js';
import { scoreCounts, StalenessTracker, type TruthCounts } from './scoring.js';
import type { Scenario } from './schema/scenario.js';
import { strategiesOf } from './schema/sections/server.js';
import { simulationSpec } from './simulation-spec.js';
import { type StatsStrategyName } from '../contract/vocabulary.js';
import { RunState } from './run-state.js';
import { ServerProcess } from './harness/server-process.js';
import { CA_FILE } from '../server/tls/agent-files.js';
import { ServerSampler } from './harness/server-sampler.js';
import { Deployment } from './harness/deployment.js';
import { InstanceSampler } from './harness/instance-sampler.js';
import { ShardProcesses } from './harness/shard-processes.js';
import { editedPoliciesOf, serverArgs as harnessServerArgs } from './harness/server-args.js';
import { evaluateThresholds } from './thresholds.js';
import { catchUpDeadline } from './catch-up.js';
import { applyTimelineEvent, type EventContext } from './timeline-apply.js';

export interface RunOptions {
  scenario: Scenario;
  /** Overrides server.store (`--store`). */
  store?: string;
  /** Parent folder of the run folders (default `runs`). */
  outDir?: string;
  workers?: number;
  /** `--connections`: overrides the scenario's simulator.connections (elastic, or a fixed pool per worker per target). */
  connections?: ConnectionMode;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Server output lines (debugging). */
  serverLog?: (line: string) => void;
  /**
   * The scenario's file (a built-in name's too): `simulator.processes` > 1 starts `osqsim simulate`
   * shard processes that read it (cli/run.ts passes it).
   */
  scenarioFile?: string;
  /** The HAProxy binary (default: looked up on PATH and in the sbin folders). */
  haproxyBinary?: string;
}

/** How long before t = 0 the shard processes are started (node start-up, sql.js, the fleet's databases). */
export const SHARD_START_LEAD_MS = 15_000;

export interface RunRecord {
  strategy: StatsStrategyName | null;
  doc: ResultDocument;
  files: RunFiles;
}

export interface RunOutcome {
  exitCode: ExitCode;
  runs: RunRecord[];
  /** Comparison table when several strategies ran. */
  comparison?: string;
}

export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const { scenario } = options;
  const strategies: Array<StatsStrategyName | null> = scenario.server ? strategiesOf(scenario.server) : [null];
  const runs: RunRecord[] = [];
  for (const strategy of strategies) {
    if (strategies.length > 1) options.log?.(`— ${scenario.name}: count strategy ${strategy} (${runs.length + 1} of ${strategies.length})`);
    runs.push(await runOnce(options, strategy, strategies.length > 1));
  }
  const failed = runs.some((r) => r.doc.thresholds.some((t) => !t.ok));
  let comparison: string | undefined;
  if (runs.length > 1) {
    const parts = runs.slice(1).map((r) => {
      const text = `${runs[0]!.strategy} → ${r.strategy} (${runs[0]!.files.result} → ${r.files.result}):\n${formatComparison(compareResults(runs[0]!.doc, r.doc))}`;
      writeFileSync(join(r.files.dir, 'comparison.txt'), `${text}\n`);
      return text;
    });
    comparison = parts.join('\n\n');
  }
  return { exitCode: failed ? EXIT.THRESHOLDS_FAILED : EXIT.OK, runs, ...(comparison ? { comparison } : {}) };
}


export function serverArgs(scenario: Scenario, strategy: StatsStrategyName, store: string, token: string, tlsDir?: string): string[] {
  return harnessServerArgs(scenario, { strategy, store, apiToken: token, ...(tlsDir === undefined ? {} : { tlsDir }) });
}

function truthMap(list: readonly PolicyTruth[]): Map<number, TruthCounts> {
  return new Map(list.map((p) => [p.id, p.counts]));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Rejects when `promise` takes longer than `ms` (a truth request racing the simulator's stop). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Sleeps, but wakes up early when `signal` aborts. */
function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

async function runOnce(options: RunOptions, strategy: StatsStrategyName | null, multi: boolean): Promise<RunRecord> {
  const { scenario } = options;
  const log = options.log ?? (() => undefined);
  const startedAt = new Date();
  let server: ServerProcess | undefined;
  // server.instances > 1 or a load balancer: the instances (and HAProxy), sampled per instance.
  let deployment: Deployment | undefined;
  let instanceSampler: InstanceSampler | undefined;
  let shards: ShardProcesses | undefined;
  let token = '';
  let api: FleetApi | undefined;
  let targets: string[];
  let storeLabel = 'external';
  // server.tls: self-signed → the server creates a CA here (re-used by a restart_server event); the
  // simulator, the REST calls and the sampler trust only that CA.
  let tlsDir: string | undefined;
  let ca: string | undefined;
  // The simulator's threads start now and load their code and the fleet's databases while the server
  // starts (pool.ts startWorkers); the run begins when both are ready, as before.
  const workerCount = simulationWorkers(options.workers ?? defaultWorkers(scenario.hosts), scenario.hosts, scenario.hosts);
  const workersStarted: StartedWorkers | undefined = scenario.simulator.processes > 1 ? undefined : startWorkers(workerCount, { groups: scenario.fleet.groups });
  try {
    if (scenario.server) {
      token = scenario.server.api_token ?? randomBytes(18).toString('base64url');
      const store = options.store ?? scenario.server.store;
      storeLabel = redactUrl(store);
      const { instances, load_balancer: loadBalancer } = scenario.server;
      if (instances > 1 || loadBalancer !== 'none') {
        if (instances > 1 && store === 'memory') {
          throw osqsimError('CLI_INVALID_OPTION', { option: '--store', reason: `server.instances is ${instances}: the instances must share a mysql:// store (the memory store lives inside one process)` });
        }
        deployment = new Deployment({
          instances,
          loadBalancer,
          args: serverArgs(scenario, strategy!, store, token),
          ...(options.serverLog ? { serverLog: (i: number, line: string) => options.serverLog!(`[${i}] ${line}`) } : {}),
          ...(options.haproxyBinary !== undefined ? { haproxyBinary: options.haproxyBinary } : {}),
        });
        await deployment.start();
        log(`server: ${instances} instance${instances === 1 ? '' : 's'} (${deployment.servers.map((s) => `${s.url} pid ${s.pid}`).join(', ')}), store ${storeLabel}, count strategy ${strategy}${deployment.lb ? `; HAProxy ${deployment.lb.url} (pid ${deployment.lb.pid}, round robin)` : '; no load balancer: hosts spread over the instances'}`);
        instanceSampler = new InstanceSampler(deployment.servers);
        api = new FleetApi(deployment.url, token);
        targets = deployment.targets;
      } else {
        if (scenario.server.tls === 'self-signed') tlsDir = mkdtempSync(join(tmpdir(), 'osqsim-run-tls-'));
        server = new ServerProcess({ args: serverArgs(scenario, strategy!, store, token, tlsDir), port: 0, ...(options.serverLog ? { onLine: options.serverLog } : {}) });
        const url = await server.start();
        if (tlsDir !== undefined) ca = readFileSync(join(tlsDir, CA_FILE), 'utf8');
        log(`server: ${url} (pid ${server.pid}, store ${storeLabel}, count strategy ${strategy}${tlsDir !== undefined ? `, TLS with a self-signed CA in ${tlsDir}` : ''})`);
        api = new FleetApi(url, token, undefined, ca);
        targets = [url];
      }
    } else {
      targets = scenario.target!.url;
      if (scenario.target!.api_token) api = new FleetApi(targets[0]!, scenario.target!.api_token);
      log(`target: ${targets.join(', ')}${api ? '' : ' (no API token: policy counts are not read)'}`);
    }
  } catch (error) {
    await workersStarted?.destroy();
    throw error;
  }

  const state = new RunState(api);
  const timeline: TimelineRecord[] = [];
  const samples: ServerSample[] = [];
  const countSamples: CountSample[] = [];
  const statsRuns = new Map<string, ApiStatsRun>();
  const tracker = new StalenessTracker(scenario.warmup / 1000);
  const unscored = new Map<number, string>();
  let sim: SimulationHandle | undefined;
  let stopped = false;
  let serverDown = false;
  const timers: NodeJS.Timeout[] = [];
  const ended = new AbortController();
  // Ctrl-C ends the run early: the simulator stops, and the report is still written.
  const onSignal = (): void => {
    log('interrupted: stopping the simulator and writing the report (Ctrl-C again to abort)');
    process.removeListener('SIGINT', onSignal);
    sim?.stop();
  };
  process.on('SIGINT', onSignal);
  try {
    await state.applyWithLibrary(scenario.policies, { labels: scenario.labels, reports: scenario.reports });
    if (scenario.policies.length || scenario.labels.length || scenario.reports.length) {
      log(`policies: ${scenario.policies.length} applied${scenario.labels.length ? `, with ${scenario.labels.length} label(s)` : ''}${scenario.reports.length ? `, ${scenario.reports.length} report(s)` : ''}`);
    }

    const ramps = hasRamps(scenario);
    let runStartMs = Date.now();
    const simScenario = simulationSpec(scenario, {
      hosts: ramps ? hostsAt(scenario, 0) : scenario.hosts,
      enroll_secret: scenario.target?.enroll_secret ?? scenario.enroll_secret,
      // Ramps decide when hosts start; each second's new hosts start within that second.
      agent: ramps ? { ...scenario.agent, start_period: 1000 } : scenario.agent,
    });
    const processes = scenario.simulator.processes;
    if (processes > 1) {
      if (options.scenarioFile === undefined) throw osqsimError('CLI_INVALID_OPTION', { option: 'simulator.processes', reason: 'the shard processes read the scenario from its file: run it as osqsim run FILE' });
      const startAtMs = Date.now() + SHARD_START_LEAD_MS;
      shards = new ShardProcesses({
        scenarioFile: options.scenarioFile,
        hosts: simScenario.hosts,
        durationMs: simScenario.duration,
        warmupMs: simScenario.warmup,
        seed: simScenario.seed,
        enrollSecret: simScenario.enroll_secret,
        targets,
        processes,
        startAtMs,
        workersPerProcess: options.workers ?? 1,
        connections: options.connections ?? scenario.simulator.connections,
        ...(tlsDir !== undefined ? { caFile: join(tlsDir, CA_FILE) } : {}),
        // Progress (every 10 s) and warnings; the rest of a shard's output is its summary, merged here.
        onLine: (i, line) => {
          if (/^(\[|!!)/.test(line)) log(`[shard ${i}/${processes}] ${line}`);
        },
      });
      log(`simulator: ${processes} shard processes (osqsim simulate --shard i/${processes}), t = 0 at ${new Date(startAtMs).toISOString()}`);
      sim = shardHandle(shards, startAtMs, simScenario.hosts);
    } else {
      sim = runSimulation({
        targets,
        scenario: simScenario,
        workers: workerCount,
        ...(workersStarted !== undefined ? { workersStarted } : {}),
        // The flag (options) over the scenario's simulator: section; elastic when neither says.
        connections: options.connections ?? scenario.simulator?.connections ?? 'elastic',
        ...(scenario.simulator?.transport !== undefined ? { transport: scenario.simulator.transport } : {}),
        capacity: scenario.hosts,
        ...(ca !== undefined ? { ca } : {}),
        policyNames: state.names(),
        store: storeLabel,
      });
    }
    const handle = sim;
    // t = 0 is when every worker is ready (sql.js loaded, group databases built: seconds on a loaded
    // machine). A fixed start time before that would start every host due during the load at once — a
    // herd that keeps its phase for the whole run — and report the load as generator saturation.
    await Promise.race([handle.started, handle.done.then(() => undefined)]);
    runStartMs = handle.runStartMs;
    const elapsedS = () => (Date.now() - runStartMs) / 1000;

    // Progress every 5 s, summed over those seconds (hosts check in in waves; one second says little).
    let lastProgress = 0;
    let period = { requests: 0, errors: 0, readP99: 0, seconds: 0 };
    handle.onWindow((w: LiveWindow) => {
      period = { requests: period.requests + w.rate, errors: period.errors + w.errors, readP99: Math.max(period.readP99, w.endpoints.read?.p99 ?? 0), seconds: period.seconds + 1 };
      if (w.t - lastProgress < 5) return;
      lastProgress = w.t;
      const s = samples[samples.length - 1];
      const c = countSamples[countSamples.length - 1];
      log(`t=${String(w.t).padStart(4)}s hosts ${w.hosts_enrolled} · ${Math.round(period.requests / period.seconds)} req/s · read p99 ${period.readP99 ? `${period.readP99.toFixed(1)}ms` : '–'} · errors ${period.errors}${s ? ` · server CPU ${s.cpu_pct.toFixed(0)}% RSS ${s.rss_mb.toFixed(0)}MB` : ''}${c ? ` · counts off ${c.policies_off}, staleness ${c.staleness_max_s.toFixed(0)}s` : ''}${w.warmup ? ' (warm-up)' : ''}`);
      period = { requests: 0, errors: 0, readP99: 0, seconds: 0 };
    });

    // Host ramps.
    if (ramps) {
      let current = simScenario.hosts;
      timers.push(
        setInterval(() => {
          const target = hostsAt(scenario, Date.now() - runStartMs);
          if (target !== current && !stopped) {
            current = target;
            handle.setHosts(target);
          }
        }, 250),
      );
    }

    // Sampling every second.
    const serverSampler = server ? new ServerSampler(server, ca) : instanceSampler;
    // Shard processes report at the end: there is no live truth to score the counts against meanwhile.
    const liveTruth = shards === undefined;
    let sampling = false;
    let tick = 0;
    const sample = async (): Promise<void> => {
      if (sampling || stopped) return;
      sampling = true;
      tick++;
      try {
        const t = Math.round(elapsedS() * 10) / 10;
        if (serverSampler && !serverDown) {
          const sample = await serverSampler.sample(t);
          if (sample) samples.push(sample);
        }
        if (api && !serverDown) {
          if ((server || deployment) && tick % 5 === 1) {
            for (const run of await api.statsRuns().catch(() => [] as ApiStatsRun[])) statsRuns.set(`${run.strategy}@${run.started_at}`, run);
          }
          if (!liveTruth) return;
          const before = truthMap(await withTimeout(handle.truth(), 5000));
          const policies = await api.allPolicies().catch(() => undefined);
          const after = truthMap(await withTimeout(handle.truth(), 5000));
          if (policies) {
            const scored = policies.filter((p) => !unscored.has(p.id));
            const { scores, staleness } = tracker.record(t, scored.map((p) => ({ id: p.id, passing: p.passing_host_count, failing: p.failing_host_count })), before, after);
            countSamples.push({ t, error_max: Math.max(0, ...scores.map((s) => s.error)), policies_off: scores.filter((s) => !s.ok).length, staleness_max_s: Math.round(staleness * 10) / 10 });
          }
        }
      } catch {
        // A failed sample is a gap in the charts, not a failed run.
      } finally {
        sampling = false;
      }
    };
    timers.push(setInterval(() => void sample(), 1000));

    // The timeline, in order.
    const eventContext: EventContext = {
      scenario,
      state,
      api,
      server,
      storeLabel,
      unscored,
      elapsedS,
      setServerDown: (down) => {
        serverDown = down;
      },
    };
    const timelineDone = (async () => {
      for (const event of scenario.timeline) {
        await sleepUnless(runStartMs + event.at - Date.now(), ended.signal);
        if (stopped) return;
        const t = Math.round(elapsedS() * 10) / 10;
        try {
          const detail = await applyTimelineEvent(eventContext, event);
          // An outage's event returns when it is over (the server listens again, the store fault expired).
          const until = FAULT_KINDS.has(event.kind) ? { until: Math.round(elapsedS() * 10) / 10 } : {};
          timeline.push({ t, kind: event.kind, detail, ok: true, ...until });
          log(`t=${String(Math.round(t)).padStart(4)}s ${event.kind}: ${detail}`);
        } catch (error) {
          const message = (error as Error).message;
          const unsupported = event.kind === 'store_unavailable' && isOsqsimError(error, 'FLEET_API_NOT_FOUND');
          timeline.push({ t, kind: event.kind, detail: event.kind, ok: false, ...(unsupported ? { skipped: true, error: 'not supported by this server (no POST /api/v1/osqsim/faults)' } : { error: message }) });
          log(`t=${String(Math.round(t)).padStart(4)}s ${event.kind} ${unsupported ? 'skipped: the server has no fault toggle' : `FAILED: ${message}`}`);
        }
      }
    })();

    const doc = await handle.done;
    stopped = true;
    ended.abort();
    for (const timer of timers) clearInterval(timer);
    await timelineDone.catch(() => undefined);
    for (let waited = 0; sampling && waited < 10_000; waited += 50) await sleep(50);

    // Final read: let the count strategy catch up with the final truth, then score.
    const finalTruth = new Map(doc.policies.map((p) => [p.id, p.truth]));
    let final: ApiPolicy[] | undefined;
    if (api) {
      if (server || deployment) for (const run of await api.statsRuns().catch(() => [] as ApiStatsRun[])) statsRuns.set(`${run.strategy}@${run.started_at}`, run);
      const deadline = catchUpDeadline({ nowMs: Date.now(), strategy, intervalMs: scenario.server?.stats.interval ?? 0, runs: [...statsRuns.values()], serverStartedMs: server?.startedAtMs });
      for (;;) {
        final = await api.allPolicies().catch(() => final);
        const scores = final ? scoreCounts(final.filter((p) => !unscored.has(p.id)).map((p) => ({ id: p.id, passing: p.passing_host_count, failing: p.failing_host_count })), finalTruth, finalTruth) : [];
        if ((final && scores.every((s) => s.ok)) || Date.now() >= deadline) break;
        await sleep(500);
      }
      if (server || deployment) for (const run of await api.statsRuns().catch(() => [] as ApiStatsRun[])) statsRuns.set(`${run.strategy}@${run.started_at}`, run);
    }
    // The server's traffic per query kind, from its /metrics read once more now (after the last write).
    const traffic = serverSampler && !serverDown ? await serverSampler.finalTraffic().catch(() => undefined) : undefined;
    enrich(doc, { scenario, strategy, storeLabel, final, tracker, names: state.names(), timeline, samples, traffic, countSamples, statsRuns, runStartMs, unscored });
    if (deployment && instanceSampler) {
      const instanceIds = await Promise.all(deployment.servers.map((s) => new FleetApi(s.url, token).statsRunsPage().then((p) => p.instance, () => undefined)));
      doc.deployment = await instanceSampler.summary({ loadBalancer: scenario.server!.load_balancer, targets, simulatorProcesses: scenario.simulator.processes, instanceIds, runs: [...statsRuns.values()], runStartMs });
    } else if (shards) {
      doc.deployment = { load_balancer: 'none', targets, instances: [], simulator_processes: scenario.simulator.processes, stats_lease: [], lease_overlap_s: 0 };
    }
    doc.thresholds = evaluateThresholds(doc, scenario.thresholds);
    const name = multi && strategy ? `${scenario.name}-${strategy}` : scenario.name;
    const files = writeRunFiles(doc, join(options.outDir ?? 'runs', runDirName(name, startedAt)));
    return { strategy, doc, files };
  } finally {
    stopped = true;
    ended.abort();
    process.removeListener('SIGINT', onSignal);
    for (const timer of timers) clearInterval(timer);
    sim?.stop();
    await workersStarted?.destroy();
    await shards?.dispose();
    await server?.stop();
    await deployment?.stop();
    if (tlsDir !== undefined) rmSync(tlsDir, { recursive: true, force: true });
  }
}

interface EnrichInput {
  scenario: Scenario;
  strategy: StatsStrategyName | null;
  storeLabel: string;
  final: ApiPolicy[] | undefined;
  tracker: StalenessTracker;
  names: Map<number, string>;
  timeline: TimelineRecord[];
  samples: ServerSample[];
  traffic: ServerTraffic | undefined;
  countSamples: CountSample[];
  statsRuns: Map<string, ApiStatsRun>;
  runStartMs: number;
  unscored: ReadonlyMap<number, string>;
}

function enrich(doc: ResultDocument, input: EnrichInput): void {
  const { scenario, strategy } = input;
  const embedded: Record<string, unknown> = JSON.parse(JSON.stringify(scenario));
  if (scenario.server) {
    embedded.server = { ...scenario.server, store: input.storeLabel, stats: { ...scenario.server.stats, strategy } };
  }
  // Credentials (enroll secret, API tokens) and store passwords masked: result files are shared.
  doc.scenario = redactSecrets(embedded);
  doc.run.store = input.storeLabel;
  if (scenario.server) doc.run.edited_policies = editedPoliciesOf(scenario.server);
  const serverById = new Map((input.final ?? []).map((p) => [p.id, p]));
  for (const policy of doc.policies) {
    const name = input.names.get(policy.id);
    if (name !== undefined) policy.name = name;
    const server = serverById.get(policy.id);
    if (!server) continue;
    policy.name ??= server.name;
    policy.server = { passing: server.passing_host_count, failing: server.failing_host_count, updated_at: server.host_count_updated_at };
    policy.count_error = Math.abs(server.passing_host_count - policy.truth.passing) + Math.abs(server.failing_host_count - policy.truth.failing);
    policy.staleness_s = input.tracker.worstOf(policy.id);
    const reason = input.unscored.get(policy.id);
    if (reason) policy.unscored = reason;
  }
  // Policies on the server that no host ever answered (e.g. no host in scope): truth is zero.
  for (const server of input.final ?? []) {
    if (doc.policies.some((p) => p.id === server.id)) continue;
    doc.policies.push({
      id: server.id,
      query: server.query,
      name: server.name,
      truth: { passing: 0, failing: 0, unknown: 0 },
      server: { passing: server.passing_host_count, failing: server.failing_host_count, updated_at: server.host_count_updated_at },
      count_error: server.passing_host_count + server.failing_host_count,
      staleness_s: input.tracker.worstOf(server.id),
      ...(input.unscored.has(server.id) ? { unscored: input.unscored.get(server.id)! } : {}),
    });
  }
  doc.policies.sort((a, b) => a.id - b.id);
  const aggregations: AggregationRun[] = [...input.statsRuns.values()]
    .filter((r) => Date.parse(r.started_at) >= input.runStartMs - 1000)
    .sort((a, b) => a.started_at.localeCompare(b.started_at))
    .map((r) => ({ strategy: r.strategy, ...(r.instance !== undefined ? { instance: r.instance } : {}), started_at: r.started_at, duration_ms: r.duration_ms, rows: r.rows_scanned, drift: r.drift }));
  doc.aggregations = aggregations;
  if (input.samples.length || input.traffic) doc.server = { samples: input.samples, ...(input.traffic ? { traffic: input.traffic } : {}) };
  doc.timeline = [...input.timeline, ...skippedRecords(scenario)];
  if (input.countSamples.length) doc.counts = { samples: input.countSamples };
  try {
    doc.plan = planSummary(planScenario(scenario));
  } catch {
    // The plan is a comparison aid; a run never fails for it.
  }
}

/**
 * The simulation handle of shard processes: started at the shared t = 0, done with the merged result.
 * No live windows or truth (each shard reports once, at its end); the host count is fixed.
 */
function shardHandle(shards: ShardProcesses, startAtMs: number, hosts: number): SimulationHandle {
  return {
    started: sleep(startAtMs - Date.now()),
    done: shards.done,
    stop: () => shards.stop(),
    truth: () => Promise.reject(new Error('shard processes report their truth at the end')),
    onWindow: () => () => undefined,
    setHosts: () => {
      throw osqsimError('CLI_INVALID_OPTION', { option: 'hosts', reason: 'shard processes run a fixed host count' });
    },
    hosts,
    runStartMs: startAtMs,
    warnings: [],
  };
}

/** Events a shortened run (`--duration`) cut off: recorded as skipped, at the time they were due. */
export function skippedRecords(scenario: Pick<Scenario, 'duration' | 'skipped_timeline'>): TimelineRecord[] {
  return (scenario.skipped_timeline ?? []).map((event) => ({
    t: event.at / 1000,
    kind: event.kind,
    detail: `not applied: due at ${event.at / 1000}s, after the end of the run`,
    ok: false,
    skipped: true,
    error: `the run ends at ${scenario.duration / 1000}s (--duration)`,
  }));
}
