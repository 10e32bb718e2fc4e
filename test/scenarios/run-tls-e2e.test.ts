/**
 * `osqsim run` with TLS: the server it starts serves HTTPS with a self-signed CA (server.tls in the
 * scenario, or `--tls`), and every client of the run (simulator, REST calls, sampler) trusts only it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/run.js';
import type { ResultDocument } from '../../contract/result.js';
import { EXIT } from '../../lib/exit-codes.js';
import { describeMysql } from '../helpers/mysql.js';

const TLS_SCENARIO = join(import.meta.dirname, 'fixtures', 'tiny-tls.yaml');

async function run(scenario: string, flags: Record<string, string | boolean>): Promise<{ code: number; out: string; doc: ResultDocument }> {
  const out: string[] = [];
  const code = await runCommand(scenario, { out: mkdtempSync(join(tmpdir(), 'osqsim-run-tls-')), ...flags }, (t) => out.push(t), (t) => out.push(t));
  const result = /result: (.+result\.json)/.exec(out.join(''));
  if (!result) throw new Error(`no result printed (exit ${code}):\n${out.join('')}`);
  return { code, out: out.join(''), doc: JSON.parse(readFileSync(result[1]!, 'utf8')) as ResultDocument };
}

function checkTlsRun(doc: ResultDocument): void {
  expect(doc.run.target[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(doc.endpoints.read!.count).toBeGreaterThan(50);
  // Traffic reached the server over TLS, the REST calls read the counts and the sampler read /metrics.
  expect(doc.policies.find((p) => p.name === 'Firewall')!.server).toMatchObject({ passing: 20, failing: 0 });
  expect(doc.server!.samples.length).toBeGreaterThan(3);
}

describe('osqsim run with TLS (memory store)', () => {
  it('server.tls: self-signed — hosts check in over HTTPS, and a restarted server keeps the CA they trust', async () => {
    const r = await run(TLS_SCENARIO, { quiet: true });
    checkTlsRun(r.doc);
    expect(r.doc.timeline!.map((e) => [e.kind, e.ok])).toEqual([['restart_server', true]]);
    // After the restart every host re-enrolled (memory store) over new TLS connections; the first
    // enrolls fall in the warm-up, so these are the re-enroll wave.
    expect(r.doc.endpoints.enroll!.count).toBeGreaterThanOrEqual(20);
    expect((r.doc.scenario as { server: { tls: string } }).server.tls).toBe('self-signed');
    expect(r.code).toBe(EXIT.OK);
  }, 90_000);

  it('exits 2 for --tls on a scenario with a target:', async () => {
    const out: string[] = [];
    const scenario = join(mkdtempSync(join(tmpdir(), 'osqsim-run-tls-')), 'target.yaml');
    writeFileSync(scenario, 'hosts: 1\ntarget: { url: "https://127.0.0.1:1" }\nfleet: { groups: [ { name: a, count: 1, platform: darwin, os_version: "14" } ] }\n');
    expect(await runCommand(scenario, { tls: true }, (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(out.join('')).toContain('--tls applies to the server osqsim starts');
  });
});

describeMysql('osqsim run with TLS (MySQL store)', (db) => {
  it('osqsim run --tls on MySQL: hosts check in over HTTPS', async () => {
    const r = await run(TLS_SCENARIO, { quiet: true, store: db.url, tls: true });
    checkTlsRun(r.doc);
    expect(r.code).toBe(EXIT.OK);
  }, 90_000);
});

