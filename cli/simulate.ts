/**
 * `osqsim simulate`: drive any osquery TLS server (osqsim's or Fleet's) with simulated agents.
 * Thin: flags → scenario → runSimulation → progress on stderr, summary (or --json) on stdout,
 * result file with --out. Ctrl-C stops the agents and still writes the result.
 */
import { parseCount } from '../lib/units.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Command } from 'commander';
import { osqsimError } from '../lib/errors.js';
import { reportError } from '../lib/cli-usage.js';
import { EXIT } from '../lib/exit-codes.js';
import { parseShard, scheduledRunId, shardHostCount } from '../simulator/identity.js';
import { LiveMetrics, serveLiveMetrics } from '../simulator/live-metrics.js';
import { parseStartAt } from '../lib/start-at.js';
import { summaryTable, progressLine } from './simulate-output.js';
import { runSimulation } from '../simulator/pool.js';
import { readBuiltinFleetScenario, readScenario, scenarioOrThrow } from '../scenarios/read.js';
import { simulationSpec } from '../scenarios/simulation-spec.js';
import { parseConnectionMode, parseTargets, TRANSPORT_KINDS, type ConnectionMode, type TransportKind } from '../simulator/transport/transport.js';

export interface SimulateFlags {
  target: string;
  scenario?: string;
  hosts?: string;
  duration?: string;
  warmup?: string;
  workers?: string;
  connections?: string;
  transport?: string;
  insecure?: boolean;
  ca?: string;
  seed?: string;
  shard?: string;
  startAt?: string;
  enrollSecret?: string;
  out?: string;
  json?: boolean;
  progress?: boolean;
  metricsPort?: string;
}

function positiveInt(option: string, value: string | undefined, min = 1): number | undefined {
  return value === undefined ? undefined : parseCount(option, value, min);
}

/** Resolves with a reason when nothing accepts a TCP connection at the target's host and port. */
export function unreachable(target: string, timeoutMs = 3000): Promise<string | undefined> {
  const url = new URL(target);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer to a TCP connection within ${timeoutMs} ms`));
    socket.once('connect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

/** The PEM text of --ca; a missing or non-PEM file is invalid input (exit 2). */
function readCaFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw osqsimError('TLS_FILE_UNREADABLE', { file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }, error);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw osqsimError('TLS_FILE_INVALID', { file, what: 'a PEM certificate', reason: 'no BEGIN CERTIFICATE block' });
  return text;
}

export async function runSimulate(flags: SimulateFlags): Promise<number> {
  let setup;
  try {
    const targets = parseTargets(flags.target);
    const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
    const hosts = positiveInt('--hosts', flags.hosts);
    const seed = positiveInt('--seed', flags.seed, 0);
    const read = { steadyState: true, overrides: { hosts, seed, duration: flags.duration, warmup: flags.warmup, enrollSecret: flags.enrollSecret } };
    if (flags.scenario === undefined && hosts === undefined) throw osqsimError('CLI_INVALID_OPTION', { option: '--scenario/--hosts', reason: 'give a scenario file or a host count' });
    const result = flags.scenario !== undefined ? readScenario(flags.scenario, read) : readBuiltinFleetScenario(read);
    const notes = result.ok ? result.notes : [];
    const validated = scenarioOrThrow(result, flags.scenario ?? 'flags');
    const scenario = simulationSpec(validated);
    for (const note of notes) process.stderr.write(`osqsim simulate: ${note}\n`);
    const workers = positiveInt('--workers', flags.workers);
    // The flags over the scenario's simulator: section; elastic connections and the target's default client otherwise.
    let connections: ConnectionMode = validated.simulator?.connections ?? 'elastic';
    if (flags.connections !== undefined) {
      const parsed = parseConnectionMode(flags.connections);
      if (parsed === undefined) throw osqsimError('CLI_INVALID_OPTION', { option: '--connections', reason: 'must be elastic or a whole number ≥ 1 (a fixed pool per worker per target)' });
      connections = parsed;
    }
    const transport = flags.transport ?? validated.simulator?.transport;
    if (transport !== undefined && !(TRANSPORT_KINDS as readonly string[]).includes(transport)) {
      throw osqsimError('CLI_INVALID_OPTION', { option: '--transport', reason: `must be one of ${TRANSPORT_KINDS.join(', ')}` });
    }
    if (transport === 'raw' && targets.some((t) => t.startsWith('https:'))) {
      throw osqsimError('CLI_INVALID_OPTION', { option: '--transport', reason: 'raw speaks plain http:// only; use undici for https targets' });
    }
    const ca = flags.ca === undefined ? undefined : readCaFile(flags.ca);
    const metricsPort = flags.metricsPort === undefined ? undefined : parseCount('--metrics-port', flags.metricsPort, 0);
    if (metricsPort !== undefined && metricsPort > 65535) throw osqsimError('CLI_INVALID_OPTION', { option: '--metrics-port', reason: `a TCP port is at most 65535 (got ${metricsPort})` });
    // A shared start: t = 0 for every shard, and the run id every shard derives from it.
    const startAtMs = flags.startAt === undefined ? undefined : parseStartAt(flags.startAt, Date.now());
    const runId = startAtMs === undefined ? undefined : scheduledRunId({ startAtMs, seed: scenario.seed, hosts: scenario.hosts, shards: shard?.count ?? 1 });
    setup = { targets, shard, scenario, workers, connections, transport: transport as TransportKind | undefined, ca, metricsPort, startAtMs, runId };
  } catch (error) {
    return reportError('osqsim simulate', error);
  }
  // A target that refuses connections would otherwise give a run of connection errors and exit 0.
  for (const target of setup.targets) {
    const reason = await unreachable(target);
    if (reason === undefined) continue;
    return reportError('osqsim simulate', osqsimError('SIM_TARGET_UNREACHABLE', { target, reason }));
  }

  // Live figures for Prometheus (k8s render annotates shard pods to be scraped on this port).
  let metricsServer: { port: number; close(): Promise<void> } | undefined;
  const live = setup.metricsPort === undefined ? undefined : new LiveMetrics({ shard: setup.shard ?? { index: 0, count: 1 }, runHosts: setup.scenario.hosts, shardHosts: shardHostCount(setup.scenario.hosts, setup.shard ?? { index: 0, count: 1 }) });
  if (live) {
    try {
      metricsServer = await serveLiveMetrics(live, setup.metricsPort!);
    } catch (error) {
      return reportError('osqsim simulate', error);
    }
    if (flags.progress !== false) process.stderr.write(`metrics on http://0.0.0.0:${metricsServer.port}/metrics\n`);
  }

  const sim = runSimulation({
    targets: setup.targets,
    scenario: setup.scenario,
    ...(setup.workers !== undefined ? { workers: setup.workers } : {}),
    connections: setup.connections,
    ...(setup.transport !== undefined ? { transport: setup.transport } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
    ...(setup.ca !== undefined ? { ca: setup.ca } : {}),
    ...(setup.shard !== undefined ? { shard: setup.shard } : {}),
    ...(setup.startAtMs !== undefined ? { runStartMs: setup.startAtMs } : {}),
    ...(setup.runId !== undefined ? { runId: setup.runId } : {}),
  });
  const tty = process.stderr.isTTY === true && flags.progress !== false;
  if (flags.progress !== false) {
    process.stderr.write(`starting ${setup.scenario.hosts} hosts on ${setup.workers ?? 'default'} worker(s) against ${setup.targets.join(', ')}${setup.startAtMs !== undefined ? ` at ${new Date(setup.startAtMs).toISOString()} (run ${setup.runId})` : ''}…\n`);
    void sim.started.then(() => process.stderr.write('workers ready; hosts starting\n'));
  }
  let lastPlain = -10;
  let shownWarnings = 0;
  if (live) sim.onWindow((window) => live.observe(window, sim.warnings.length > 0));
  sim.onWindow((window) => {
    if (flags.progress === false) return;
    const line = progressLine(window, sim.hosts);
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (window.t - lastPlain >= 10) {
      lastPlain = window.t;
      process.stderr.write(`${line}\n`);
    }
    for (; shownWarnings < sim.warnings.length; shownWarnings++) process.stderr.write(`${tty ? '\n' : ''}!! ${sim.warnings[shownWarnings]}\n`);
  });
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(EXIT.ERROR);
    interrupted = true;
    process.stderr.write('\nstopping (Ctrl-C again to quit without a result)…\n');
    sim.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await sim.done;
    if (tty) process.stderr.write('\n');
    if (flags.out) writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`);
    // --json prints one line: a shard's result is then one line of its log (kubectl logs → osqsim report merge).
    process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${summaryTable(result)}\n${flags.out ? `result written to ${flags.out}\n` : ''}`);
    return EXIT.OK;
  } catch (error) {
    process.stderr.write('\n');
    return reportError('osqsim simulate', error);
  } finally {
    await metricsServer?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Simulate osquery agents against an osquery TLS server (osqsim or Fleet)')
    .requiredOption('--target <url[,url…]>', 'server URL(s); hosts are spread over several like a round-robin load balancer')
    .option('--scenario <file>', 'scenario YAML (fleet groups, tables, agent timing, policies)')
    .option('--hosts <n>', 'number of hosts (with the built-in mixed fleet when no scenario is given)')
    .option('--duration <duration>', 'run length, e.g. 60s, 5m (overrides the scenario)')
    .option('--warmup <duration>', 'leading time excluded from the summary (kept in the windows)')
    .option('--workers <n>', 'worker threads (default: one per CPU, at most 4)')
    .option('--connections <n|elastic>', 'elastic: a keep-alive connection per request in flight, as real agents hold their own (default); n: a fixed pool per worker per target')
    .option('--transport <kind>', 'HTTP client: raw (default for http://, lighter per request) or undici (default for https://)')
    .option('--insecure', 'skip TLS certificate verification (self-signed https targets)')
    .option('--ca <file>', 'trust this PEM CA for https targets (e.g. the ca.pem of osqsim server --tls self-signed)')
    .option('--seed <n>', 'identity seed: the same seed re-uses the same hosts')
    .option('--shard <i/n>', 'run shard i of n (0-based) of one run; give every shard the same seed and hosts')
    .option('--start-at <time>', 'start t = 0 at this time (RFC 3339 or epoch ms), shared by every shard of one run')
    .option('--enroll-secret <secret>', 'enroll secret for hosts whose group has no team')
    .option('--out <file>', 'write the result JSON (osqsim.result/v1) to this file')
    .option('--json', 'print the result JSON (one line) instead of the summary')
    .option('--metrics-port <port>', 'serve this shard\'s live figures for Prometheus at :PORT/metrics (0 = any free port)')
    .option('--no-progress', 'no live progress on stderr')
    .action(async (flags: SimulateFlags) => {
      const code = await runSimulate(flags);
      process.exitCode = code;
      setTimeout(() => process.exit(code), 2_000).unref();
    });
}
