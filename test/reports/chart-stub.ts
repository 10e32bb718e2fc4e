/**
 * Runs report.html's client script (reports/html-client.ts) against a stub DOM and a stub uPlot that
 * records each chart it is asked to draw: which element, how many series, and the columns.
 */
import { expect } from 'vitest';
import { runInNewContext } from 'node:vm';
import { REPORT_CLIENT_SCRIPT } from '../../reports/html-client.js';

export interface DrawnChart {
  id: string;
  series: number;
  labels: string[];
  columns: unknown[][];
}

export function drawCharts(html: string): { charts: DrawnChart[]; window: Record<string, unknown>; emptied: string[] } {
  const charts: DrawnChart[] = [];
  const elements = new Map<string, { clientWidth: number; textContent: string; className: string; id: string }>();
  const dataText = /<script type="application\/json" id="osqsim-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  const document = {
    getElementById(id: string) {
      if (id === 'osqsim-data') return { textContent: dataText };
      if (!html.includes(`id="${id}"`)) return null;
      if (!elements.has(id)) elements.set(id, { clientWidth: 900, textContent: '', className: 'chart', id });
      return elements.get(id);
    },
    body: { setAttribute(name: string, value: string) { (this as unknown as Record<string, string>)[name] = value; } },
  };
  function uPlot(this: unknown, opts: { series: Array<{ label?: string }>; width: number }, columns: unknown[][], el: { id: string }) {
    expect(opts.series.length).toBe(columns.length);
    for (const column of columns) expect((column as unknown[]).length).toBe((columns[0] as unknown[]).length);
    charts.push({ id: el.id, series: opts.series.length, labels: opts.series.slice(1).map((s) => s.label ?? ''), columns });
  }
  (uPlot as unknown as { paths: unknown }).paths = { bars: () => () => null };
  const window: Record<string, unknown> = {};
  runInNewContext(REPORT_CLIENT_SCRIPT, { document, uPlot, window, JSON, Math, Object, Number, String });
  const emptied = [...elements.values()].filter((e) => e.className.includes('empty')).map((e) => e.id);
  return { charts, window, emptied };
}
