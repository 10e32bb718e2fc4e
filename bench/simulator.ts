/**
 * bench/simulator.ts — how many osquery agents one machine simulates, and what each request costs.
 *
 *   npx tsx bench/simulator.ts [--hosts 200000] [--duration 60s] [--warmup 40s] [--start-period 30s]
 *                              [--workers 1] [--connections elastic|<n>] [--transport default|undici|raw]
 *                              [--autocannon-duration 15s] [--json]
 *
 * A bare fastify target (its own process; the same JSON shapes as the osquery API, no work behind them)
 * is driven first by the simulator (hosts at a 10 s distributed interval, 60 s config, 10 s logger, the
 * built-in mixed fleet), then, in the same run, by autocannon on the read route at the simulator's
 * measured request rate with as many connections as the simulator used at its peak. Reported:
 * - corrected read p99 (response − intended start), the simulator's own client-queue p99, and the
 *   saturation verdict (which side: generator or target, and why),
 * - simulator CPU per request vs autocannon's CPU per request (ratio = ours ÷ autocannon's),
 * - hosts per simulator core: hosts ÷ worker threads (each worker is one event loop, at most one core)
 *   and hosts ÷ the CPU the simulator process actually used,
 * - resident memory per simulated host (RSS growth from before the workers start to the end of warm-up),
 * - the target's CPU, so a saturated target is visible.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { validateScenario } from '../scenarios/schema/scenario.js';
import { processStats } from '../scenarios/harness/proc.js';
import { runSimulation, type LiveWindow } from '../simulator/pool.js';
import { classifySaturation, measuredSaturation } from '../simulator/saturation.js';
import { BUILTIN_FLEET } from '../scenarios/fleets/builtin-fleet.js';
import { parseConnectionMode, type ConnectionMode } from '../simulator/transport/transport.js';
import { defineBench, durationMs, oneOf, option, positiveInt, text } from './harness.js';

/** CPU time (ms) the target process has used so far (/proc; NaN where there is none). */
function targetCpuMs(pid: number): number {
  return processStats(pid)?.cpuMs ?? Number.NaN;
}

async function startTarget(): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./simulator-target.ts', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  return { url, child };
}

interface BenchSimulatorParams {
  hosts: number;
  durationMs: number;
  warmupMs: number;
  startPeriodMs: number;
  workers: number;
  connections: ConnectionMode;
  autocannonMs: number;
  /** `default`: the simulator's own choice (raw for this http:// target). */
  transport: 'default' | 'undici' | 'raw';
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

/** The measurement; `p` keeps the field names of the JSON params (durations in ms). */
async function measure(p: BenchSimulatorParams, log: (line: string) => void) {
  const { url, child } = await startTarget();
  try {
    const result = validateScenario({
      name: 'bench simulator',
      hosts: p.hosts,
      duration: `${p.durationMs}ms`,
      warmup: `${p.warmupMs}ms`,
      seed: 1,
      agent: { distributed_interval: '10s', config_refresh: '60s', logger_tls_period: '10s', start_period: `${p.startPeriodMs}ms` },
      fleet: JSON.parse(JSON.stringify(BUILTIN_FLEET)),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const scenario = result.scenario;

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const sim = runSimulation({ targets: [url], scenario, workers: p.workers, connections: p.connections, ...(p.transport !== 'default' ? { transport: p.transport } : {}) });
    let measuredCpuStart: NodeJS.CpuUsage | undefined;
    let measuredTargetCpuMs = 0;
    let measuredStartMs = 0;
    let measuredRequests = 0;
    let rssAtWarmupEnd = 0;
    let maxRss = 0;
    /** Most connections in use at once after the warm-up (the enrolment wave's peak is not the steady state). */
    let measuredPeakConnections = 0;
    const windows: LiveWindow[] = [];
    sim.onWindow((w: LiveWindow) => {
      windows.push(w);
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (!w.warmup && measuredCpuStart === undefined) {
        measuredCpuStart = process.cpuUsage();
        measuredTargetCpuMs = targetCpuMs(child.pid!);
        measuredStartMs = performance.now();
        rssAtWarmupEnd = process.memoryUsage().rss;
      } else if (measuredCpuStart !== undefined) {
        measuredRequests += w.rate;
        measuredPeakConnections = Math.max(measuredPeakConnections, w.generator.connections);
      }
      if (w.t % 5 === 0 || process.env.BENCH_VERBOSE) {
        log(`[${w.t}s] enrolled ${w.hosts_enrolled} · ${w.rate} req/s · read p99 ${w.endpoints.read?.p99 ?? '-'} ms · queue p99 ${w.generator.client_queue_p99_ms} ms · conns ${w.generator.connections} · gen busy ${(w.generator.elu_max * 100).toFixed(0)}% · late ${w.checkins.late}`);
      }
    });
    const doc = await sim.done;
    const simCpuMs = measuredCpuStart ? cpuMs(process.cpuUsage(measuredCpuStart)) : NaN;
    const measuredWallMs = performance.now() - measuredStartMs;
    const targetCpuPctSim = ((targetCpuMs(child.pid!) - measuredTargetCpuMs) / measuredWallMs) * 100;
    const simRate = measuredRequests / (measuredWallMs / 1000);

    // Baseline: autocannon on the read route at the same rate and connection count, same target.
    // A fixed pool: its size over all workers; elastic: the most connections in use at once after the warm-up.
    const connections = Math.max(1, doc.run.connection_mode === 'elastic' ? measuredPeakConnections : doc.run.connections);
    log(`autocannon: ${Math.round(simRate)} req/s over ${connections} connections for ${p.autocannonMs / 1000} s`);
    const acCpuStart = process.cpuUsage();
    const acTargetCpuMs = targetCpuMs(child.pid!);
    const acStart = performance.now();
    const ac = await autocannon({
      url: `${url}/api/osquery/distributed/read`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"node_key":"k12345"}',
      connections,
      overallRate: Math.max(1, Math.round(simRate)),
      duration: p.autocannonMs / 1000,
    });
    const acWallMs = performance.now() - acStart;
    const acCpuMs = cpuMs(process.cpuUsage(acCpuStart));
    const acRequests = ac.requests.total;
    const targetCpuPctAc = ((targetCpuMs(child.pid!) - acTargetCpuMs) / acWallMs) * 100;

    const read = doc.endpoints.read;
    // The verdict on the measured window alone (as the capacity sweep judges a step): the enrolment wave
    // may saturate the generator during the warm-up without touching the steady state measured here.
    const measuredGenerator = measuredSaturation(windows);
    const measuredVerdict = classifySaturation({
      generatorWarnings: measuredGenerator,
      ...(doc.generator.load_avg_max !== undefined ? { machine: { loadAvgMax: doc.generator.load_avg_max, cpus: doc.run.machine.cpus } } : {}),
      endpoints: Object.fromEntries(
        Object.entries(doc.endpoints).map(([name, e]) => [name, { count: e!.count, serviceP99Ms: e!.service_ms.p99, timeouts: e!.outcomes.timeout, serverErrors: e!.outcomes['5xx'] }]),
      ),
    });
    const results = {
      hosts: p.hosts,
      hosts_enrolled: Math.max(0, ...doc.windows.map((w) => w.hosts_enrolled)),
      sim_req_per_s: Math.round(simRate),
      read_corrected_p99_ms: read?.latency_ms.p99 ?? null,
      read_corrected_p999_ms: read?.latency_ms.p999 ?? null,
      read_service_p99_ms: read?.service_ms.p99 ?? null,
      errors: Object.values(doc.endpoints).reduce((s, e) => s + Object.values(e?.errors ?? {}).reduce((a, b) => a + (b ?? 0), 0), 0),
      late_checkins: doc.checkins.late,
      client_queue_p99_ms: doc.generator.client_queue_p99_ms ?? null,
      connections_peak_run: doc.run.connections,
      connections_peak_measured: measuredPeakConnections,
      connection_mode: doc.run.connection_mode ?? null,
      saturated: doc.generator.saturated,
      saturated_side: doc.generator.saturated_side ?? null,
      warnings: doc.generator.saturation_reasons ?? doc.generator.warnings,
      measured_saturated_side: measuredVerdict.side,
      measured_saturation: measuredVerdict.reasons,
      load_avg_max: doc.generator.load_avg_max ?? null,
      hosts_per_worker: Math.round(p.hosts / p.workers),
      hosts_per_cpu_core_used: Math.round(p.hosts / Math.max(0.01, simCpuMs / measuredWallMs)),
      sim_cpu_us_per_req: Math.round((simCpuMs * 1000) / Math.max(1, measuredRequests) * 10) / 10,
      sim_cpu_pct: Math.round((simCpuMs / measuredWallMs) * 1000) / 10,
      autocannon_req_per_s: Math.round(acRequests / (acWallMs / 1000)),
      autocannon_cpu_us_per_req: Math.round((acCpuMs * 1000) / Math.max(1, acRequests) * 10) / 10,
      autocannon_p99_ms: ac.latency.p99,
      // autocannon could not reach the simulator's rate either: the target (or the machine), not the simulator, is the limit.
      target_bound: acRequests / (acWallMs / 1000) < 0.95 * simRate,
      rss_bytes_per_host: Math.round((rssAtWarmupEnd - rssBefore) / p.hosts),
      rss_peak_mb: Math.round(maxRss / 1024 / 1024),
      target_cpu_pct_during_sim: Math.round(targetCpuPctSim),
      target_cpu_pct_during_autocannon: Math.round(targetCpuPctAc),
    };
    const ratio = Math.round((results.sim_cpu_us_per_req / results.autocannon_cpu_us_per_req) * 100) / 100;
    return { params: { ...p, connections: String(p.connections), interval_s: 10 }, results, ratio };
  } finally {
    child.kill();
  }
}

function connectionsFlag(value: string): ConnectionMode {
  const mode = parseConnectionMode(value);
  if (mode === undefined) throw new Error(`--connections must be elastic or a whole number ≥ 1, got ${JSON.stringify(value)}`);
  return mode;
}

await defineBench({
  name: 'simulator',
  description: 'Hosts per machine and CPU per request of the simulator, against autocannon at the same rate',
  params: {
    hosts: option('--hosts <n>', 'simulated hosts', positiveInt, '200000'),
    duration: option('--duration <duration>', 'simulation length, warm-up included', durationMs, '60s'),
    warmup: option('--warmup <duration>', 'excluded start (enrolment wave)', durationMs, '40s'),
    startPeriod: option('--start-period <duration>', 'host starts spread over this', durationMs, '30s'),
    workers: option('--workers <n>', 'simulator worker threads', positiveInt, '1'),
    connections: option('--connections <n|elastic>', 'elastic (a connection per request in flight) or a fixed pool per worker', text, 'elastic'),
    transport: option('--transport <name>', 'default (raw for this http target) | undici | raw', oneOf(['default', 'undici', 'raw']), 'default'),
    autocannonDuration: option('--autocannon-duration <duration>', 'length of the autocannon baseline', durationMs, '15s'),
  },
  run: (values, log) =>
    measure(
      {
        hosts: values.hosts,
        durationMs: values.duration,
        warmupMs: values.warmup,
        startPeriodMs: values.startPeriod,
        workers: values.workers,
        connections: connectionsFlag(values.connections),
        autocannonMs: values.autocannonDuration,
        transport: values.transport,
      },
      log,
    ),
  format(doc) {
    const rows = Object.entries(doc.results).map(([k, v]) => `${k.padEnd(34)} ${Array.isArray(v) ? v.join(' | ') || '-' : String(v)}`);
    return `bench simulator (${doc.machine.cpus} × ${doc.machine.cpu_model}, ${doc.machine.node})\n${rows.join('\n')}\n${'cpu ratio (sim ÷ autocannon)'.padEnd(34)} ${doc.ratio}`;
  },
}).main();
