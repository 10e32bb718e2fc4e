/**
 * Idle check-in throughput: autocannon against distributed/read of pre-enrolled, idle hosts (a
 * different node key on every request) and, in the same run and the same server process, against a
 * bare fastify JSON route that parses the same body and answers the same bytes. Rounds are short
 * slices (`--duration` seconds each) alternating bare / osqsim, so the ratio holds on a noisy,
 * shared machine; the reported ratio is the median of the per-round ratios (the ratio of the mean
 * rates is printed too).
 *
 *   npx tsx bench/checkin.ts [--store memory|mysql|both] [--hosts 2000] [--duration 2] [--rounds 6]
 *                            [--connections 50] [--mysql-url mysql://root@127.0.0.1:3306/] [--json]
 *                            [--host-cache-ttl 2000] [--host-feed-interval 1000]   (ms; feed 0 = off)
 *
 * At 2000 hosts and ≈ 10 000 req/s each host is read every ≈ 0.2 s, far more often than an agent
 * (every 10 s). To see the fleet cadence, where a read comes after the short TTL expired, run
 * with --host-cache-ttl 100: with the change feed (default) entries stay valid; with
 * --host-feed-interval 0 every read is a store lookup. The table shows the cache misses
 * (= store lookups) per osqsim round.
 *
 * Budget: memory ≥ 0.6 × bare, MySQL ≥ 0.4 × bare.
 */
import { benchDatabase, load, mean, MYSQL_URL_PARAM, round, startTarget, TARGET_SERVER_PARAMS, targetServerArgs, targetCpuMicros, type LoadResult } from './common.js';
import { defineBench, durationMs, mysqlFacts, oneOf, option, positiveInt } from './harness.js';

const BUDGET: Record<string, number> = { memory: 0.6, mysql: 0.4 };

interface StoreResult {
  bare: LoadResult[];
  osqsim: LoadResult[];
  bare_rps: number;
  osqsim_rps: number;
  ratio: number;
  ratio_of_means: number;
  /** Server CPU per request, bare ÷ osqsim: the throughput ratio when the server is the bottleneck. */
  cpu_ratio: number;
  bare_cpu_us_per_request: number;
  osqsim_cpu_us_per_request: number;
  /** Hot-path cache misses (= store lookups by node key) per osqsim read. */
  misses_per_read: number;
  budget: number;
  met: boolean;
}

interface CheckinParams {
  hosts: number;
  duration_s: number;
  rounds: number;
  connections: number;
  stores: string[];
  host_cache_ttl_ms: number;
  host_feed_interval_ms: number;
  host_cache_max_age_ms: number;
}

await defineBench({
  name: 'checkin',
  description: 'Idle check-in throughput: osqsim distributed/read against a bare fastify route, interleaved rounds',
  params: {
    store: option('--store <kind>', 'memory | mysql | both', oneOf(['memory', 'mysql', 'both']), 'memory'),
    hosts: option('--hosts <n>', 'pre-enrolled idle hosts', positiveInt, '2000'),
    duration: option('--duration <duration>', 'length of each round per target (a bare number is seconds)', durationMs, '2'),
    rounds: option('--rounds <n>', 'alternating bare / osqsim rounds', positiveInt, '6'),
    connections: option('--connections <n>', 'autocannon connections', positiveInt, '50'),
    ...TARGET_SERVER_PARAMS,
    mysqlUrl: MYSQL_URL_PARAM,
  },
  async run(values, log) {
    const duration = values.duration / 1000;
    const stores = values.store === 'both' ? ['memory', 'mysql'] : [values.store];
    const results: Record<string, StoreResult> = {};
    let machine = {};
    for (const kind of stores) {
      let spec = 'memory';
      let database: Awaited<ReturnType<typeof benchDatabase>> | undefined;
      if (kind === 'mysql') {
        machine = await mysqlFacts(values.mysqlUrl);
        database = await benchDatabase(values.mysqlUrl);
        spec = database.url;
      }
      log(`[${kind}] enrolling ${values.hosts} hosts…`);
      const target = await startTarget([
        '--store', spec, '--hosts', String(values.hosts), '--policies', '20',
        ...targetServerArgs(values),
      ]);
      try {
        const bodies = target.nodeKeys.map((key) => JSON.stringify({ node_key: key }));
        const cache = async (): Promise<{ hits: number; misses: number }> =>
          (await (await fetch(`${target.bareUrl}/cache`)).json()) as { hits: number; misses: number };
        const run = async (url: string, path: string, seconds: number): Promise<LoadResult> => {
          const cacheBefore = await cache();
          const cpuBefore = await targetCpuMicros(target.bareUrl);
          const result = await load(url, path, bodies, { connections: values.connections, duration: seconds });
          const cpuAfter = await targetCpuMicros(target.bareUrl);
          const cacheAfter = await cache();
          result.cpu_us_per_request = round((cpuAfter - cpuBefore) / Math.max(1, result.requests), 1);
          result.cache_misses = cacheAfter.misses - cacheBefore.misses;
          return result;
        };
        await run(target.bareUrl, '/bare', 1); // warm-up
        await run(target.osqsimUrl, '/api/osquery/distributed/read', 1);
        const bare: LoadResult[] = [];
        const osqsim: LoadResult[] = [];
        for (let r = 0; r < values.rounds; r++) {
          // Alternate which one goes first, so neither always gets the warmer (or quieter) slot.
          if (r % 2 === 0) {
            bare.push(await run(target.bareUrl, '/bare', duration));
            osqsim.push(await run(target.osqsimUrl, '/api/osquery/distributed/read', duration));
          } else {
            osqsim.push(await run(target.osqsimUrl, '/api/osquery/distributed/read', duration));
            bare.push(await run(target.bareUrl, '/bare', duration));
          }
          log(`[${kind}] round ${r + 1}: bare ${Math.round(bare.at(-1)!.rps)} req/s, osqsim ${Math.round(osqsim.at(-1)!.rps)} req/s (${osqsim.at(-1)!.cache_misses} cache misses)`);
        }
        const bareRps = mean(bare.map((b) => b.rps));
        const osqsimRps = mean(osqsim.map((o) => o.rps));
        const pairRatios = osqsim.map((o, i) => o.rps / bare[i]!.rps).sort((a, b) => a - b);
        const middle = Math.floor(pairRatios.length / 2);
        const ratio = pairRatios.length % 2 === 1 ? pairRatios[middle]! : (pairRatios[middle - 1]! + pairRatios[middle]!) / 2;
        if ([...bare, ...osqsim].some((r) => r.non2xx > 0 || r.errors > 0)) log(`[${kind}] WARNING: non-2xx answers or errors during the run`);
        results[kind] = {
          bare,
          osqsim,
          bare_rps: round(bareRps, 0),
          osqsim_rps: round(osqsimRps, 0),
          ratio: round(ratio, 3),
          ratio_of_means: round(osqsimRps / bareRps, 3),
          bare_cpu_us_per_request: round(mean(bare.map((b) => b.cpu_us_per_request!)), 1),
          osqsim_cpu_us_per_request: round(mean(osqsim.map((o) => o.cpu_us_per_request!)), 1),
          cpu_ratio: round(mean(bare.map((b) => b.cpu_us_per_request!)) / mean(osqsim.map((o) => o.cpu_us_per_request!)), 3),
          misses_per_read: round(osqsim.reduce((s, o) => s + (o.cache_misses ?? 0), 0) / Math.max(1, osqsim.reduce((s, o) => s + o.requests, 0)), 4),
          budget: BUDGET[kind]!,
          met: ratio >= BUDGET[kind]!,
        };
      } finally {
        await target.stop();
        await database?.drop();
      }
    }

    const params: CheckinParams = {
      hosts: values.hosts,
      duration_s: duration,
      rounds: values.rounds,
      connections: values.connections,
      stores,
      host_cache_ttl_ms: values.hostCacheTtl,
      host_feed_interval_ms: values.hostFeedInterval,
      host_cache_max_age_ms: 600_000,
    };
    const ratio = Object.fromEntries(Object.entries(results).map(([kind, r]) => [kind, r.ratio]));
    return { params, results, ratio, machine };
  },
  format(doc) {
    const rows = [['store', 'target', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'non-2xx']];
    for (const [kind, r] of Object.entries(doc.results)) {
      for (const [name, runs] of [['bare fastify', r.bare], ['osqsim read', r.osqsim]] as const) {
        rows.push([kind, name, String(round(mean(runs.map((x) => x.rps)), 0)), String(round(mean(runs.map((x) => x.p50_ms)), 1)), String(round(mean(runs.map((x) => x.p99_ms)), 1)), String(round(mean(runs.map((x) => x.cpu_us_per_request!)), 1)), String(runs.reduce((s, x) => s + x.non2xx, 0))]);
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
    for (const [kind, r] of Object.entries(doc.results)) {
      lines.push(`${kind}: ratio ${r.ratio} (median of rounds; of means ${r.ratio_of_means}; server CPU per request bare/osqsim ${r.cpu_ratio}; store lookups per read ${r.misses_per_read}) (budget ≥ ${r.budget}: ${r.met ? 'met' : 'NOT met'})`);
    }
    const m = doc.machine;
    lines.push(`machine: ${m.cpus} × ${m.cpu_model}, node ${m.node}${m.innodb_buffer_pool_bytes ? `, innodb_buffer_pool_size ${m.innodb_buffer_pool_bytes}` : ''}`);
    return lines.join('\n');
  },
}).main();
