/**
 * Resident memory of the simulated agents per host, after they ran osquery's rules for a while on a
 * fake clock (no sockets): heap + array buffers after GC, divided by the hosts, against the process
 * before the agents (and their group's SQLite answers, recorder and wheel) were created. Two cases: a healthy server (config with a schedule of 5
 * queries, one policy per hour) and a server whose writes all fail (every host retains its results
 * and its logger backs off).
 *
 *   node --expose-gc --import tsx bench/agent-memory.ts [--hosts 50000] [--json]
 *
 * There is no baseline in the run (the agent before osquery's rules is not in this tree): the
 * figure is set against the goal of 2 KB per host.
 */
import { AgentPopulation, PATHS } from '../simulator/agent.js';
import { AnswerModel } from '../simulator/fleet/answers.js';
import { FleetEvaluator, loadSqlJs } from '../simulator/fleet/evaluator.js';
import { loadEnvironment } from '../simulator/fleet/environment.js';
import { GroundTruth } from '../simulator/fleet/truth.js';
import { assignGroups, groupCounts, workerSlice } from '../simulator/identity.js';
import { Recorder } from '../simulator/recorder.js';
import { TimingWheel } from '../simulator/timing-wheel.js';
import { classifyStatus, type Exchange } from '../simulator/transport/exchange.js';
import type { BodySource } from '../simulator/transport/transport.js';
import { validateScenario } from '../scenarios/schema/scenario.js';

interface SentRequest {
  endpoint: string;
  index: number;
}

import { defineBench, option, positiveInt } from './harness.js';

const GOAL_BYTES_PER_HOST = 2048;
const gc = (globalThis as { gc?: () => void }).gc;

function resident(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const schedule = Object.fromEntries([10, 60, 300, 600, 3600].map((i) => [`q${i}`, { query: 'SELECT 1 AS v', interval: i, snapshot: true }]));

const ENDPOINT_OF = new Map<string, string>(Object.entries(PATHS).map(([name, path]): [string, string] => [path, name]));

/** The agents on a fake clock against a scripted in-process server (no sockets). */
async function measure(hosts: number, writesFail: boolean, auth: 'body' | 'body-and-header' = 'body-and-header'): Promise<{ bytesPerHost: number; cpuUsPerRequest: number }> {
  const SQL = await loadSqlJs();
  const checked = validateScenario({
    hosts,
    fleet: { groups: [{ name: 'mac', count: hosts, platform: 'darwin', os_version: '14.4' }] },
    agent: { start_period: '10s', startup_status_lines: 3, status_lines_per_hour: 6, node_key_auth: auth },
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  const s = checked.scenario;
  const t0 = 1_767_225_600_000;
  let clock = t0;
  const counts = new Map<string, number>();
  const pending: Array<{ exchange: Exchange; status: number; body: string }> = [];
  const reply = (r: SentRequest): { status: number; body: unknown } => {
    if (r.endpoint === 'enroll') return { status: 200, body: { node_key: `key-${r.index}-${'k'.repeat(24)}` } };
    if (r.endpoint === 'config') return { status: 200, body: { options: { distributed_interval: 10, logger_tls_period: 10 }, schedule } };
    if (r.endpoint === 'read') return { status: 200, body: r.index < hosts ? { queries: { fleet_policy_query_1: 'SELECT 1', fleet_detail_query_os_version: 'SELECT 1 AS version' }, discovery: {} } : { queries: {}, discovery: {} } };
    if ((r.endpoint === 'write' || r.endpoint === 'log') && writesFail) return { status: 500, body: { error: 'down' } };
    return { status: 200, body: {} };
  };
  const before = resident();
  const evaluator = new FleetEvaluator(SQL, s.fleet.groups, loadEnvironment());
  const recorder = new Recorder();
  const wheel = new TimingWheel(t0);
  const agents = new AgentPopulation({
    seed: s.seed,
    slice: workerSlice(s.hosts, { index: 0, count: 1 }, 0, 1),
    groupOf: assignGroups(groupCounts(s.fleet.groups, s.hosts)),
    groups: s.fleet.groups,
    agent: s.agent,
    enrollSecret: s.enroll_secret,
    runStartMs: t0,
    totalActiveHosts: s.hosts,
    wheel,
    transport: {
      targetCount: 1,
      post(_target: number, path: string, source: BodySource, exchange: Exchange): void {
        if (typeof source === 'function') source();
        const endpoint = ENDPOINT_OF.get(path)!;
        const index = counts.get(endpoint) ?? 0;
        counts.set(endpoint, index + 1);
        const r = reply({ endpoint, index });
        pending.push({ exchange, status: r.status, body: JSON.stringify(r.body) });
      },
    },
    recorder,
    answers: new AnswerModel(evaluator, s.fleet, s.policies, s.seed),
    truth: new GroundTruth(s.hosts),
    queryTimeMs: s.fleet.query_time_ms,
    clock: () => clock,
  });
  agents.setActive(s.hosts, s.hosts, t0);
  let cpuAt60s: NodeJS.CpuUsage | undefined;
  let requestsAt60s = 0;
  let requests = 0;
  for (; clock < t0 + 120_000; clock += 50) {
    if (cpuAt60s === undefined && clock >= t0 + 60_000) {
      cpuAt60s = process.cpuUsage();
      requestsAt60s = requests;
    }
    for (let round = 0; round < 100; round++) {
      const batch = pending.splice(0);
      requests += batch.length;
      for (const p of batch) p.exchange.complete(classifyStatus(p.status), p.status, p.body, clock);
      const fired = wheel.drain(clock, 1_000_000, (e) => agents.fire(e));
      if (batch.length === 0 && fired === 0) break;
    }
  }
  // Steady state (the second minute): CPU of the agents and the in-process fake server per request.
  const cpu = process.cpuUsage(cpuAt60s);
  const cpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, requests - requestsAt60s);
  const after = resident();
  const perHost = (after - before) / hosts;
  if (agents.enrolled !== hosts) throw new Error(`only ${agents.enrolled} of ${hosts} hosts enrolled`);
  recorder.destroy();
  evaluator.close();
  return { bytesPerHost: perHost, cpuUsPerRequest };
}

interface Results {
  bytes_per_host_healthy: number;
  bytes_per_host_failing_writes: number;
  /** Steady-state CPU µs per request (agents + in-process fake server), body-only vs body + NodeKey header, best of the rounds. */
  cpu_us_per_request_body: number;
  cpu_us_per_request_body_and_header: number;
  goal_bytes_per_host: number;
  seconds: number;
}

await defineBench({
  name: 'agent-memory',
  description: 'resident bytes per simulated host after 2 minutes of osquery rules on a fake clock (healthy server; failing writes and logs)',
  params: {
    hosts: option('--hosts <n>', 'hosts in the one worker (memory)', positiveInt, '50000'),
    cpuHosts: option('--cpu-hosts <n>', 'hosts for the CPU rounds', positiveInt, '20000'),
    rounds: option('--rounds <n>', 'interleaved CPU rounds per auth mode', positiveInt, '2'),
  },
  async run(values, progress) {
    if (!gc) throw new Error('run with node --expose-gc --import tsx bench/agent-memory.ts');
    const started = Date.now();
    progress('healthy server …');
    const healthy = await measure(values.hosts, false);
    progress('failing writes and logs …');
    const failing = await measure(values.hosts, true);
    // The header's cost on the agent side: body-only vs body + header, interleaved rounds, best of each.
    const body: number[] = [];
    const header: number[] = [];
    for (let round = 0; round < values.rounds; round++) {
      progress(`CPU round ${round + 1}/${values.rounds} …`);
      body.push((await measure(values.cpuHosts, false, 'body')).cpuUsPerRequest);
      header.push((await measure(values.cpuHosts, false, 'body-and-header')).cpuUsPerRequest);
    }
    const best = (xs: number[]): number => Math.round(Math.min(...xs) * 100) / 100;
    const results: Results = {
      bytes_per_host_healthy: Math.round(healthy.bytesPerHost),
      bytes_per_host_failing_writes: Math.round(failing.bytesPerHost),
      cpu_us_per_request_body: best(body),
      cpu_us_per_request_body_and_header: best(header),
      goal_bytes_per_host: GOAL_BYTES_PER_HOST,
      seconds: (Date.now() - started) / 1000,
    };
    return { params: { hosts: values.hosts, cpu_hosts: values.cpuHosts, rounds: values.rounds, simulated_s: 120 }, results, ratio: { cpu_header_vs_body: Math.round((best(header) / best(body)) * 100) / 100 } };
  },
  format(doc) {
    const r = doc.results;
    const verdict = (b: number): string => (b <= GOAL_BYTES_PER_HOST ? 'met' : 'not met');
    return [
      `hosts ${doc.params.hosts}, ${doc.params.simulated_s} s simulated`,
      `healthy server:        ${r.bytes_per_host_healthy} B/host (${verdict(r.bytes_per_host_healthy)}: ≤ ${GOAL_BYTES_PER_HOST})`,
      `failing writes + logs: ${r.bytes_per_host_failing_writes} B/host (${verdict(r.bytes_per_host_failing_writes)})`,
      `CPU per request (agents + fake server, steady state): body ${r.cpu_us_per_request_body} µs, body + NodeKey header ${r.cpu_us_per_request_body_and_header} µs (×${(doc.ratio as Record<string, number> | undefined)?.cpu_header_vs_body})`,
      `${r.seconds} s`,
      '',
    ].join('\n');
  },
}).main();
