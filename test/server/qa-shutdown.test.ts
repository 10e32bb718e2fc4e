/**
 * QA: after close() nothing of the server may hold the event loop. The edit clean-up job's drain
 * timer (10 s) stayed pending after a clean drain, so an embedding process lingered 10 s and
 * `osqsim server` needed its 2 s forced-exit backstop on every SIGTERM.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const SCRIPT = `
import { buildServer } from './server/app.ts';
const server = await buildServer({ store: 'memory', apiToken: 't', logLevel: 'silent' });
await server.listen();
await server.close();
process.stdout.write('closed\\n');
`;

describe('buildServer close() leaves no handle behind', () => {
  it('a process that only built, listened and closed exits on its own', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const closedAt = new Promise<number>((resolve) => {
      child.stdout.on('data', () => {
        if (output.includes('closed')) resolve(Date.now());
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const closed = await closedAt;
    // The stray timer was 10 s; 6 s leaves room for a loaded machine without hiding it.
    const verdict = await Promise.race([exited.then((code) => ({ code, lingered: Date.now() - closed })), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 6_000))]);
    if (verdict === 'hung') child.kill('SIGKILL');
    expect(verdict, output).not.toBe('hung');
    expect(verdict).toMatchObject({ code: 0 });
  }, 40_000);
});
