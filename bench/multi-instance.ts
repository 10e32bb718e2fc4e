/**
 * bench/multi-instance.ts — what a load balancer costs and what more instances buy (issue 15).
 *
 * The same fleet (bench/multi-instance.yaml) at the same host count, one `osqsim run` per
 * configuration, each on a freshly created MySQL database, the simulator always as the same number of
 * shard processes (so the generator is the same):
 *   1             one instance, no load balancer (the baseline)
 *   1+haproxy     one instance behind HAProxy (what the balancer costs)
 *   3+haproxy     three instances behind HAProxy (what more instances buy)
 * Reported per configuration: hosts, osquery req/s, read and write p99, errors, the deployment's
 * server CPU (mean, summed over instances) and each instance's mean CPU and request share.
 * ratio = read p99 of each configuration ÷ the one-instance baseline's, measured in the same run.
 *
 *   npx tsx bench/multi-instance.ts [--hosts 3000] [--duration 60s] [--warmup 20s] \
 *     [--configs 1,1+haproxy,3+haproxy] [--processes 2] [--store mysql://root@127.0.0.1:3306/osqsim_bench_multi] [--json]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { headline } from '../reports/headline.js';
import { readScenario } from '../scenarios/read.js';
import { runScenario } from '../scenarios/runner.js';
import { freshDatabase } from './fresh-database.js';

import { defineBench, durationMs, mysqlFacts, option, positiveInt, text } from './harness.js';

const CONFIGS = ['1', '1+haproxy', '2+haproxy', '3+haproxy', '3'] as const;
type Config = (typeof CONFIGS)[number];

interface ConfigResult {
  config: Config;
  instances: number;
  load_balancer: 'haproxy' | 'none';
  hosts: number;
  req_per_s: number;
  read_p99_ms: number;
  write_p99_ms: number;
  errors: number;
  /** Mean over the measured window (after warm-up), summed over instances; % of one core. */
  server_cpu_mean_pct: number;
  /** Peak 1 s sample of the deployment's CPU (summed over instances). */
  server_cpu_max_pct: number;
  instance_cpu_mean_pct: number[];
  instance_request_share: number[];
  generator_saturated: boolean;
  load_average_1m: number;
}

function parseConfig(config: string): { instances: number; loadBalancer: 'haproxy' | 'none' } {
  const match = /^(\d+)(\+haproxy)?$/.exec(config);
  if (!match) throw new Error(`--configs: ${config} is not N or N+haproxy`);
  return { instances: Number(match[1]), loadBalancer: match[2] ? 'haproxy' : 'none' };
}


await defineBench({
  name: 'multi-instance',
  description: 'One instance vs instances behind HAProxy at the same host count, simulator as shard processes, on MySQL',
  params: {
    hosts: option('--hosts <n>', 'hosts of every configuration', positiveInt, '3000'),
    duration: option('--duration <duration>', 'run length of each configuration', durationMs, '60s'),
    warmup: option('--warmup <duration>', 'excluded start of each run', durationMs, '20s'),
    configs: option('--configs <list>', 'comma list of N or N+haproxy (the first is the baseline)', text, '1,1+haproxy,3+haproxy'),
    processes: option('--processes <n>', 'simulator shard processes', positiveInt, '2'),
    store: option('--store <url>', 'MySQL database (dropped and created before each configuration)', text, 'mysql://root@127.0.0.1:3306/osqsim_bench_multi'),
  },
  async run(values, log) {
    const configs = values.configs.split(',').map((c) => c.trim()) as Config[];
    const baseFile = resolve('bench/multi-instance.yaml');
    const base = parse(readFileSync(baseFile, 'utf8')) as Record<string, unknown>;
    // The scenario is rewritten into a temporary folder: its policy file's path must not depend on where.
    if (typeof base.policies === 'string') base.policies = resolve(dirname(baseFile), base.policies);
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-bench-multi-'));
    const results: ConfigResult[] = [];
    try {
      for (const config of configs) {
        const { instances, loadBalancer } = parseConfig(config);
        await freshDatabase(values.store);
        const file = join(dir, `${config}.yaml`);
        const server = { ...(base.server as Record<string, unknown>), store: values.store, instances, load_balancer: loadBalancer };
        writeFileSync(file, stringify({ ...base, hosts: values.hosts, duration: `${values.duration}ms`, warmup: `${values.warmup}ms`, server, simulator: { processes: values.processes } }));
        const loaded = readScenario(file);
        if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.path} ${i.message}`).join('; '));
        log(`${config}: ${values.hosts} hosts for ${values.duration / 1000}s`);
        const outcome = await runScenario({ scenario: loaded.scenario, scenarioFile: file, outDir: dir, log: (line) => log(`  ${line}`) });
        const doc = outcome.runs[0]!.doc;
        const h = headline(doc);
        const measured = (doc.server?.samples ?? []).filter((s) => s.t >= doc.run.warmup_s);
        const deployment = doc.deployment;
        // One instance without a balancer has no per-instance rows: the server is the one instance.
        const instancesOf = deployment && deployment.instances.length > 0 ? deployment.instances : undefined;
        const total = instancesOf?.reduce((s, i) => s + i.requests, 0) ?? 0;
        const serverCpu = measured.length ? Math.round((measured.reduce((s, x) => s + x.cpu_pct, 0) / measured.length) * 10) / 10 : 0;
        results.push({
          config,
          instances,
          load_balancer: loadBalancer,
          hosts: doc.run.hosts,
          req_per_s: Math.round(h.total.rate_per_s),
          read_p99_ms: h.endpoints.find((e) => e.endpoint === 'read')?.p99 ?? 0,
          write_p99_ms: h.endpoints.find((e) => e.endpoint === 'write')?.p99 ?? 0,
          errors: h.total.errors,
          server_cpu_mean_pct: serverCpu,
          server_cpu_max_pct: measured.length ? Math.max(...measured.map((x) => x.cpu_pct)) : 0,
          instance_cpu_mean_pct: instancesOf?.map((i) => i.cpu_pct_mean) ?? [serverCpu],
          instance_request_share: instancesOf?.map((i) => (total > 0 ? Math.round((i.requests / total) * 1000) / 10 : 0)) ?? [100],
          generator_saturated: doc.generator.saturated,
          load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const baseline = results[0]!;
    const ratio = Object.fromEntries(results.slice(1).map((r) => [r.config, baseline.read_p99_ms > 0 ? Math.round((r.read_p99_ms / baseline.read_p99_ms) * 100) / 100 : 0]));
    return { params: { hosts: values.hosts, duration_s: values.duration / 1000, warmup_s: values.warmup / 1000, processes: values.processes, configs }, results, ratio, machine: await mysqlFacts(values.store).catch(() => ({})) };
  },
  format(doc) {
    const header = ['config', 'hosts', 'req/s', 'read p99', 'write p99', 'errors', 'server CPU mean / max', 'per-instance CPU', 'request share', 'load'];
    const rows = doc.results.map((r) => [
      r.config,
      String(r.hosts),
      String(r.req_per_s),
      `${r.read_p99_ms.toFixed(1)} ms`,
      `${r.write_p99_ms.toFixed(1)} ms`,
      String(r.errors),
      `${r.server_cpu_mean_pct}% / ${r.server_cpu_max_pct}%`,
      r.instance_cpu_mean_pct.map((c) => `${c.toFixed(0)}%`).join(' / '),
      r.instance_request_share.map((s) => `${s}%`).join(' / '),
      String(r.load_average_1m),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    return [
      `multi-instance: ${doc.params.hosts} hosts, ${doc.params.duration_s}s (warm-up ${doc.params.warmup_s}s), ${doc.params.processes} simulator processes; ${doc.machine.cpus} × ${doc.machine.cpu_model}`,
      line(header),
      ...rows.map(line),
      `read p99 ÷ ${doc.results[0]?.config}: ${JSON.stringify(doc.ratio)}`,
      ...(doc.results.some((r) => r.generator_saturated) ? ['WARNING: the generator saturated in at least one configuration'] : []),
    ].join('\n');
  },
}).main();
