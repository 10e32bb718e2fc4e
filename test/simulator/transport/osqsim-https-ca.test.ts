import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { runSimulate } from '../../../cli/simulate.js';
import { buildServer, type OsqsimServer } from '../../../server/app.js';
import { certificateNames, ensureSelfSigned } from '../../../server/tls/self-signed.js';

let server: OsqsimServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

function quiet(): { stdout: string[]; stderr: string[] } {
  const out = { stdout: [] as string[], stderr: [] as string[] };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (out.stderr.push(String(chunk)), true));
  return out;
}

test('osqsim simulate --ca: hosts enroll and check in over HTTPS with an osqsim server\'s self-signed CA, without errors', async () => {
  const files = await ensureSelfSigned({ dir: mkdtempSync(join(tmpdir(), 'osqsim-sim-ca-')), names: certificateNames('127.0.0.1') });
  server = await buildServer({ port: 0, logLevel: 'silent', enrollSecrets: [{ secret: 'tls-secret' }], tlsCertFile: files.certFile, tlsKeyFile: files.keyFile });
  const url = await server.listen();
  expect(url).toMatch(/^https:/);
  const out = quiet();
  const resultFile = join(mkdtempSync(join(tmpdir(), 'osqsim-sim-ca-')), 'result.json');
  const code = await runSimulate({
    target: url, ca: files.caFile, hosts: '8', duration: '4s', workers: '1', seed: '3',
    enrollSecret: 'tls-secret', out: resultFile, json: true, progress: false,
  });
  expect(code, out.stderr.join('')).toBe(0);
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  expect(result.endpoints.enroll.count).toBeGreaterThanOrEqual(1);
  expect(result.endpoints.read.count).toBeGreaterThanOrEqual(1);
  for (const endpoint of Object.values(result.endpoints) as Array<{ outcomes: Record<string, number>; count: number }>) {
    expect(endpoint.outcomes['connect'] ?? 0).toBe(0);
  }
}, 60_000);

test('osqsim simulate --ca with a file that is not a certificate exits 2', async () => {
  const out = quiet();
  const bogus = join(mkdtempSync(join(tmpdir(), 'osqsim-sim-ca-')), 'ca.pem');
  writeFileSync(bogus, 'hello');
  expect(await runSimulate({ target: 'https://127.0.0.1:1', hosts: '1', ca: bogus })).toBe(2);
  expect(await runSimulate({ target: 'https://127.0.0.1:1', hosts: '1', ca: `${bogus}.missing` })).toBe(2);
  expect(out.stderr.join('')).toMatch(/is not a PEM certificate[\s\S]*cannot read TLS file/);
});
