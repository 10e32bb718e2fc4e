/**
 * bench/simulator.ts — how many osquery agents one machine simulates, and what each request costs.
 *
 *   npx tsx bench/simulator.ts [--hosts 200000] [--duration 60s] [--warmup 40s] [--start-period 30s]
 *                              [--workers 1] [--connections 64] [--transport undici|raw] [--autocannon-duration 15s] [--json]
 *
 * A bare fastify target (its own process; the same JSON shapes as the osquery API, no work behind them)
 * is driven first by the simulator (hosts at a 10 s distributed interval, 60 s config, 10 s logger, the
 * built-in mixed fleet), then, in the same run, by autocannon on the read route at the simulator's
 * measured request rate with the same number of connections. Reported:
 * - corrected read p99 (response − intended start) and the saturation verdict,
 * - simulator CPU per request vs autocannon's CPU per request (ratio = ours ÷ autocannon's),
 * - resident memory per simulated host (RSS growth from before the workers start to the end of warm-up),
 * - the target's CPU, so a saturated target is visible.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { parseDurationMs } from '../lib/units.js';
import { processStats } from '../scenarios/harness/proc.js';
import { validateScenario } from '../scenarios/schema.js';
import { runSimulation, type LiveWindow } from '../simulator/pool.js';
import { defaultFleet } from '../scenarios/simulate-spec.js';

interface Params {
  hosts: number;
  durationMs: number;
  warmupMs: number;
  startPeriodMs: number;
  workers: number;
  connections: number;
  autocannonMs: number;
  transport: 'undici' | 'raw';
  json: boolean;
}

function parseArgs(argv: string[]): Params {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    hosts: Number(get('hosts') ?? 200_000),
    durationMs: parseDurationMs(get('duration') ?? '60s'),
    warmupMs: parseDurationMs(get('warmup') ?? '40s'),
    startPeriodMs: parseDurationMs(get('start-period') ?? '30s'),
    workers: Number(get('workers') ?? 1),
    connections: Number(get('connections') ?? 64),
    autocannonMs: parseDurationMs(get('autocannon-duration') ?? '15s'),
    transport: get('transport') === 'raw' ? 'raw' : 'undici',
    json: argv.includes('--json'),
  };
}

/** The target: a bare fastify app answering the osquery routes with fixed bodies. */
async function serve(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  let key = 0;
  app.post('/api/osquery/enroll', async () => ({ node_key: `k${++key}` }));
  app.post('/api/osquery/config', async () => ({ options: { distributed_interval: 10, logger_tls_period: 10, config_refresh: 60 }, packs: {} }));
  app.post('/api/osquery/distributed/read', async () => ({ queries: {}, discovery: {} }));
  app.post('/api/osquery/distributed/write', async () => ({}));
  app.post('/api/osquery/log', async () => ({}));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${url}\n`);
}

/** utime + stime in clock ticks (100/s). */
function cpuTicksOf(pid: number): number {
  return processStats(pid)!.cpuMs / 10;
}

async function startTarget(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  return { url, child };
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

async function main(): Promise<void> {
  const p = parseArgs(process.argv.slice(2));
  const { url, child } = await startTarget();
  const log = (line: string): void => {
    if (!p.json) process.stderr.write(`${line}\n`);
  };
  try {
    const result = validateScenario({
      name: 'bench simulator',
      hosts: p.hosts,
      duration: `${p.durationMs}ms`,
      warmup: `${p.warmupMs}ms`,
      seed: 1,
      agent: { distributed_interval: '10s', config_refresh: '60s', logger_tls_period: '10s', start_period: `${p.startPeriodMs}ms` },
      fleet: JSON.parse(JSON.stringify(defaultFleet())),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const scenario = result.scenario;

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const targetTicksStart = cpuTicksOf(child.pid!);
    const sim = runSimulation({ targets: [url], scenario, workers: p.workers, connections: p.connections, transport: p.transport });
    let measuredCpuStart: NodeJS.CpuUsage | undefined;
    let measuredTargetTicks = 0;
    let measuredStartMs = 0;
    let measuredRequests = 0;
    let rssAtWarmupEnd = 0;
    let maxRss = 0;
    sim.onWindow((w: LiveWindow) => {
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (!w.warmup && measuredCpuStart === undefined) {
        measuredCpuStart = process.cpuUsage();
        measuredTargetTicks = cpuTicksOf(child.pid!);
        measuredStartMs = performance.now();
        rssAtWarmupEnd = process.memoryUsage().rss;
      } else if (measuredCpuStart !== undefined) {
        measuredRequests += w.rate;
      }
      if (w.t % 5 === 0 || process.env.BENCH_VERBOSE) log(`[${w.t}s] enrolled ${w.hosts_enrolled} · ${w.rate} req/s · read p99 ${w.endpoints.read?.p99 ?? '-'} ms · gen busy ${(w.generator.elu_max * 100).toFixed(0)}% · late ${w.checkins.late}`);
    });
    const doc = await sim.done;
    const simCpuMs = measuredCpuStart ? cpuMs(process.cpuUsage(measuredCpuStart)) : NaN;
    const measuredWallMs = performance.now() - measuredStartMs;
    const targetCpuPctSim = ((cpuTicksOf(child.pid!) - measuredTargetTicks) * 10 / measuredWallMs) * 100;
    const simRate = measuredRequests / (measuredWallMs / 1000);
    void targetTicksStart;

    // Baseline: autocannon on the read route at the same rate and connection count, same target.
    const connections = p.connections * p.workers;
    log(`autocannon: ${Math.round(simRate)} req/s over ${connections} connections for ${p.autocannonMs / 1000} s`);
    const acCpuStart = process.cpuUsage();
    const acTargetTicks = cpuTicksOf(child.pid!);
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
    const targetCpuPctAc = ((cpuTicksOf(child.pid!) - acTargetTicks) * 10 / acWallMs) * 100;

    const read = doc.endpoints.read;
    const results = {
      hosts: p.hosts,
      hosts_enrolled: Math.max(0, ...doc.windows.map((w) => w.hosts_enrolled)),
      sim_req_per_s: Math.round(simRate),
      read_corrected_p99_ms: read?.latency_ms.p99 ?? null,
      read_corrected_p999_ms: read?.latency_ms.p999 ?? null,
      read_service_p99_ms: read?.service_ms.p99 ?? null,
      errors: Object.values(doc.endpoints).reduce((s, e) => s + Object.values(e?.errors ?? {}).reduce((a, b) => a + (b ?? 0), 0), 0),
      late_checkins: doc.checkins.late,
      saturated: doc.generator.saturated,
      warnings: doc.generator.warnings,
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
    const machine = { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 1024 ** 3), node: process.version, platform: `${process.platform}-${process.arch}` };
    const params = { ...p, json: undefined, interval_s: 10 };
    if (p.json) {
      process.stdout.write(`${JSON.stringify({ bench: 'simulator', machine, params, results, ratio })}\n`);
    } else {
      const rows = Object.entries(results).map(([k, v]) => `${k.padEnd(34)} ${Array.isArray(v) ? v.join(' | ') || '-' : String(v)}`);
      process.stdout.write(`bench simulator (${machine.cpus} × ${machine.cpu_model}, ${machine.node})\n${rows.join('\n')}\n${'cpu ratio (sim ÷ autocannon)'.padEnd(34)} ${ratio}\n`);
    }
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
