/**
 * The Kubernetes path run locally, end to end: `osqsim k8s render` output is parsed, the server
 * Deployment's command and the simulator Job's command for every completion index are run as local
 * processes (with JOB_COMPLETION_INDEX and the Secret's values as env, `$(VAR)` expanded the way the
 * kubelet does), their logs are collected the way `kubectl logs --prefix` prints them, and
 * `osqsim report merge` reads the shard results out of that log. The merge must be exact: every host
 * enrolled once on the server, counts adding up, percentiles those of one histogram of all samples.
 * Each shard also writes its file into the results volume (a local folder here), which merges the same.
 * While the shards run, one shard's /metrics and the server's /metrics pass `promtool check metrics`
 * (when promtool is installed: Debian's `prometheus` package, installed by .ci/run).
 *
 * Only what a cluster provides differently is substituted, each named below: the Service DNS name
 * (a loopback URL), the ports (each pod has its own IP; local processes share one), and the store
 * (the Secret's mysql:// URL → the memory store of one server process).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { mergeCommand } from '../../cli/report.js';
import { renderOptionsFromFlags } from '../../deploy/k8s/options.js';
import { renderYaml } from '../../deploy/k8s/render.js';
import { FleetApi } from '../../contract/fleet-rest.js';
import { createHistogram, mergeInto, percentilesMs } from '../../lib/histogram.js';
import type { ResultDocument } from '../../contract/result.js';
import { ENDPOINTS } from '../../contract/vocabulary.js';
import { expandKubernetesArgs, promtoolCheck, promtoolPath } from './support.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'osqsim.js');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function setFlag(argv: string[], flag: string, value: string): string[] {
  const index = argv.indexOf(flag);
  expect(index, `${flag} in ${argv.join(' ')}`).toBeGreaterThanOrEqual(0);
  return [...argv.slice(0, index + 1), value, ...argv.slice(index + 2)];
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no answer from ${url}/healthz within ${timeoutMs} ms`);
}

const HOSTS = 45;
const SHARDS = 3;

describe('the rendered Indexed Job, run locally', () => {
  it('runs one process per completion index; report merge reads their logs and merges exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-k8s-local-'));
    // All hosts enrol in the first second and check in every 2 s, so a short run covers every host.
    const scenarioFile = join(dir, 'scenario.yaml');
    writeFileSync(scenarioFile, 'name: k8s-local\nfleet: builtin\nagent: { distributed_interval: 2s, start_period: 1s }\n');
    const options = renderOptionsFromFlags({ hosts: String(HOSTS), shards: String(SHARDS), image: 'osqsim:local', startIn: '1s', duration: '6s', workers: '1', scenario: scenarioFile, resultsClaim: 'osqsim-results' });
    const objects = parseAllDocuments(renderYaml(options)).map((d) => d.toJS()).filter(Boolean) as Array<{ kind: string; spec: any; stringData?: Record<string, string>; data?: Record<string, string> }>;
    const secret = objects.find((o) => o.kind === 'Secret')!.stringData!;
    const config = objects.find((o) => o.kind === 'ConfigMap')!.data!;
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(job.spec.completions).toBe(SHARDS);

    // The ConfigMap mounted at /etc/osqsim → a local folder.
    const configDir = join(dir, 'etc-osqsim');
    spawnSync('mkdir', ['-p', configDir]);
    for (const [name, text] of Object.entries(config)) writeFileSync(join(configDir, name), text);
    // The results volume (a ReadWriteMany claim mounted at /results in every pod) → one local folder.
    const resultsDir = join(dir, 'results-volume');
    spawnSync('mkdir', ['-p', resultsDir]);
    const local = (argv: string[]): string[] => argv.map((a) => a.replace('/etc/osqsim/', `${configDir}/`).replace(/^\/results\//, `${resultsDir}/`));

    // The server pod: its command, with a free loopback port and the memory store for the Secret's MySQL.
    const serverPort = await freePort();
    const serverEnv = { OSQSIM_STORE_URL: 'memory', OSQSIM_ENROLL_SECRET: secret['enroll-secret']!, OSQSIM_API_TOKEN: secret['api-token']! };
    let serverArgv = expandKubernetesArgs(deployment.spec.template.spec.containers[0].args, serverEnv);
    serverArgv = setFlag(setFlag(local(serverArgv), '--port', String(serverPort)), '--host', '127.0.0.1');
    const server = spawn(process.execPath, [bin, ...serverArgv], { env: { ...process.env, ...serverEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(server);
    const serverUrl = `http://127.0.0.1:${serverPort}`;
    await waitForHealth(serverUrl, 30_000);

    // The Job's pods, started together: the rendered --start-at is replaced by one a few seconds ahead, shared
    // by every shard (as the rendered one is when the Job is created just after rendering); 25 s covers tsx loading the CLI on a loaded machine.
    const startAt = new Date(Date.now() + 25_000).toISOString();
    const metricsPorts: number[] = [];
    const logs: string[] = [];
    const running = Promise.all(
      Array.from({ length: SHARDS }, async (_, index) => {
        const env = { JOB_COMPLETION_INDEX: String(index), OSQSIM_ENROLL_SECRET: secret['enroll-secret']! };
        let argv = expandKubernetesArgs(job.spec.template.spec.containers[0].args, env);
        argv = setFlag(local(argv), '--target', serverUrl);
        metricsPorts[index] = await freePort();
        argv = setFlag(argv, '--metrics-port', String(metricsPorts[index]));
        argv = setFlag(argv, '--start-at', startAt);
        expect(argv[argv.indexOf('--shard') + 1]).toBe(`${index}/${SHARDS}`);
        const child = spawn(process.execPath, [bin, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(child);
        // kubectl logs --prefix: stdout and stderr of the pod, each line behind the pod's name.
        const prefix = `[pod/osqsim-simulator-${index}-x7k2q/simulator] `;
        // One partial-line buffer per stream (kubectl interleaves whole lines): with a shared one, a
        // stderr chunk landing inside a large result line on stdout broke it (a CI run under load
        // lost a shard's result document that way).
        const buffered = { stdout: '', stderr: '' };
        const collect = (stream: keyof typeof buffered) => (chunk: Buffer): void => {
          buffered[stream] += chunk.toString();
          const lines = buffered[stream].split('\n');
          buffered[stream] = lines.pop()!;
          for (const line of lines) logs.push(prefix + line);
        };
        child.stdout!.on('data', collect('stdout'));
        child.stderr!.on('data', collect('stderr'));
        return new Promise<number | null>((resolve) =>
          child.on('close', (code) => {
            for (const rest of Object.values(buffered)) if (rest !== '') logs.push(prefix + rest);
            resolve(code);
          }),
        );
      }),
    );

    // While the shards run: a shard's live figures and the server's /metrics, as Prometheus would scrape them.
    let shardMetrics = '';
    // Generous on a loaded machine: the shards start at --start-at, after tsx has loaded the CLI.
    const until = Date.now() + 60_000;
    while (!/osqsim_sim_requests_total\{endpoint="read"\} [1-9]/.test(shardMetrics) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      shardMetrics = await fetch(`http://127.0.0.1:${metricsPorts[0]}/metrics`).then((r) => r.text(), () => '');
    }
    const serverMetrics = await fetch(`${serverUrl}/metrics`).then((r) => r.text());
    expect(shardMetrics, `shard 0's /metrics; the pods' last log lines:\n${logs.slice(-30).join('\n')}`).toMatch(/osqsim_sim_request_latency_seconds_bucket\{endpoint="read",le="\+Inf"\} [1-9]/);
    expect(shardMetrics).toContain('osqsim_sim_info{run_hosts="45",shard="0",shards="3"} 1');
    expect(serverMetrics).toContain('osqsim_http_request_duration_seconds_bucket');
    if (promtoolPath() !== undefined) {
      for (const text of [shardMetrics, serverMetrics]) expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    } else console.warn('promtool not installed (apt-get install prometheus): promtool check metrics skipped');
    const pods = await running;
    expect(pods).toEqual(Array(SHARDS).fill(0));
    const logFile = join(dir, 'shards.log');
    // What else a pod's log holds: the Node warnings and JSON log lines a collector interleaves.
    logs.splice(1, 0, '[pod/osqsim-simulator-0-x7k2q/simulator] (node:7) Warning: something unrelated', '[pod/osqsim-simulator-2-x7k2q/simulator] {"level":30,"msg":"a JSON log line"}');
    writeFileSync(logFile, `${logs.join('\n')}\n`);
    const shardDocs = logs.filter((l) => l.includes('{"schema":"osqsim.result/v1"')).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as ResultDocument);
    expect(shardDocs).toHaveLength(SHARDS);

    const out: string[] = [];
    const err: string[] = [];
    expect(mergeCommand([logFile], join(dir, 'merged.json'), (t) => out.push(t), (t) => err.push(t)), err.join('')).toBe(0);
    const merged = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as ResultDocument;

    // Every host exactly once: the server saw HOSTS distinct hosts, the shards together enrolled HOSTS.
    const api = new FleetApi(serverUrl, secret['api-token']!);
    expect((await api.hosts()).length).toBe(HOSTS);
    expect(merged.run.hosts).toBe(HOSTS);
    expect(shardDocs.map((d) => d.run.shard!.index).sort()).toEqual([0, 1, 2]);
    expect(merged.endpoints.enroll!.count).toBe(HOSTS);
    // Counts add; percentiles are those of one histogram of every shard's samples.
    for (const name of ENDPOINTS) {
      const parts = shardDocs.map((d) => d.endpoints[name]).filter((e) => e !== undefined);
      if (parts.length === 0) continue;
      expect(merged.endpoints[name]!.count, name).toBe(parts.reduce((s, p) => s + p.count, 0));
      const all = createHistogram();
      for (const p of parts) mergeInto(all, p.histogram);
      const { max: _max, ...exact } = percentilesMs(all);
      expect(merged.endpoints[name]!.latency_ms, name).toMatchObject(exact);
      all.destroy();
    }
    expect(merged.endpoints.read!.count).toBeGreaterThanOrEqual(HOSTS);
    const truth = merged.policies.reduce((s, p) => s + p.truth.passing + p.truth.failing + p.truth.unknown, 0);
    expect(truth).toBe(shardDocs.reduce((s, d) => s + d.policies.reduce((t, p) => t + p.truth.passing + p.truth.failing + p.truth.unknown, 0), 0));

    // The same run read from the results volume instead of the logs: the same merge.
    expect(mergeCommand([resultsDir], join(dir, 'from-volume.json'), () => undefined, (t) => err.push(t)), err.join('')).toBe(0);
    const fromVolume = JSON.parse(readFileSync(join(dir, 'from-volume.json'), 'utf8')) as ResultDocument;
    expect(fromVolume.endpoints).toEqual(merged.endpoints);
    expect(fromVolume.run.hosts).toBe(HOSTS);

    // A missing shard is refused, naming it; --allow-missing merges the rest.
    const twoShards = join(dir, 'two.log');
    writeFileSync(twoShards, logs.filter((l) => !l.startsWith('[pod/osqsim-simulator-1-')).join('\n'));
    const err2: string[] = [];
    expect(mergeCommand([twoShards], join(dir, 'm2.json'), () => undefined, (t) => err2.push(t))).toBe(2);
    expect(err2.join('')).toMatch(/shard 1 of 3 missing/);
    expect(mergeCommand([twoShards], join(dir, 'm2.json'), () => undefined, () => undefined, { allowMissing: true })).toBe(0);
    server.kill('SIGTERM');
  }, 120_000);
});
