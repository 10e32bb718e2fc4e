/**
 * A scenario whose policy file holds labels, a label-scoped policy and a scheduled query: the harness
 * applies the whole file in one step, hosts run the label and the report, and only the label's
 * members run the scoped policy (issue 14: scenarios exercise label-scoped policies and scheduled queries).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../cli/run.js';
import type { ResultDocument } from '../../contract/result.js';
import { EXIT } from '../../lib/exit-codes.js';
import { describeMysql } from '../helpers/mysql.js';

const SCENARIO = join(import.meta.dirname, 'fixtures', 'tiny-library.yaml');

async function run(extra: Record<string, string | boolean>): Promise<{ code: number; doc: ResultDocument; summary: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(SCENARIO, { out: mkdtempSync(join(tmpdir(), 'osqsim-library-')), quiet: true, ...extra }, (t) => out.push(t), (t) => err.push(t));
  const dir = /report: (.+)[\\/]report\.html/.exec(out.join(''))?.[1];
  if (dir === undefined) throw new Error(`no report (exit ${code}):\n${out.join('')}\n${err.join('')}`);
  return { code, doc: JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultDocument, summary: readFileSync(join(dir, 'summary.md'), 'utf8') };
}

function check(r: Awaited<ReturnType<typeof run>>): void {
  expect(r.code).toBe(EXIT.OK);
  // 24 hosts, weights 2:1 → 16 with the firewall on (the label's members), 8 without.
  const scoped = r.doc.policies.find((p) => p.name === 'Stealth mode (firewall hosts only)')!;
  expect(scoped.server).toMatchObject({ passing: 16, failing: 0 });
  expect(scoped.truth).toEqual({ passing: 16, failing: 0, unknown: 0 });
  expect(r.doc.policies.find((p) => p.name === 'Everyone')!.server).toMatchObject({ passing: 24, failing: 0 });
  const traffic = r.doc.server!.traffic!;
  expect(traffic.label_results.member).toBeGreaterThanOrEqual(16);
  // The report ran on its schedule and its results came back on /log and were stored.
  expect(traffic.log_results_received).toBeGreaterThan(0);
  expect(traffic.log_results_stored).toBeGreaterThan(0);
  expect(traffic.log_result_rows).toBeGreaterThan(0);
  expect(r.summary).toContain('| scheduled queries (/log) |');
}

describe('scenario with a library file (memory store)', () => {
  it('applies labels, scoped policies and reports; scoped counts and log traffic show in the result', async () => {
    check(await run({}));
  }, 90_000);
});

describeMysql('scenario with a library file (MySQL store)', (db) => {
  it('applies labels, scoped policies and reports; scoped counts and log traffic show in the result', async () => {
    check(await run({ store: db.url }));
  }, 90_000);
});
