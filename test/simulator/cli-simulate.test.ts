import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { runSimulate } from '../../cli/simulate.js';
import { startFakeServer, type FakeServer } from './fixtures/fake-server.js';
import { mergeResults } from '../../reports/merge.js';
import type { ResultDocument } from '../../contract/result.js';

let server: FakeServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
});

function quiet(): { stdout: string[]; stderr: string[] } {
  const out = { stdout: [] as string[], stderr: [] as string[] };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (out.stderr.push(String(chunk)), true));
  return out;
}

test('invalid flags exit 2 with the problem and a hint', async () => {
  const out = quiet();
  expect(await runSimulate({ target: 'ftp://x', hosts: '10' })).toBe(2);
  expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: 'many' })).toBe(2);
  expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '10', shard: '3/3' })).toBe(2);
  expect(await runSimulate({ target: 'http://127.0.0.1:1' })).toBe(2);
  expect(await runSimulate({ target: 'https://127.0.0.1:1', hosts: '1', transport: 'raw' })).toBe(2);
  expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '1', startAt: '2020-01-01T00:00:00Z' })).toBe(2);
  expect(out.stderr.join('')).toMatch(/--start-at.*in the past/);
  expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '1', startAt: 'soon' })).toBe(2);
  expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '1', transport: 'curl' })).toBe(2);
  expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '1', connections: 'lots' })).toBe(2);
  expect(out.stderr.join('')).toMatch(/--connections.*must be elastic or a whole number ≥ 1/);
  const dir = mkdtempSync(join(tmpdir(), 'osqsim-sim-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, 'fleet:\n  groups:\n    - {name: a, count: 1, platform: darwin, os_version: "14", colour: red}\n');
  expect(await runSimulate({ target: 'http://127.0.0.1:1', scenario: file })).toBe(2);
  expect(out.stderr.join('')).toMatch(/fleet\.groups\[0\]\.colour unknown key/);
  expect(out.stderr.join('')).toMatch(/hint:/);
});

test('a short run with the built-in fleet writes the result JSON and prints it with --json', async () => {
  server = await startFakeServer();
  const out = quiet();
  const dir = mkdtempSync(join(tmpdir(), 'osqsim-sim-'));
  const file = join(dir, 'result.json');
  const code = await runSimulate({ target: server.url, hosts: '30', duration: '3s', workers: '1', out: file, json: true, progress: false });
  expect(code).toBe(0);
  const written = JSON.parse(readFileSync(file, 'utf8'));
  const printed = JSON.parse(out.stdout.join(''));
  expect(printed).toEqual(written);
  expect(written.schema).toBe('osqsim.result/v1');
  expect(written.run.hosts).toBe(30);
  // Starts are spread linearly over start_period (10 s by default): about 3/10 of the hosts in 3 s.
  expect(written.endpoints.enroll.count).toBeGreaterThanOrEqual(6);
  expect(written.endpoints.enroll.count).toBeLessThanOrEqual(13);
  expect(new Set(server.requests.filter((r) => r.endpoint === 'enroll').map((r) => (r.body.host_details as { os_version: { platform: string } }).os_version.platform)).size).toBeGreaterThan(1);
}, 30_000);

test('--start-at: hosts start at the shared time, and two shards of one scheduled run share a run id and merge', async () => {
  server = await startFakeServer();
  const out = quiet();
  const dir = mkdtempSync(join(tmpdir(), 'osqsim-sim-'));
  const startAt = Date.now() + 1500;
  const runs = [0, 1].map((i) => runSimulate({ target: server!.url, hosts: '20', duration: '2s', workers: '1', shard: `${i}/2`, startAt: new Date(startAt).toISOString(), out: join(dir, `${i}.json`), progress: false }));
  expect(await Promise.all(runs)).toEqual([0, 0]);
  expect(out.stderr.join('')).toBe('');
  const docs = [0, 1].map((i) => JSON.parse(readFileSync(join(dir, `${i}.json`), 'utf8')) as ResultDocument);
  expect(docs[0]!.run.started_at).toBe(new Date(startAt).toISOString());
  expect(docs[1]!.run.started_at).toBe(docs[0]!.run.started_at);
  expect(docs[0]!.run.run_id).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{8}$/);
  expect(docs[1]!.run.run_id).toBe(docs[0]!.run.run_id);
  // No request before the shared start.
  expect(Math.min(...server.requests.map((r) => r.at))).toBeGreaterThanOrEqual(startAt);
  expect(mergeResults(docs).run.hosts).toBe(20);
  // An unscheduled run gets a run id of its own.
  expect(await runSimulate({ target: server.url, hosts: '20', duration: '1s', workers: '1', shard: '0/2', out: join(dir, 'u.json'), progress: false })).toBe(0);
  const unscheduled = JSON.parse(readFileSync(join(dir, 'u.json'), 'utf8')) as ResultDocument;
  expect(unscheduled.run.run_id).toMatch(/^unscheduled-/);
  expect(() => mergeResults([docs[1]!, unscheduled])).toThrow(/same --start-at/);
  // Two unscheduled shards (started by hand, no --start-at) are compared on seed, hosts and shard count.
  expect(await runSimulate({ target: server.url, hosts: '20', duration: '1s', workers: '1', shard: '1/2', out: join(dir, 'u1.json'), progress: false })).toBe(0);
  const unscheduled1 = JSON.parse(readFileSync(join(dir, 'u1.json'), 'utf8')) as ResultDocument;
  expect(unscheduled1.run.run_id).not.toBe(unscheduled.run.run_id);
  expect(mergeResults([unscheduled, unscheduled1]).run.hosts).toBe(20);
}, 30_000);

test('an unreachable target exits 1 at once with the reason, instead of a run of connection errors', async () => {
  const out = quiet();
  expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '5', duration: '3s', progress: false })).toBe(1);
  expect(out.stderr.join('')).toMatch(/cannot reach target http:\/\/127\.0\.0\.1:1: ECONNREFUSED/);
  expect(out.stdout.join('')).toBe('');
});

test('commander usage errors (unknown option, missing --target or argument) exit 2 like every invalid input', async () => {
  const { buildProgram } = await import('../../cli/index.js');
  const exits: number[] = [];
  vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    exits.push(code ?? 0);
    throw new Error(`exit ${code}`);
  }) as typeof process.exit);
  quiet();
  for (const argv of [['simulate', '--hosts', '10'], ['simulate', '--target', 'http://x', '--bogus'], ['report', 'compare', 'only-one'], ['scenario', 'validate'], ['run', '--nope']]) {
    const program = await buildProgram();
    await expect(program.parseAsync(['node', 'osqsim', ...argv])).rejects.toThrow(/exit/);
  }
  expect(exits).toEqual([2, 2, 2, 2, 2]);
});

test('osqsim simulate works from any working directory (the workers load tsx by its resolved URL)', async () => {
  server = await startFakeServer();
  const { spawn } = await import('node:child_process');
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'osqsim.js');
  const cwd = mkdtempSync(join(tmpdir(), 'osqsim-cwd-'));
  const child = spawn(process.execPath, [bin, 'simulate', '--target', server.url, '--hosts', '3', '--duration', '2s', '--workers', '1', '--no-progress', '--json'], { cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).not.toMatch(/Cannot find package 'tsx'/);
  expect(code).toBe(0);
  expect(JSON.parse(stdout).schema).toBe('osqsim.result/v1');
}, 60_000);
