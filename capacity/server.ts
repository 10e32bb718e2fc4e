/**
 * The server a capacity sweep measures: `osqsim server` in its own process (never in the simulator's
 * event loop), its CPU time and RSS read from /proc, its /metrics scraped, its stats runs listed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { osqsimError } from '../lib/errors.js';

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly apiToken: string;
  /** Lines the server printed (stderr and stdout), for error reports. */
  readonly output: string[];
  stop(): Promise<void>;
}

/** `node --import tsx cli/index.ts` from the source tree, `node dist/cli/index.js` when built. */
export function osqsimCommand(): string[] {
  const isTs = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(isTs ? '../cli/index.ts' : '../cli/index.js', import.meta.url));
  return isTs ? [process.execPath, '--import', 'tsx', entry] : [process.execPath, entry];
}

export async function startServerProcess(args: readonly string[], apiToken: string, timeoutMs = 60_000): Promise<ServerProcess> {
  const [command, ...prefix] = osqsimCommand();
  const child: ChildProcess = spawn(command!, [...prefix, 'server', '--host', '127.0.0.1', '--port', '0', '--api-token', apiToken, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OSQSIM_API_TOKEN: apiToken },
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(osqsimError('INTERNAL', { reason: `osqsim server did not print its URL within ${timeoutMs} ms:\n${output.join('')}` })), timeoutMs);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output.push(text);
      if (output.length > 200) output.shift();
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (match && match[1] !== '0') {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(osqsimError('INTERNAL', { reason: `osqsim server exited with code ${code} before listening:\n${output.join('')}` }));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    pid: child.pid!,
    apiToken,
    output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface ProcessSample {
  /** performance.now() when read. */
  atMs: number;
  /** User + system CPU time so far, ms. */
  cpuMs: number;
  rssMb: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const USER_HZ = 100;

/** CPU time and RSS of a process from /proc; null where /proc is not available. */
export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
    return { atMs: performance.now(), cpuMs, rssMb: rssKb / 1024 };
  } catch {
    return null;
  }
}

/** Prometheus text → `name{labels}` → value. */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) values.set(line.slice(0, space), value);
  }
  return values;
}

export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  try {
    const response = await fetch(`${url}/metrics`);
    return response.ok ? parsePrometheus(await response.text()) : new Map();
  } catch {
    return new Map();
  }
}

export interface StatsRunInfo {
  strategy: string;
  started_at: string;
  duration_ms: number;
  rows_scanned: number;
  drift: number;
}

export async function listStatsRuns(url: string, apiToken: string): Promise<StatsRunInfo[]> {
  try {
    const response = await fetch(`${url}/api/v1/osqsim/stats/runs?limit=100`, { headers: { authorization: `Bearer ${apiToken}` } });
    if (!response.ok) return [];
    const body = (await response.json()) as { runs?: StatsRunInfo[] };
    return body.runs ?? [];
  } catch {
    return [];
  }
}
