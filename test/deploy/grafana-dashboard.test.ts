/**
 * deploy/grafana/osqsim.json, imported into Grafana as is: a Prometheus datasource variable, panels
 * that tile the grid, the server beside the shards, and every query naming only metrics the server's
 * /metrics and a shard's --metrics-port export really have (read from both exporters, not a list).
 * With promtool installed, every query also parses as PromQL (`promtool check rules`).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LiveMetrics } from '../../simulator/live-metrics.js';
import { memoryStores, startTestServer } from '../server/support.js';
import { promtoolPath } from './support.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { uid: string };
  targets?: Array<{ expr: string; refId: string }>;
}
const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'grafana', 'osqsim.json'), 'utf8')) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string }> };
};
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Metric names a query reads: identifiers followed by `{`, `[` or `)`, minus PromQL's own words. */
function metricNames(expr: string): string[] {
  const words = new Set(['sum', 'by', 'rate', 'histogram_quantile', 'max', 'count', 'le', 'endpoint', 'code', 'kind']);
  return [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\s*(?=[{[)])/g)].map((m) => m[1]!).filter((name) => !words.has(name));
}

/** `# TYPE name kind` lines of an export → the names a query may use (histograms: _bucket, _sum, _count). */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, kind] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('Grafana dashboard deploy/grafana/osqsim.json', () => {
  it('uses a Prometheus datasource variable and tiles the 24-column grid without overlap', () => {
    expect(dashboard.uid).toBe('osqsim-run');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      for (let x = panel.gridPos.x; x < panel.gridPos.x + panel.gridPos.w; x++) {
        for (let y = panel.gridPos.y; y < panel.gridPos.y + panel.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${panel.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
      if (panel.type !== 'row') expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('puts the server (left) beside the shards (right), row by row', () => {
    const left = dashboard.panels.filter((p) => p.type !== 'row' && p.gridPos.x === 0);
    const right = dashboard.panels.filter((p) => p.type !== 'row' && p.gridPos.x === 12);
    expect(left.length).toBe(right.length);
    expect(left.every((p) => p.title.startsWith('Server'))).toBe(true);
    expect(right.every((p) => p.title.startsWith('Shards'))).toBe(true);
    expect(left.every((p) => p.targets!.every((t) => t.expr.includes('osqsim_') && !t.expr.includes('osqsim_sim_')))).toBe(true);
    expect(right.every((p) => p.targets!.every((t) => t.expr.includes('osqsim_sim_')))).toBe(true);
  });

  it('queries only metrics the two exporters have', async () => {
    const server = await startTestServer(memoryStores);
    const serverText = (await server.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    await server.close();
    const shardText = new LiveMetrics({ shard: { index: 0, count: 1 }, runHosts: 1, shardHosts: 1 }).render();
    const known = new Set([...exported(serverText), ...exported(shardText)]);
    const used = queries.flatMap((q) => metricNames(q.expr).map((name) => ({ ...q, name })));
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((u) => !known.has(u.name)).map((u) => `${u.panel}: ${u.name}`)).toEqual([]);
  });

  it.skipIf(promtoolPath() === undefined)('every query parses as PromQL (promtool check rules; skipped without promtool)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-grafana-'));
    const rules = { groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `osqsim:dashboard_query_${i}`, expr: q.expr })) }] };
    writeFileSync(join(dir, 'rules.yml'), stringify(rules));
    const checked = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    expect(checked.status, `${checked.stdout}${checked.stderr}`).toBe(0);
    writeFileSync(join(dir, 'bad.yml'), stringify({ groups: [{ name: 'bad', rules: [{ record: 'osqsim:bad', expr: 'sum by (endpoint (rate(x[1m]))' }] }] }));
    expect(spawnSync('promtool', ['check', 'rules', join(dir, 'bad.yml')]).status).not.toBe(0);
  });
});
