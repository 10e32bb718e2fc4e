/**
 * docker-compose.yml run for real, without Docker: no Docker engine runs here, so the commands of its
 * services are run as local processes, exactly as written in the file (defaults of `${VAR:-default}`
 * filled in, a few overridden through the same variables a user would set). Only what Docker
 * provides differently is substituted, each named here:
 *   - service DNS names and ports: `mysql:3306` → the test MariaDB (a fresh database), each server
 *     replica → its own loopback port (replicas share one port only in separate containers);
 *   - the nginx load balancer (`lb`, not installed here) → the simulator's own round robin over the
 *     replicas (`simulate --target a,b,c`), the bench → one replica;
 *   - /app/runs → a temporary folder.
 * The servers' healthcheck command is run as written (port substituted), and every replica must see
 * every simulated host: they share the one MySQL, as in Compose.
 */
import { afterAll, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { FleetApi } from '../../contract/fleet-rest.js';
import type { ResultDocument } from '../../contract/result.js';
import { createTestDatabase, describeMysql, type TestDatabase } from '../helpers/mysql.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'osqsim.js');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command: string[]; deploy?: { replicas?: string | number }; healthcheck?: { test: string[] } }>;
};

/** Compose's interpolation: `${VAR:-default}` → the variable when set (here: `vars`), else the default. */
function interpolate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+):-([^}]*)\}/g, (_whole, name: string, fallback: string) => vars[name] ?? fallback);
}

function commandOf(service: string, vars: Readonly<Record<string, string>> = {}): string[] {
  return compose.services[service]!.command.map((part) => interpolate(String(part), vars));
}

function replace(argv: string[], flag: string, value: string): string[] {
  const index = argv.indexOf(flag);
  expect(index, `${flag} in ${argv.join(' ')}`).toBeGreaterThanOrEqual(0);
  return [...argv.slice(0, index + 1), value, ...argv.slice(index + 2)];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(argv: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const servers: ChildProcess[] = [];
let database: TestDatabase | undefined;
afterAll(async () => {
  for (const server of servers) server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await database?.drop();
});

describeMysql('docker-compose.yml, its commands run as local processes', () => {
  it('server replicas on one MySQL pass their healthcheck; the simulator and bench commands run against them', { timeout: 180_000 }, async () => {
    database = await createTestDatabase();
    const replicas = Number(interpolate(String(compose.services.server!.deploy!.replicas), {}));
    const token = 'compose-run-token';
    const urls: string[] = [];
    for (let i = 0; i < replicas; i++) {
      const port = await freePort();
      let argv = commandOf('server', { OSQSIM_LOG_LEVEL: 'warn' });
      argv = replace(replace(replace(argv, '--store', database.url), '--host', '127.0.0.1'), '--port', String(port));
      // The API token through the server's environment (OSQSIM_API_TOKEN), so the command line stays Compose's.
      const child = spawn(process.execPath, [bin, ...argv], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OSQSIM_API_TOKEN: token } });
      servers.push(child);
      urls.push(
        await new Promise<string>((resolve, reject) => {
          let seen = '';
          const timer = setTimeout(() => reject(new Error(`replica ${i} did not start: ${seen}`)), 60_000);
          child.stdout!.on('data', (chunk: Buffer) => {
            seen += chunk.toString();
            const match = /listening on (http:\/\/\S+)/.exec(seen);
            if (match) {
              clearTimeout(timer);
              resolve(match[1]!);
            }
          });
        }),
      );
      // The Compose healthcheck, as written, against this replica's port.
      const [kind, ...check] = compose.services.server!.healthcheck!.test;
      expect(kind).toBe('CMD');
      const serverPort = commandOf('server')[commandOf('server').indexOf('--port') + 1];
      const healthcheck = check.map((part) => part.replace(`127.0.0.1:${serverPort}/`, `127.0.0.1:${port}/`));
      expect(healthcheck[0]).toBe('node');
      expect(spawnSync(process.execPath, healthcheck.slice(1), { timeout: 10_000 }).status, `healthcheck of replica ${i}`).toBe(0);
    }
    expect(urls.length).toBeGreaterThanOrEqual(2);

    const runs = mkdtempSync(join(tmpdir(), 'osqsim-compose-'));
    const hosts = 30;
    let simulator = commandOf('simulator', { OSQSIM_HOSTS: String(hosts), OSQSIM_DURATION: '12s' });
    simulator = replace(replace(simulator, '--target', urls.join(',')), '--out', join(runs, 'compose-simulate.json'));
    const simulated = await run(simulator, 90_000);
    expect(simulated.code, simulated.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(runs, 'compose-simulate.json'), 'utf8')) as ResultDocument;
    expect(result.run.hosts).toBe(hosts);
    expect(result.endpoints.enroll?.errors ?? {}).toEqual({});
    expect(result.endpoints.read!.count).toBeGreaterThan(0);
    // One MySQL behind every replica: each one lists every host the simulator enrolled through any of them.
    for (const url of urls) expect((await new FleetApi(url, token).hosts()).length, url).toBe(hosts);

    let bench = commandOf('bench', { OSQSIM_BENCH_HOSTS: '20', OSQSIM_BENCH_DURATION: '2s' });
    bench = replace(bench, '--target', urls[0]!);
    const benched = await run(bench, 90_000);
    expect(benched.code, benched.stderr).toBe(0);
    expect(benched.stdout).toMatch(/read/);
  });
});
