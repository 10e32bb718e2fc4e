/**
 * A capacity sweep of a scenario with `server.tls: self-signed` runs over HTTPS end to end, as
 * `osqsim run` does: the server creates its CA, and the simulator, the REST calls, the /metrics reads
 * and the CPU probe trust that CA (a failure of any of them would leave a step without requests,
 * membership rows or CPU figures).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { loadSweepScenario, runSweep } from '../../capacity/sweep.js';

const tinyScenario = join(fileURLToPath(new URL('.', import.meta.url)), 'tiny-sweep.yaml');
let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** tiny-sweep.yaml with `tls: self-signed` in its server section. */
function tlsScenario(): string {
  const dir = mkdtempSync(join(tmpdir(), 'osqsim-sweep-tls-'));
  dirs.push(dir);
  const file = join(dir, 'tiny-tls.yaml');
  const yaml = readFileSync(tinyScenario, 'utf8').replace(/^server:\n/m, 'server:\n  tls: self-signed\n');
  expect(yaml).toContain('tls: self-signed');
  writeFileSync(file, yaml);
  return file;
}

it('accepts a TLS scenario', () => {
  expect(loadSweepScenario(tlsScenario()).base.server?.tls).toBe('self-signed');
});

it('sweeps a TLS scenario over HTTPS: hosts, /metrics, stats runs and the CPU probe all reach the server', { timeout: 120_000 }, async () => {
  const lines: string[] = [];
  const sweep = await runSweep({
    scenarioFile: tlsScenario(),
    from: 20,
    to: 20,
    steps: 1,
    until: [],
    warmupMs: 4000,
    measureMs: 4000,
    workers: 1,
    cpuProbe: { hosts: 20, ratePerS: 100, seconds: 2 },
    onProgress: (line) => lines.push(line),
  });
  expect(lines.some((line) => /^server https:\/\/.* TLS with a self-signed CA/.test(line))).toBe(true);
  expect(sweep.params.tls).toBe('self-signed');
  expect(sweep.stopped).toMatchObject({ reason: 'completed' });
  const [step] = sweep.steps;
  expect(step!.errors_rate).toBe(0);
  expect(step!.endpoints.read!.rate_per_s).toBeGreaterThan(0);
  // Read from the server's /metrics over HTTPS.
  expect(step!.membership_rows).toBe(20 * 3);
  expect(step!.server!.cpu_ms).toBeGreaterThan(0);
  // The probe's own hosts enrolled and read over HTTPS.
  expect(sweep.cpu_probe?.hosts).toBe(20);
  expect(sweep.cpu_probe?.endpoints.read?.requests).toBeGreaterThan(0);
});
