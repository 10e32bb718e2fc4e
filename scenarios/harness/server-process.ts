/**
 * The server under test, in its own process (never in the simulator's event loop): `osqsim server`
 * spawned with the caller's flags, its URL read from its "listening on" line, stopped with SIGTERM
 * (it drains and flushes) and restarted on the same port for the `restart_server` event. `osqsim run`,
 * capacity sweeps and benchmarks all start their server here; its CPU and memory are read with
 * ./proc.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { osqsimError } from '../../lib/errors.js';

export interface ServerProcessOptions {
  /** Flags after `osqsim server` (without --port / --host). */
  args: string[];
  /** 0 = any free port (the first start); the same port on a restart. */
  port: number;
  /** How long to wait for the URL line. */
  startTimeoutMs?: number;
  onLine?: (line: string) => void;
  /**
   * Start the server in its own process group (default true), so Ctrl-C in the terminal reaches only
   * the harness, which stops the server after its final reads. A caller without a SIGINT handler
   * passes false: the server then gets the terminal's Ctrl-C too and is not left behind.
   */
  detached?: boolean;
}

const isTs = import.meta.url.endsWith('.ts');

/**
 * node + the CLI entry that runs this very source tree (tsx for .ts, plain node for the build). tsx is
 * resolved to its URL from here: a bare `--import tsx` would be looked up from the working directory.
 */
export function cliInvocation(): { command: string; args: string[] } {
  const entry = fileURLToPath(new URL(isTs ? '../../cli/index.ts' : '../../cli/index.js', import.meta.url));
  return { command: process.execPath, args: [...(isTs ? ['--import', import.meta.resolve('tsx')] : []), entry] };
}

/** SERVER_PROCESS_FAILED with the server's last output lines (params.output), which osqsim run prints. */
const startFailed = (reason: string, output: string) => osqsimError('SERVER_PROCESS_FAILED', { reason, output });

export class ServerProcess {
  private child: ChildProcess | undefined;
  private tail: string[] = [];
  private exited: Promise<number | null> = Promise.resolve(null);
  url = '';
  port = 0;
  /** Epoch ms this process (the latest start or restart) printed its URL; its background jobs start then. */
  startedAtMs: number | undefined;

  constructor(private readonly options: ServerProcessOptions) {
    this.port = options.port;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** The server's last output lines, for error messages. */
  get output(): string {
    return this.tail.join('\n');
  }

  async start(): Promise<string> {
    const { command, args } = cliInvocation();
    const child = spawn(command, [...args, 'server', '--host', '127.0.0.1', '--port', String(this.port), ...this.options.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.options.detached ?? true,
    });
    this.child = child;
    // Never leave a server behind if the harness dies.
    const killOnExit = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const remember = (line: string) => {
      this.tail.push(line);
      if (this.tail.length > 60) this.tail.shift();
      this.options.onLine?.(line);
    };
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(startFailed(`it did not print its URL within ${(this.options.startTimeoutMs ?? 30_000) / 1000}s`, this.output)), this.options.startTimeoutMs ?? 30_000);
      const onData = (stream: 'out' | 'err') => {
        let buffer = '';
        return (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            remember(line);
            const match = stream === 'out' ? /listening on (https?:\/\/[^\s]+)/.exec(line) : null;
            if (match) {
              clearTimeout(timer);
              resolve(match[1]!.replace(/\/+$/, ''));
            }
          }
        };
      };
      child.stdout!.on('data', onData('out'));
      child.stderr!.on('data', onData('err'));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(startFailed(`it exited with code ${code} before listening`, this.output));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(startFailed(`cannot spawn it: ${error.message}`, this.output));
      });
    });
    this.url = url;
    this.startedAtMs = Date.now();
    this.port = Number(new URL(url).port);
    return url;
  }

  /** SIGTERM (drain, flush, close) and wait; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** `kill -9`: no drain, no flush (a crash); resolves once the process is gone. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Stop, wait `downMs`, start again on the same port. */
  async restart(downMs: number): Promise<string> {
    await this.stop();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    return this.start();
  }
}
