/**
 * `simulator.processes: M`: the simulator as M `osqsim simulate --shard i/M` processes with one shared
 * `--start-at`, the same commands shards on several machines run. Each writes its result file; when
 * all have exited the results are merged exactly (reports/merge.ts: counts and histograms add, every
 * host once). A shard that exits with an error, or that has not reported by the end of the run plus a
 * grace period, fails the run with its last output lines — never a hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { osqsimError } from '../../lib/errors.js';
import type { ResultDocument } from '../../contract/result.js';
import { mergeResults } from '../../reports/merge.js';
import { cliInvocation } from './server-process.js';
import type { ConnectionMode } from '../../simulator/transport/transport.js';

export interface ShardRunInput {
  /** The scenario file (or built-in scenario's file) each shard reads. */
  scenarioFile: string;
  /** What the harness validated, passed as overrides so every shard simulates exactly these. */
  hosts: number;
  durationMs: number;
  warmupMs: number;
  seed: number;
  enrollSecret: string;
  targets: readonly string[];
  processes: number;
  startAtMs: number;
  workersPerProcess?: number;
  /** `--connections` of each shard: elastic or a fixed pool per worker per target. */
  connections?: ConnectionMode;
  /** PEM CA file the shards trust for an https target (a `server.tls: self-signed` run's ca.pem). */
  caFile?: string;
}

/** The `osqsim simulate` arguments of shard `index`. Pure. */
export function shardArgs(input: ShardRunInput, index: number, outFile: string): string[] {
  return [
    'simulate',
    '--target', input.targets.join(','),
    '--scenario', input.scenarioFile,
    '--hosts', String(input.hosts),
    '--duration', `${input.durationMs}ms`,
    '--warmup', `${input.warmupMs}ms`,
    '--seed', String(input.seed),
    '--enroll-secret', input.enrollSecret,
    '--shard', `${index}/${input.processes}`,
    '--start-at', new Date(input.startAtMs).toISOString(),
    ...(input.workersPerProcess !== undefined ? ['--workers', String(input.workersPerProcess)] : []),
    ...(input.connections !== undefined ? ['--connections', String(input.connections)] : []),
    ...(input.caFile !== undefined ? ['--ca', input.caFile] : []),
    '--out', outFile,
  ];
}

export interface ShardProcessesOptions extends ShardRunInput {
  /** After the run's end, how long a shard may take to write its result (default 60 s). */
  graceMs?: number;
  /** Each shard's output lines (its progress every 10 s, warnings). */
  onLine?: (shard: number, line: string) => void;
}

interface Shard {
  child: ChildProcess;
  tail: string[];
  exited: Promise<number | string | null>;
  out: string;
}

export class ShardProcesses {
  readonly done: Promise<ResultDocument>;
  private readonly shards: Shard[] = [];
  private readonly dir: string;

  constructor(private readonly options: ShardProcessesOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'osqsim-shards-'));
    const { command, args } = cliInvocation();
    for (let i = 0; i < options.processes; i++) {
      const out = join(this.dir, `shard-${i}.json`);
      const child = spawn(command, [...args, ...shardArgs(options, i, out)], { stdio: ['ignore', 'pipe', 'pipe'] });
      const killOnExit = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      process.once('exit', killOnExit);
      const tail: string[] = [];
      const exited = new Promise<number | string | null>((resolve) => {
        child.once('exit', (code, signal) => {
          process.removeListener('exit', killOnExit);
          resolve(code ?? signal);
        });
        child.once('error', (error) => resolve(`cannot spawn it: ${error.message}`));
      });
      const remember = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split(/\r?\n|\r/)) {
          const text = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim();
          if (text === '') continue;
          tail.push(text);
          if (tail.length > 40) tail.shift();
          options.onLine?.(i, text);
        }
      };
      child.stdout?.on('data', remember);
      child.stderr?.on('data', remember);
      this.shards.push({ child, tail, exited, out });
    }
    this.done = this.collect();
    this.done.catch(() => undefined);
  }

  /** SIGTERM every shard: each stops its agents and still writes its result (Ctrl-C of osqsim run). */
  stop(): void {
    for (const shard of this.shards) if (shard.child.exitCode === null && shard.child.signalCode === null) shard.child.kill('SIGTERM');
  }

  /** SIGKILL what is left and remove the result folder. */
  async dispose(): Promise<void> {
    for (const shard of this.shards) if (shard.child.exitCode === null && shard.child.signalCode === null) shard.child.kill('SIGKILL');
    await Promise.all(this.shards.map((s) => s.exited));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async collect(): Promise<ResultDocument> {
    const { options } = this;
    const deadlineMs = options.startAtMs + options.durationMs + (options.graceMs ?? 60_000);
    const results = await Promise.all(
      this.shards.map(async (shard, i) => {
        const label = `${i}/${options.processes}`;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), Math.max(0, deadlineMs - Date.now()));
        });
        const code = await Promise.race([shard.exited, late]);
        clearTimeout(timer);
        if (code === 'late') {
          shard.child.kill('SIGKILL');
          throw osqsimError('SHARD_PROCESS_FAILED', { shard: label, reason: `no result ${Math.round((options.graceMs ?? 60_000) / 1000)} s after the end of the run (killed)`, output: shard.tail.join('\n') });
        }
        if (code !== 0) throw osqsimError('SHARD_PROCESS_FAILED', { shard: label, reason: typeof code === 'string' ? code : `exited with ${code}`, output: shard.tail.join('\n') });
        try {
          return JSON.parse(readFileSync(shard.out, 'utf8')) as ResultDocument;
        } catch (error) {
          throw osqsimError('SHARD_PROCESS_FAILED', { shard: label, reason: `its result file cannot be read: ${(error as Error).message}`, output: shard.tail.join('\n') });
        }
      }),
    ).catch((error: unknown) => {
      this.stop();
      throw error;
    });
    return mergeResults(results);
  }
}
