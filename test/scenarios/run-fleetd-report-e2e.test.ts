/**
 * A short `osqsim run` of a small fleetd fleet (160 hosts, 40 s, memory store, fleetd_phase steady):
 * result.json, summary.md and report.html carry every orbit and Fleet Desktop endpoint the hosts
 * sent, with the plan's rates beside them.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../cli/run.js';
import type { ResultDocument } from '../../contract/result.js';
import { EXIT } from '../../lib/exit-codes.js';
import { ENDPOINT_INFO, ORBIT_ENDPOINTS } from '../../contract/vocabulary.js';
import { drawCharts } from '../reports/chart-stub.js';

const SCENARIO = {
  name: 'fleetd-report',
  description: 'fleetd hosts beside plain osquery ones',
  seed: 12,
  hosts: 160,
  duration: '40s',
  warmup: '10s',
  server: { store: 'memory', stats: { strategy: 'cron', interval: '1h' } },
  agent: { distributed_interval: '10s', config_refresh: '60s', logger_tls_period: '10s', start_period: '2s', fleetd_phase: 'steady' },
  fleet: {
    groups: [
      { name: 'mac', weight: 2, platform: 'darwin', os_version: '14.6.1', agent: 'fleetd' },
      { name: 'kiosk', weight: 1, platform: 'ubuntu', os_version: '22.04', agent: 'fleetd', fleet_desktop: false },
      { name: 'plain', weight: 1, platform: 'windows', os_version: '10.0.22631' },
    ],
  },
  policies: [{ name: 'always', query: 'SELECT 1;' }],
};

describe('osqsim run of a fleetd fleet (short): fleetd endpoints in the reports', () => {
  it('result, summary and html have orbit and Desktop rows and charts', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'osqsim-fleetd-report-'));
    const out: string[] = [];
    const err: string[] = [];
    const file = join(outDir, 'fleetd-report.yaml');
    writeFileSync(file, stringify(SCENARIO));
    const code = await runCommand(file, { out: outDir, quiet: true, workers: '1' }, (t) => out.push(t), (t) => err.push(t));
    const dir = /report: (.+)[\\/]report\.html/.exec(out.join(''))?.[1];
    if (dir === undefined) throw new Error(`no report (exit ${code}):\n${out.join('')}\n${err.join('')}`);
    expect(code).toBe(EXIT.OK);
    const doc = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultDocument;
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');

    // Hosts start within 2 s; over the 30 s after the warm-up every 10 s and 30 s ticker fires, and with
    // fleetd_phase steady the 5 min ones for a tenth of the hosts.
    const sent = ORBIT_ENDPOINTS.filter((e) => (doc.endpoints[e]?.count ?? 0) > 0);
    for (const e of ['orbit_config', 'device_ping', 'orbit_ping', 'device_token_ping', 'desktop'] as const) expect(sent).toContain(e);
    // The plan the run carries lists every fleetd endpoint, and the measured rates are near it.
    for (const e of ORBIT_ENDPOINTS) expect(doc.plan!.rates[e], e).toBeTypeOf('number');
    for (const e of ['orbit_config', 'device_ping'] as const) {
      expect(doc.endpoints[e]!.rate_per_s / doc.plan!.rates[e]!, e).toBeGreaterThan(0.75);
      expect(doc.endpoints[e]!.rate_per_s / doc.plan!.rates[e]!, e).toBeLessThan(1.25);
    }

    for (const e of sent) {
      expect(summary, e).toMatch(new RegExp(`\\| ${e} \\| [\\d,]+ \\|`));
      expect(html, e).toContain(`<td title="${ENDPOINT_INFO[e].label}">${e}</td>`);
      expect(html, e).toMatch(new RegExp(`<tr><td>${e}</td><td class="t">${ENDPOINT_INFO[e].kind}</td>`));
    }
    expect(summary).toMatch(/Requests per host by sender: osquery 0\.\d{4}, orbit 0\.\d{4}, desktop 0\.\d{4}/);
    const { charts, emptied } = drawCharts(html);
    expect(emptied).toEqual([]);
    const rate = charts.find((c) => c.id === 'chart-fleetd-rate')!;
    expect(rate.labels).toEqual(ORBIT_ENDPOINTS.filter((e) => doc.endpoints[e] !== undefined || doc.windows.some((w) => w.endpoints[e] !== undefined)));
    expect(rate.labels).toContain('device_ping');
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['chart-fleetd-latency', 'chart-fleetd-distribution']));
  }, 180_000);
});
