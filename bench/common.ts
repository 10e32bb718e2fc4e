/** Shared by bench/checkin.ts and bench/ingest.ts: the target child process, load loops, a throwaway database. */
import { headClosedLoop, quantile } from '../capacity/head-loop.js';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';
import { Pool as HttpPool } from 'undici';
import { nonNegativeInt, option, positiveInt, text } from './harness.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The target server's hot-path and ingest knobs, given to bench/osquery-target.ts by checkin.ts and ingest.ts. */
export const TARGET_SERVER_PARAMS = {
  hostCacheTtl: option('--host-cache-ttl <ms>', "target: the hot-path cache's fallback entry age (ms)", nonNegativeInt, '2000'),
  hostFeedInterval: option('--host-feed-interval <ms>', 'target: change-feed poll period (ms; 0 = no feed)', nonNegativeInt, '1000'),
  ingestPoolSize: option('--ingest-pool-size <connections>', 'target: MySQL connections kept for ingest commits', positiveInt, '4'),
  ingestConcurrentCommits: option('--ingest-concurrent-commits <batches>', 'target: group-commit batches committed at once', positiveInt, '4'),
};

export function targetServerArgs(values: { hostCacheTtl: number; hostFeedInterval: number; ingestPoolSize: number; ingestConcurrentCommits: number }): string[] {
  return [
    '--host-cache-ttl', String(values.hostCacheTtl),
    '--host-feed-interval', String(values.hostFeedInterval),
    '--ingest-pool-size', String(values.ingestPoolSize),
    '--ingest-concurrent-commits', String(values.ingestConcurrentCommits),
  ];
}

/** The MySQL server a benchmark creates its throwaway database on. */
export const MYSQL_URL_PARAM = option(
  '--mysql-url <url>',
  'MySQL server (a fresh database is created and dropped)',
  text,
  process.env.OSQSIM_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/',
);

export interface Target {
  readonly osqsimUrl: string;
  readonly bareUrl: string;
  readonly nodeKeys: string[];
  readonly hostIds: number[];
  readonly policyIds: number[];
  /** With --queries: the global scheduled queries' ids. */
  readonly queryIds: number[];
  /** With --orbit: each host's orbit node key (its device token set: deviceTokenOf in capacity/checkin-endpoints.ts). */
  readonly orbitNodeKeys?: string[];
  stop(): Promise<void>;
}

export async function startTarget(args: string[]): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/osquery-target.ts', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Omit<Target, 'stop'>>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      // The server's own log lines share stdout; the ready line is the one with the URLs.
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('{"osqsimUrl"')) resolve(JSON.parse(line) as Omit<Target, 'stop'>);
      }
    });
    child.once('exit', (code) => reject(new Error(`benchmark target exited with ${code} before it was ready`)));
  });
  return {
    ...ready,
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LoadResult {
  readonly rps: number;
  /** Target process CPU time per answered request (µs), when measured. */
  cpu_us_per_request?: number;
  /** Hot-path cache misses (store lookups) during the run, when measured. */
  cache_misses?: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly duration_s: number;
}

/**
 * POSTs bodies[i++ % n] to url+path (path[i % n] when per-request paths are given); by duration
 * (seconds) or a fixed amount of requests. HEAD runs through capacity/head-loop.ts (duration only):
 * autocannon never completes a body-less HEAD answer.
 */
export async function load(
  url: string,
  path: string | readonly string[],
  bodies: readonly string[],
  options: { connections: number; duration?: number; amount?: number; method?: string },
): Promise<LoadResult> {
  const paths = typeof path === 'string' ? [path] : path;
  if (options.method === 'HEAD') {
    const run = await headClosedLoop({ origin: url, paths, connections: options.connections, durationMs: (options.duration ?? 5) * 1000 });
    const ok = Object.entries(run.statusCodes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? count : 0), 0);
    return { rps: run.total / run.durationS, p50_ms: quantile(run.latenciesMs, 0.5), p99_ms: quantile(run.latenciesMs, 0.99), requests: run.total, non2xx: run.total - ok, errors: run.errors, duration_s: run.durationS };
  }
  let next = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    requests: [
      {
        method: (options.method ?? 'POST') as 'POST',
        path: paths[0]!,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const i = next++;
          return { ...request, body: bodies[i % bodies.length]!, ...(paths.length > 1 ? { path: paths[i % paths.length]! } : {}) };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    duration_s: result.duration,
  };
}

/**
 * A closed loop of `connections` keep-alive connections POSTing bodies[0..amount) once each (each
 * connection sends its next request when the previous answer arrived). Unlike autocannon's
 * `amount` mode, whose end is only noticed at its 1-second sampling tick (2 000 requests that take
 * 1.1 s are reported as 2 s), the duration is measured from the first request to the last answer.
 */
export async function closedLoop(
  url: string,
  path: string,
  bodies: readonly string[],
  options: { connections: number; amount?: number },
): Promise<{ seconds: number; requests: number; non2xx: number; errors: number }> {
  const amount = options.amount ?? bodies.length;
  const pool = new HttpPool(url, { connections: options.connections, pipelining: 1 });
  let next = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < amount) {
      const body = bodies[next++ % bodies.length]!;
      try {
        const response = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } });
        await response.body.dump();
        if (response.statusCode < 200 || response.statusCode >= 300) non2xx++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { seconds, requests: amount, non2xx, errors };
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** CPU time (µs) the target process has used so far. */
export async function targetCpuMicros(bareUrl: string): Promise<number> {
  const response = await fetch(`${bareUrl}/cpu`);
  return ((await response.json()) as { cpu_us: number }).cpu_us;
}

/** A fresh benchmark database on the given server URL; drop() removes it. */
export async function benchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void>; connection(): Promise<mysql.Connection> }> {
  const { connection: options } = mysqlConnectionOptions(serverUrl);
  const name = `osqsim_bench_${randomBytes(4).toString('hex')}`;
  const connect = (database?: string): Promise<mysql.Connection> =>
    mysql.createConnection({ ...options, ...(database ? { database } : {}), multipleStatements: true });
  const admin = await connect();
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    connection: () => connect(name),
    async drop() {
      const conn = await connect();
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}
