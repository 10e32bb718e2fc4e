import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultText } from '../../server/options/describe.js';
import { OPTION_ROWS } from '../../server/options/schema.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'server', ...args], { cwd: root, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('osqsim server (CLI)', () => {
  it('prints the URL, serves requests and exits 0 on SIGTERM', async () => {
    const run = runCli(['--port', '0', '--enroll-secret', 'cli-secret:CliTeam', '--log-level', 'warn', '--api-token', 't']);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/\S+)/.exec(run.output());
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        }
      }, 50);
      void run.exited.then(() => {
        clearInterval(timer);
        reject(new Error(`exited early: ${run.output()}`));
      });
    });
    const response = await fetch(`${url}/api/osquery/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enroll_secret: 'cli-secret', host_identifier: 'cli-host' }),
    });
    expect(response.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it.each([
    [['--port', 'eighty'], '--port'],
    [['--store', 'sqlite://x'], 'invalid store'],
    [['--max-jitter-percent', '500'], '--max-jitter-percent'],
    [['--detail-update-interval', 'soon'], '--detail-update-interval'],
    [['--ingest-concurrent-commits', '8'], '--ingest-concurrent-commits: 8 must be ≤ --ingest-pool-size (4)'],
    [['--cleanup-pause-factor', 'slow'], '--cleanup-pause-factor: "slow" is not a number'],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const run = runCli(args);
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain(message);
  });

  it('exits 2 naming the environment variable that holds a bad value', async () => {
    const run = runCli(['--port', '0'], { OSQSIM_INGEST_POOL_SIZE: 'lots' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('invalid option OSQSIM_INGEST_POOL_SIZE: "lots" is not a whole number');
  });

  it('--help lists every option of the table with its default and environment variable', async () => {
    const run = runCli(['--help']);
    expect(await run.exited).toBe(0);
    const help = run.output().replace(/\s+/g, ' ');
    for (const row of OPTION_ROWS) {
      expect(help).toContain(`${row.flag} ${row.placeholder}`);
      if (row.default !== undefined && row.defaultHelp === undefined) expect(help).toContain(`default: ${defaultText(row)}`);
      if (row.env !== undefined) expect(help).toContain(`env: ${row.env}`);
    }
  });
});
