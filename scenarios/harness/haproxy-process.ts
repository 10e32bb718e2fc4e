/**
 * HAProxy in front of the server instances (server.load_balancer: haproxy): find the binary, write
 * haproxy.cfg (./haproxy-config.ts) into a temporary folder, start HAProxy in the foreground on a free
 * loopback port, wait until it answers GET /healthz through an instance, stop it. Every wait is bounded:
 * a missing binary, a refused configuration or instances that never turn healthy are errors naming the
 * cause, never a hang.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { osqsimError } from '../../lib/errors.js';
import { haproxyConfig } from './haproxy-config.js';

/** Where Debian, Homebrew and source installs put haproxy, besides PATH (sbin is often not on a user's PATH). */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin', '/opt/homebrew/bin'];

/** The first executable `haproxy` in `dirs`; LOAD_BALANCER_NOT_FOUND listing them otherwise. */
export function findHaproxy(dirs: readonly string[] = searchDirs()): string {
  for (const dir of dirs) {
    const file = join(dir, 'haproxy');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw osqsimError('LOAD_BALANCER_NOT_FOUND', { searched: dirs.join(', ') });
}

function searchDirs(): string[] {
  const path = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  return [...new Set([...path, ...EXTRA_DIRS])];
}

/** A port nothing listens on now (the OS picks it); HAProxy binds it right after. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface HaproxyOptions {
  /** The instances' base URLs. */
  servers: readonly string[];
  /** The binary (default: findHaproxy()). */
  binary?: string;
  /** How long to wait for a healthy answer through HAProxy (default 15 s). */
  readyTimeoutMs?: number;
  onLine?: (line: string) => void;
}

const failed = (reason: string, output: string) => osqsimError('LOAD_BALANCER_FAILED', { reason, output });

export class HaproxyProcess {
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  private tail: string[] = [];
  private exited: Promise<number | null> = Promise.resolve(null);
  url = '';
  config = '';

  constructor(private readonly options: HaproxyOptions) {}

  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Starts HAProxy and resolves with its URL once a request through it reaches a healthy instance. */
  async start(): Promise<string> {
    const binary = this.options.binary ?? findHaproxy();
    const port = await freeLoopbackPort();
    this.dir = mkdtempSync(join(tmpdir(), 'osqsim-haproxy-'));
    const file = join(this.dir, 'haproxy.cfg');
    this.config = haproxyConfig({ port, servers: this.options.servers });
    writeFileSync(file, this.config);
    // -db: foreground, no daemon; -W is not needed for one process.
    const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const killOnExit = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const remember = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        this.options.onLine?.(line);
      }
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    this.url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 15_000);
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      const early = await Promise.race([spawnError, this.exited.then((code) => code), sleep(200).then(() => undefined)]);
      if (early instanceof Error) throw failed(`cannot run ${binary}: ${early.message}`, this.output);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw failed(`HAProxy exited with ${child.exitCode ?? child.signalCode} before serving`, this.output);
      }
      const status = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        (error: unknown) => ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message),
      );
      if (status === 200) return this.url;
      last = typeof status === 'number' ? `GET /healthz through it answered ${status}${status === 503 ? ' (no healthy instance)' : ''}` : String(status);
    }
    await this.stop();
    throw failed(`not ready within ${this.options.readyTimeoutMs ?? 15_000} ms: ${last}`, this.output);
  }

  /** haproxy.cfg, then HAProxy's last output lines (for error messages). */
  get output(): string {
    return `${this.config.trimEnd()}\n--- HAProxy output ---\n${this.tail.join('\n')}`;
  }

  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      // SIGUSR1 is HAProxy's soft stop; SIGTERM its immediate stop — nothing here needs draining.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
