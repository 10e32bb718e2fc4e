import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { osqueryFlags } from '../../../server/tls/osquery-flags.js';
import { generateSelfSigned } from '../../../server/tls/self-signed.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function runServerCli(args: string[]): { kill: () => void; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'server', '--log-level', 'warn', '--api-token', 't', ...args], { cwd: root });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { kill: () => child.kill('SIGTERM'), output: () => output, exited };
}

async function waitFor(run: ReturnType<typeof runServerCli>, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 400; i++) {
    const match = pattern.exec(run.output());
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${pattern} in: ${run.output()}`);
}

describe('osqsim server --tls self-signed (CLI)', () => {
  it('prints the osquery flags, writes them as DIR/osquery.flags, and a real agent\'s enroll over TLS works', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'osqsim-cli-tls-')), 'tls');
    const run = runServerCli(['--port', '0', '--tls', `self-signed:${dir}`]);
    try {
      await waitFor(run, /--logger_tls_period=10/);
      const url = /listening on (https:\/\/\S+)/.exec(run.output())![1]!;
      const port = Number(new URL(url).port);
      const expected = osqueryFlags({
        host: '127.0.0.1', port, caFile: join(dir, 'ca.pem'), enrollSecretFile: join(dir, 'enroll_secret'),
        configRefreshSeconds: 60, distributedIntervalSeconds: 10, loggerTlsPeriodSeconds: 10,
      });
      for (const flag of expected) expect(run.output()).toContain(`  ${flag}\n`);
      const flagfile = readFileSync(join(dir, 'osquery.flags'), 'utf8').split('\n').filter((line) => line.startsWith('--'));
      expect(flagfile).toEqual(expected);
      expect(flagfile).toEqual(expect.arrayContaining([
        `--tls_hostname=127.0.0.1:${port}`,
        `--tls_server_certs=${join(dir, 'ca.pem')}`,
        '--host_identifier=uuid',
        '--config_plugin=tls', '--logger_plugin=tls', '--distributed_plugin=tls',
        '--enroll_tls_endpoint=/api/osquery/enroll',
      ]));
      // What osqueryd does with those flags: enroll with the secret file's content, trusting only ca.pem.
      const secret = readFileSync(join(dir, 'enroll_secret'), 'utf8').trim();
      const dispatcher = new Agent({ connect: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') } });
      const response = await fetch(`${url}/api/osquery/enroll`, {
        method: 'POST', dispatcher, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enroll_secret: secret, host_identifier: 'real-agent' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ node_key: expect.any(String) });
      await dispatcher.close();
    } finally {
      run.kill();
    }
    expect(await run.exited).toBe(0);
  });

  it.each([
    ['an expired certificate', 'expired', 'expired at'],
    ['a certificate not valid yet', 'future', 'is not valid before'],
    ['a key of another certificate', 'mismatch', 'does not belong to the certificate'],
    ['a missing key file', 'missing', 'cannot read TLS file'],
  ])('exits 2 at start with %s', async (_name, kind, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-cli-badtls-'));
    const day = 86_400_000;
    const now = kind === 'expired' ? new Date(Date.now() - 10 * day) : kind === 'future' ? new Date(Date.now() + 10 * day) : new Date();
    const pair = await generateSelfSigned(['127.0.0.1'], now, 2);
    const other = await generateSelfSigned(['127.0.0.1']);
    writeFileSync(join(dir, 'server.pem'), pair.cert);
    if (kind !== 'missing') writeFileSync(join(dir, 'server-key.pem'), kind === 'mismatch' ? other.key : pair.key);
    const run = runServerCli(['--port', '0', '--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server-key.pem')]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain(message);
    expect(run.output()).toContain('hint:');
  });

  it('exits 2 when --tls-cert comes without --tls-key, or with --tls', async () => {
    const alone = runServerCli(['--tls-cert', 'x.pem']);
    expect(await alone.exited).toBe(2);
    expect(alone.output()).toContain('--tls-cert: needs --tls-key');
    const both = runServerCli(['--tls-cert', 'x.pem', '--tls-key', 'y.pem', '--tls', 'self-signed']);
    expect(await both.exited).toBe(2);
    expect(both.output()).toContain('cannot be combined with --tls-cert');
  });
});
