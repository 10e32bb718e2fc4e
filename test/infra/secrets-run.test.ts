/**
 * Secrets stay secret through a whole `osqsim run`: the CLI runs a small scenario on MySQL through a
 * user WITH a password, the server logging at debug level and copied to stderr (--server-log), and
 * afterwards every secret issued or used during the run — the MySQL password, the enroll secret, the
 * API token and every node key the server handed out (read back from the database) — is searched for
 * in the CLI's stdout and stderr (server and simulator logs) and in every file of the run folder
 * (result.json, summary.md, report.html …). Not one may appear.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, describeMysql, type TestDatabase } from '../helpers/mysql.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'osqsim.js');

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Where each secret occurs: `name in place`. */
export function leaks(secrets: ReadonlyMap<string, string>, places: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [name, value] of secrets) {
    for (const [place, text] of places) if (text.includes(value)) found.push(`${name} in ${place}`);
  }
  return found;
}

const scenario = (enrollSecret: string, apiToken: string): string => `
name: secrets
seed: 3
hosts: 30
duration: 12s
warmup: 3s
enroll_secret: ${enrollSecret}
server:
  api_token: ${apiToken}
  log_level: debug
  policy_update_interval: 4s
  stats: { strategy: cron, interval: 3s }
agent:
  distributed_interval: 2s
  config_refresh: 10s
  logger_tls_period: 2s
  start_period: 2s
fleet:
  groups:
    - { name: mac, weight: 1, platform: darwin, os_version: "14.4.1" }
policies:
  - { name: Always, query: SELECT 1; }
timeline:
  - at: 5s
    refetch_hosts: { percent: 50 }
  - at: 6s
    store_unavailable: { for: 3s }
`;

let database: TestDatabase | undefined;
let admin: mysql.Connection | undefined;
const user = `osqsim_sec_${randomBytes(3).toString('hex')}`;
afterAll(async () => {
  await admin?.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1', '${user}'@'localhost'`).catch(() => undefined);
  await admin?.end();
  await database?.drop();
});

describeMysql('secrets in an osqsim run', () => {
  it('no secret reaches a log, stdout/stderr or a file of the run', { timeout: 120_000 }, async () => {
    database = await createTestDatabase();
    const dbUrl = new URL(database.url);
    const dbName = dbUrl.pathname.slice(1);
    admin = await mysql.createConnection({ host: dbUrl.hostname, port: Number(dbUrl.port || 3306), user: decodeURIComponent(dbUrl.username), password: decodeURIComponent(dbUrl.password), database: dbName });
    const password = `pw-${randomBytes(12).toString('hex')}`;
    for (const host of ['127.0.0.1', 'localhost']) {
      await admin.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${password}'`);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${dbName}\`.* TO '${user}'@'${host}'`);
    }
    const store = `mysql://${user}:${password}@${dbUrl.hostname}:${dbUrl.port || 3306}/${dbName}`;
    const enrollSecret = `enroll-${randomBytes(12).toString('hex')}`;
    const apiToken = `token-${randomBytes(12).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-secrets-'));
    const file = join(dir, 'secrets.yaml');
    writeFileSync(file, scenario(enrollSecret, apiToken));
    const outDir = join(dir, 'runs');

    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'run', file, '--store', store, '--out', outDir, '--server-log'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
      child.on('close', (exit) => {
        clearTimeout(timer);
        resolve({ code: exit, stdout: out, stderr: err });
      });
    });
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    // The server's debug log was captured (the scan looks at real log lines, not an empty stream).
    expect(stderr.split('\n').filter((line) => line.startsWith('[server]')).length).toBeGreaterThan(3);

    const [rows] = await admin.query('SELECT node_key, orbit_node_key FROM hosts');
    const nodeKeys = (rows as { node_key: string; orbit_node_key: string | null }[]).flatMap((row) => [row.node_key, ...(row.orbit_node_key ? [row.orbit_node_key] : [])]);
    const [secretRows] = await admin.query('SELECT secret FROM enroll_secrets');
    const [deviceRows] = await admin.query('SELECT token FROM host_device_auth');
    expect(nodeKeys.length).toBeGreaterThanOrEqual(30);
    expect((secretRows as { secret: string }[]).map((row) => row.secret)).toContain(enrollSecret);

    const secrets = new Map<string, string>([
      ['MySQL password', password],
      ['enroll secret', enrollSecret],
      ['API token', apiToken],
      ...nodeKeys.map((key, i) => [`node key #${i}`, key] as [string, string]),
      ...(secretRows as { secret: string }[]).map((row, i) => [`enroll secret #${i}`, row.secret] as [string, string]),
      ...(deviceRows as { token: string }[]).map((row, i) => [`device token #${i}`, row.token] as [string, string]),
    ]);
    const files = filesUnder(outDir);
    expect(files.map((path) => path.split(/[\\/]/).pop())).toEqual(expect.arrayContaining(['result.json', 'summary.md', 'report.html']));
    const places = new Map<string, string>([
      ['stdout', stdout],
      ['stderr (server and simulator logs)', stderr],
      ...files.map((path) => [path.slice(outDir.length + 1), readFileSync(path, 'utf8')] as [string, string]),
    ]);
    expect(leaks(secrets, places)).toEqual([]);
    // The store still shows in the result, with its password masked.
    expect(readFileSync(files.find((path) => path.endsWith('result.json'))!, 'utf8')).toContain(`${user}:***@`);
  });
});
