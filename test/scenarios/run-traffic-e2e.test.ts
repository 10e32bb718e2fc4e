/**
 * A quickstart-sized `osqsim run` (scenarios/quickstart.yaml, shortened) on each store shows the
 * server's traffic per query kind — host vitals and labels — in result.json, summary.md and
 * report.html (issue 14's "done when").
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../cli/run.js';
import type { ResultDocument } from '../../contract/result.js';
import { EXIT } from '../../lib/exit-codes.js';
import { describeMysql } from '../helpers/mysql.js';

const QUICKSTART = join(import.meta.dirname, '..', '..', 'scenarios', 'quickstart.yaml');

async function runQuickstart(extra: Record<string, string | boolean>): Promise<{ code: number; doc: ResultDocument; summary: string; html: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'osqsim-traffic-'));
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(QUICKSTART, { out: outDir, quiet: true, hosts: '200', duration: '24s', warmup: '4s', ...extra }, (t) => out.push(t), (t) => err.push(t));
  const dir = /report: (.+)[\\/]report\.html/.exec(out.join(''))?.[1];
  if (dir === undefined) throw new Error(`no report (exit ${code}):\n${out.join('')}\n${err.join('')}`);
  return {
    code,
    doc: JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultDocument,
    summary: readFileSync(join(dir, 'summary.md'), 'utf8'),
    html: readFileSync(join(dir, 'report.html'), 'utf8'),
  };
}

function checkTraffic(r: Awaited<ReturnType<typeof runQuickstart>>): void {
  // Thresholds written for the 2-minute run may fail on a shortened one; the run itself worked.
  expect([EXIT.OK, EXIT.THRESHOLDS_FAILED]).toContain(r.code);
  const traffic = r.doc.server!.traffic!;
  const enrolled = r.doc.endpoints.enroll!.count;
  expect(enrolled).toBeGreaterThan(100);
  // Every new host is due its vitals and labels at once: each enrolled host got both.
  expect(traffic.detail_queries_sent).toBeGreaterThanOrEqual(enrolled);
  expect(traffic.detail_results.stored).toBeGreaterThanOrEqual(enrolled);
  expect(traffic.detail_results.stored).toBeLessThanOrEqual(traffic.detail_queries_sent);
  // At least the host-columns row per host that answered (the quickstart groups carry no software tables).
  expect(traffic.vitals_rows_written).toBeGreaterThanOrEqual(enrolled);
  expect(traffic.label_queries_sent).toBeGreaterThanOrEqual(enrolled);
  const labelAnswers = traffic.label_results.member + traffic.label_results.not_member + traffic.label_results.error;
  expect(labelAnswers).toBeGreaterThan(0);
  expect(labelAnswers).toBeLessThanOrEqual(traffic.label_queries_sent);
  expect(traffic.label_results.member).toBeGreaterThan(0);
  expect(r.summary).toContain('Server traffic by query kind');
  expect(r.summary).toMatch(new RegExp(`\\| host vitals \\(detail\\) \\| ${traffic.detail_queries_sent.toLocaleString('en-US')} \\|`));
  expect(r.summary).toMatch(new RegExp(`\\| labels \\| ${traffic.label_queries_sent.toLocaleString('en-US')} \\|`));
  expect(r.summary).toContain(`${traffic.vitals_rows_written.toLocaleString('en-US')} vitals rows written`);
  expect(r.html).toContain('<table id="traffic">');
}

describe('quickstart-sized run: traffic per query kind (memory store)', () => {
  it('reports vitals and label traffic from the server in result, summary and html', async () => {
    checkTraffic(await runQuickstart({}));
  }, 120_000);
});

describeMysql('quickstart-sized run: traffic per query kind (MySQL store)', (db) => {
  it('reports vitals and label traffic from the server in result, summary and html', async () => {
    checkTraffic(await runQuickstart({ store: db.url }));
  }, 120_000);
});
