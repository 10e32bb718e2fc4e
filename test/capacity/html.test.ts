import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capacityCharts, extractCapacityData, renderCapacityHtml } from '../../capacity/html.js';
import { writeCapacityReport } from '../../capacity/report.js';
import { sweepOf, sweepStep } from './fixtures.js';

describe('capacity report', () => {
  it('draws the measured steps and the fitted model from the same data as sweep.json', () => {
    const sweep = sweepOf([sweepStep(1, 1000), sweepStep(2, 2000), sweepStep(3, 4000)]);
    const html = renderCapacityHtml(sweep);
    const data = extractCapacityData(html);
    expect(data.sweep).toEqual(sweep);
    expect(html).toContain('uPlot');
    const rates = data.charts.find((chart) => chart.id === 'rates')!;
    expect(rates.x).toEqual([1000, 2000, 4000]);
    expect(rates.series.find((s) => s.label === 'read measured')!.values).toEqual([98, 196, 392]);
    expect(rates.series.find((s) => s.label === 'read model')!.values[2]).toBeCloseTo(392, 6);
    const aggregation = data.charts.find((chart) => chart.id === 'aggregation')!;
    expect(aggregation.x).toEqual([10_000, 20_000, 40_000]);
    expect(aggregation.series.find((s) => s.label === 'cron model')!.values[0]).toBeCloseTo(30, 6);
    expect(capacityCharts(sweep).map((chart) => chart.id)).toEqual(['rates', 'latency', 'cpu', 'rss', 'membership', 'aggregation']);
    expect(html).toContain('No CPU probe in this sweep');
    const probed = renderCapacityHtml({ ...sweep, cpu_probe: { hosts: 10, seconds: 2, rate_per_s: 100, idle_cpu_ms_per_s: 12.5, endpoints: { write: { requests: 200, rate_per_s: 100, cpu_ms_per_req: 0.4321 } } } });
    expect(probed).toMatch(/<td>write<\/td><td>200<\/td><td>100\/s<\/td><td>0\.432<\/td>/);
  });

  it('writes runs/<timestamp>-capacity/ with report.html and sweep.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-capacity-'));
    const files = writeCapacityReport(sweepOf([sweepStep(1, 1000)]), dir, new Date('2026-11-26T15:00:00Z'));
    expect(files.dir).toBe(join(dir, '2026-11-26T15-00-00Z-capacity'));
    expect(JSON.parse(readFileSync(files.sweep, 'utf8')).schema).toBe('osqsim.capacity-sweep/v1');
    expect(readFileSync(files.html, 'utf8')).toContain('osqsim-capacity-data');
  });
});

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));

describe('capacity report in a browser', () => {
  it.skipIf(chromium === undefined)(`draws every chart offline${chromium === undefined ? ' (skipped: no Chromium installed)' : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-capacity-html-'));
    const files = writeCapacityReport(sweepOf([sweepStep(1, 1000), sweepStep(2, 2000), sweepStep(3, 4000)]), dir);
    const dom = execFileSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', '--virtual-time-budget=5000', `file://${files.html}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    expect(dom).toContain('data-charts-drawn="6"');
    expect((dom.match(/class="uplot/g) ?? []).length).toBe(6);
  }, 90_000);
});
