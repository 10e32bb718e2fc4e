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
 * --endpoint NAME (repeatable, a comma list, or all; capacity/checkin-endpoints.ts) measures each
 * endpoint the same way: interleaved rounds against osqsim and a bare route (bench/osquery-target.ts
 * /bare/NAME) that parses the same body and answers the bytes osqsim answered a sample request with.
 * `read` keeps its fields at the top of each store's result; every endpoint is under `endpoints`.
 *
 * Budget: memory ≥ 0.6 × bare, MySQL ≥ 0.4 × bare.
 */
import { BENCH_ENDPOINT_NAMES, benchEndpoint, endpointPath, needsOrbit, parseEndpointList, type BenchEndpointName, type EndpointHost } from '../capacity/checkin-endpoints.js';
import { benchDatabase, load, mean, MYSQL_URL_PARAM, round, startTarget, TARGET_SERVER_PARAMS, targetServerArgs, targetCpuMicros, type LoadResult } from './common.js';
import { defineBench, durationMs, mysqlFacts, oneOf, option, positiveInt, repeatable } from './harness.js';

const BUDGET: Record<string, number> = { memory: 0.6, mysql: 0.4 };
const GOAL: Record<string, number> = { memory: 0.8, mysql: 0.6 };

/** One endpoint's interleaved rounds, summarised. */
interface RoundsResult {
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
}

interface EndpointCost extends RoundsResult {
  method: string;
  path: string;
  expected_status: number;
}

interface StoreResult extends Partial<RoundsResult> {
  /** Every --endpoint measured, in the order given. */
  endpoints?: Record<string, EndpointCost>;
  /** Hot-path cache misses (= store lookups by node key) per osqsim read. */
  misses_per_read?: number;
  budget?: number;
  met?: boolean;
  /** The stricter goal for idle reads (memory ≥ 0.8 × bare, MySQL ≥ 0.6 × bare) and whether this run meets it. */
  goal?: number;
  goal_met?: boolean;
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
  endpoints: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summariseRounds(bare: LoadResult[], osqsim: LoadResult[]): RoundsResult {
  const bareRps = mean(bare.map((b) => b.rps));
  const osqsimRps = mean(osqsim.map((o) => o.rps));
  const bareCpu = mean(bare.map((b) => b.cpu_us_per_request!));
  const osqsimCpu = mean(osqsim.map((o) => o.cpu_us_per_request!));
  return {
    bare,
    osqsim,
    bare_rps: round(bareRps, 0),
    osqsim_rps: round(osqsimRps, 0),
    ratio: round(median(osqsim.map((o, i) => o.rps / bare[i]!.rps)), 3),
    ratio_of_means: round(osqsimRps / bareRps, 3),
    bare_cpu_us_per_request: round(bareCpu, 1),
    osqsim_cpu_us_per_request: round(osqsimCpu, 1),
    cpu_ratio: round(bareCpu / osqsimCpu, 3),
  };
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
    endpoint: repeatable(option('--endpoint <name>', `${BENCH_ENDPOINT_NAMES.join(' | ')} | all (repeat or comma list): each against a bare route answering the same bytes`, parseEndpointList, 'read')),
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
        ...(values.endpoint.some((name) => needsOrbit(benchEndpoint(name).prepare)) ? ['--orbit'] : []),
        ...targetServerArgs(values),
      ]);
      try {
        const cache = async (): Promise<{ hits: number; misses: number }> =>
          (await (await fetch(`${target.bareUrl}/cache`)).json()) as { hits: number; misses: number };
        const run = async (url: string, path: string | readonly string[], bodies: readonly string[], seconds: number, method = 'POST'): Promise<LoadResult> => {
          const cacheBefore = await cache();
          const cpuBefore = await targetCpuMicros(target.bareUrl);
          const result = await load(url, path, bodies, { connections: values.connections, duration: seconds, method });
          const cpuAfter = await targetCpuMicros(target.bareUrl);
          const cacheAfter = await cache();
          result.cpu_us_per_request = round((cpuAfter - cpuBefore) / Math.max(1, result.requests), 1);
          result.cache_misses = cacheAfter.misses - cacheBefore.misses;
          return result;
        };
        // The target's hosts answered every policy on enroll (idle); a write answers the first policy only (a small write).
        const hosts: EndpointHost[] = target.nodeKeys.map((nodeKey, index) => ({
          index,
          identifier: `bench-host-${index}`,
          nodeKey,
          firstQueries: target.policyIds.slice(0, 1).map((id) => `fleet_policy_query_${id}`),
          ...(target.orbitNodeKeys === undefined ? {} : { orbitNodeKey: target.orbitNodeKeys[index]! }),
        }));
        const measure = async (name: BenchEndpointName): Promise<EndpointCost> => {
          const endpoint = benchEndpoint(name);
          const bodies = hosts.map((host) => endpoint.body(host, { enrollSecret: 'bench', seed: 1 }) ?? '');
          const osqsimPath = endpointPath(endpoint, '/api/osquery');
          // Fleet Desktop's rows carry each host's token in the URL: one path per host, rotated with the bodies.
          const osqsimPaths = endpoint.hostPath === undefined ? osqsimPath : hosts.map((host) => endpointPath(endpoint, '/api/osquery', host));
          let barePath = '/bare';
          if (name !== 'read') {
            // What osqsim answers, byte for byte, becomes the bare route's answer.
            const sample = await fetch(`${target.osqsimUrl}${typeof osqsimPaths === 'string' ? osqsimPaths : osqsimPaths[0]!}`, { method: endpoint.method, headers: { 'content-type': 'application/json' }, ...(endpoint.method === 'POST' ? { body: bodies[0]! } : {}) });
            const body = await sample.text();
            if (sample.status !== endpoint.expectedStatus) throw new Error(`${name}: osqsim answered ${sample.status}, expected ${endpoint.expectedStatus}: ${body}`);
            await fetch(`${target.bareUrl}/canned/${name}`, {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ status: sample.status, type: sample.headers.get('content-type') ?? 'application/json', body, credential: endpoint.credential }),
            });
            barePath = `/bare/${name}`;
          }
          await run(target.bareUrl, barePath, bodies, 1, endpoint.method); // warm-up
          await run(target.osqsimUrl, osqsimPaths, bodies, 1, endpoint.method);
          const bare: LoadResult[] = [];
          const osqsim: LoadResult[] = [];
          for (let r = 0; r < values.rounds; r++) {
            // Alternate which one goes first, so neither always gets the warmer (or quieter) slot.
            if (r % 2 === 0) {
              bare.push(await run(target.bareUrl, barePath, bodies, duration, endpoint.method));
              osqsim.push(await run(target.osqsimUrl, osqsimPaths, bodies, duration, endpoint.method));
            } else {
              osqsim.push(await run(target.osqsimUrl, osqsimPaths, bodies, duration, endpoint.method));
              bare.push(await run(target.bareUrl, barePath, bodies, duration, endpoint.method));
            }
            log(`[${kind}] ${name} round ${r + 1}: bare ${Math.round(bare.at(-1)!.rps)} req/s, osqsim ${Math.round(osqsim.at(-1)!.rps)} req/s (${osqsim.at(-1)!.cache_misses} cache misses)`);
          }
          if ([...bare, ...osqsim].some((r) => r.non2xx > 0 || r.errors > 0)) log(`[${kind}] ${name}: WARNING: non-2xx answers or errors during the run`);
          return { method: endpoint.method, path: osqsimPath, expected_status: endpoint.expectedStatus, ...summariseRounds(bare, osqsim) };
        };
        const endpoints: Record<string, EndpointCost> = {};
        for (const name of values.endpoint) endpoints[name] = await measure(name);
        const read = endpoints['read'];
        const result: StoreResult = {};
        if (read !== undefined) {
          const { method: _method, path: _path, expected_status: _status, ...rounds } = read;
          Object.assign(result, rounds, {
            misses_per_read: round(read.osqsim.reduce((s, o) => s + (o.cache_misses ?? 0), 0) / Math.max(1, read.osqsim.reduce((s, o) => s + o.requests, 0)), 4),
            budget: BUDGET[kind]!,
            met: read.ratio >= BUDGET[kind]!,
            goal: GOAL[kind]!,
            goal_met: read.ratio >= GOAL[kind]!,
          });
        }
        if (values.endpoint.length > 1 || read === undefined) result.endpoints = endpoints;
        results[kind] = result;
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
      endpoints: [...values.endpoint],
    };
    const ratio = Object.fromEntries(Object.entries(results).flatMap(([kind, r]) => (r.ratio === undefined ? [] : [[kind, r.ratio]])));
    return { params, results, ratio, machine };
  },
  format(doc) {
    const rows = [['store', 'target', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'non-2xx']];
    const row = (kind: string, name: string, runs: LoadResult[]): string[] => [kind, name, String(round(mean(runs.map((x) => x.rps)), 0)), String(round(mean(runs.map((x) => x.p50_ms)), 1)), String(round(mean(runs.map((x) => x.p99_ms)), 1)), String(round(mean(runs.map((x) => x.cpu_us_per_request!)), 1)), String(runs.reduce((s, x) => s + x.non2xx, 0))];
    for (const [kind, r] of Object.entries(doc.results)) {
      if (r.bare && r.osqsim) rows.push(row(kind, 'bare fastify', r.bare), row(kind, 'osqsim read', r.osqsim));
      for (const [name, e] of Object.entries(r.endpoints ?? {})) {
        if (name !== 'read') rows.push(row(kind, `bare ${name}`, e.bare), row(kind, `osqsim ${name}`, e.osqsim));
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)));
    const lines = rows.map((cells) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
    for (const [kind, r] of Object.entries(doc.results)) {
      if (r.ratio !== undefined) {
        lines.push(`${kind}: ratio ${r.ratio} (median of rounds; of means ${r.ratio_of_means}; server CPU per request bare/osqsim ${r.cpu_ratio}; store lookups per read ${r.misses_per_read}) (budget ≥ ${r.budget}: ${r.met ? 'met' : 'NOT met'}; goal ≥ ${r.goal}: ${r.goal_met ? 'met' : 'NOT met'})`);
      }
      for (const [name, e] of Object.entries(r.endpoints ?? {})) {
        lines.push(`${kind} ${name}: ratio ${e.ratio} (of means ${e.ratio_of_means}), server CPU µs/req osqsim ${e.osqsim_cpu_us_per_request} vs bare ${e.bare_cpu_us_per_request} (bare/osqsim ${e.cpu_ratio})`);
      }
    }
    const m = doc.machine;
    lines.push(`machine: ${m.cpus} × ${m.cpu_model}, node ${m.node}${m.innodb_buffer_pool_bytes ? `, innodb_buffer_pool_size ${m.innodb_buffer_pool_bytes}` : ''}`);
    return lines.join('\n');
  },
}).main();
