/**
 * A server on a non-loopback address needs its API token: without --api-token (or OSQSIM_API_TOKEN)
 * it refuses to start with exit 2 and a message naming both ways out, unless --allow-no-api-token.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../server/options/listen-guard.js';
import { resolveServerOptions, serverOptionsFromFlags } from '../../server/options/resolve.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '', '10.0.0.5', '192.168.1.2', 'fe80::1', 'example.com', 'localhost.example.com', '128.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('the --host guard', () => {
  it('refuses a non-loopback host without a token, naming the flags that fix it', () => {
    expect(() => serverOptionsFromFlags({ host: '0.0.0.0' }, {})).toThrow(
      /invalid option --host: 0\.0\.0\.0 is not a loopback address and no API token is set: give one with --api-token \(or OSQSIM_API_TOKEN\), or pass --allow-no-api-token/,
    );
    expect(() => resolveServerOptions({ host: '::' })).toThrow(/not a loopback address/);
  });

  it('starts on loopback without a token, and anywhere with one or when allowed', () => {
    expect(serverOptionsFromFlags({}, {}).host).toBe('127.0.0.1');
    expect(serverOptionsFromFlags({ host: 'localhost' }, {}).apiToken).toBeUndefined();
    expect(serverOptionsFromFlags({ host: '0.0.0.0', apiToken: 'tok' }, {}).host).toBe('0.0.0.0');
    expect(serverOptionsFromFlags({ host: '0.0.0.0' }, { OSQSIM_API_TOKEN: 'tok' }).apiToken).toBe('tok');
    expect(serverOptionsFromFlags({ host: '0.0.0.0', allowNoApiToken: true }, {}).allowNoApiToken).toBe(true);
    expect(serverOptionsFromFlags({ host: '0.0.0.0' }, { OSQSIM_ALLOW_NO_API_TOKEN: '1' }).allowNoApiToken).toBe(true);
    // An empty token variable counts as unset.
    expect(() => serverOptionsFromFlags({ host: '0.0.0.0' }, { OSQSIM_API_TOKEN: '' })).toThrow(/no API token is set/);
  });

  it('reads OSQSIM_ALLOW_NO_API_TOKEN as true/false/1/0 only', () => {
    expect(serverOptionsFromFlags({}, { OSQSIM_ALLOW_NO_API_TOKEN: 'false' }).allowNoApiToken).toBe(false);
    expect(() => serverOptionsFromFlags({}, { OSQSIM_ALLOW_NO_API_TOKEN: 'yes please' })).toThrow(
      /invalid option OSQSIM_ALLOW_NO_API_TOKEN: "yes please" is not true, false, 1 or 0/,
    );
  });

  it('osqsim server --host 0.0.0.0 exits 2 with the message; with --allow-no-api-token it starts', { timeout: 30_000 }, async () => {
    const env = { ...process.env, OSQSIM_API_TOKEN: '', OSQSIM_ALLOW_NO_API_TOKEN: '' };
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'server', '--host', '0.0.0.0', '--port', '0'], { cwd: root, env });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/0\.0\.0\.0 is not a loopback address and no API token is set/);

    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'server', '--host', '0.0.0.0', '--port', '0', '--allow-no-api-token', '--log-level', 'warn'], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/listening on/.test(output)) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      void exited.then(() => {
        clearInterval(timer);
        reject(new Error(`exited early: ${output}`));
      });
    });
    expect(output).toMatch(/REST API token generated/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
