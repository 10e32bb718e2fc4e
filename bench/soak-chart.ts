/**
 * bench/soak-chart.ts — the soak's chart (issue 16 item 5 asks for one in the run's report): one SVG per
 * strategy, resident memory of the server and the simulator and the server's event-loop p99 over the run,
 * with the warm-up, the memory baseline and the end windows the verdict compares shaded, and the
 * timeline events marked. Self-contained (no script, no dependency), so it opens from disk and embeds
 * in Markdown.
 */

export interface SoakChartInput {
  title: string;
  durationS: number;
  warmupS: number;
  /** [from, to) seconds of the memory baseline and of the end window (bench/soak.ts soakVerdict). */
  baseline: readonly [number, number];
  end: readonly [number, number];
  server: ReadonlyArray<{ t: number; rss_mb: number; event_loop_p99_ms: number }>;
  simulator: ReadonlyArray<{ t: number; rss_mb: number }>;
  /** The heap in use after major GCs (dashed lines in the memory panel), when probed. */
  serverHeap?: ReadonlyArray<{ t: number; heap_mb: number }>;
  simulatorHeap?: ReadonlyArray<{ t: number; heap_mb: number }>;
  events: ReadonlyArray<{ t: number; kind: string }>;
}

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" upper bound for an axis: 1, 2 or 5 × a power of ten at or above `value`. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function soakChartSvg(input: SoakChartInput): string {
  const width = 900;
  const left = 60;
  const right = 20;
  const panel = 200;
  const gap = 50;
  const top = 40;
  const height = top + panel + gap + panel + 40;
  const plotW = width - left - right;
  const x = (t: number): number => left + (Math.max(0, Math.min(input.durationS, t)) / input.durationS) * plotW;
  const parts: string[] = [];
  const panelAt = (index: number): number => top + index * (panel + gap);

  const line = (all: ReadonlyArray<[number, number]>, yMax: number, y0: number, color: string, label: string, dashed = false): string => {
    const y = (v: number): number => y0 + panel - (Math.min(v, yMax) / yMax) * panel;
    // Samples before the run's t = 0 (the server's first process, the simulator starting) are left out.
    const points = all.filter(([t]) => t >= 0);
    const d = points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
    return d ? `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${dashed ? ' stroke-dasharray="5,3"' : ''}><title>${esc(label)}</title></path>` : '';
  };
  const frame = (y0: number, yMax: number, unit: string, title: string): void => {
    parts.push(`<text x="${left}" y="${y0 - 8}" font-size="13" font-weight="bold">${esc(title)}</text>`);
    // Shaded windows: warm-up (grey), memory baseline and end (green).
    parts.push(`<rect x="${x(0)}" y="${y0}" width="${x(input.warmupS) - x(0)}" height="${panel}" fill="#eee"><title>warm-up</title></rect>`);
    for (const [from, to, name] of [[...input.baseline, 'memory baseline'], [...input.end, 'end window']] as const) {
      parts.push(`<rect x="${x(from)}" y="${y0}" width="${Math.max(1, x(to) - x(from))}" height="${panel}" fill="#dff0d8"><title>${name}</title></rect>`);
    }
    parts.push(`<rect x="${left}" y="${y0}" width="${plotW}" height="${panel}" fill="none" stroke="#999"/>`);
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4;
      const yy = y0 + panel - (i / 4) * panel;
      parts.push(`<line x1="${left - 4}" x2="${left + plotW}" y1="${yy}" y2="${yy}" stroke="#ddd"/><text x="${left - 6}" y="${yy + 4}" font-size="10" text-anchor="end">${Number(v.toPrecision(3))}${unit}</text>`);
    }
    for (let i = 0; i <= 10; i++) {
      const t = (input.durationS * i) / 10;
      parts.push(`<text x="${x(t)}" y="${y0 + panel + 14}" font-size="10" text-anchor="middle">${Math.round(t)}s</text>`);
    }
    for (const event of input.events) {
      parts.push(`<line x1="${x(event.t)}" x2="${x(event.t)}" y1="${y0}" y2="${y0 + panel}" stroke="#c0392b" stroke-dasharray="3,3"><title>${esc(`${event.kind} at ${event.t}s`)}</title></line>`);
    }
  };

  const shown = [...input.server, ...input.simulator].filter((s) => s.t >= 0).map((s) => s.rss_mb);
  const rssMax = niceMax(Math.max(1, ...shown) * 1.05);
  frame(panelAt(0), rssMax, ' MB', 'memory: server (blue), simulator (orange); solid RSS, dashed heap after major GC');
  parts.push(line(input.server.map((s) => [s.t, s.rss_mb]), rssMax, panelAt(0), '#2c7be5', 'server RSS (MB)'));
  parts.push(line(input.simulator.map((s) => [s.t, s.rss_mb]), rssMax, panelAt(0), '#e67e22', 'simulator RSS (MB)'));
  parts.push(line((input.serverHeap ?? []).map((s) => [s.t, s.heap_mb]), rssMax, panelAt(0), '#2c7be5', 'server heap after major GC (MB)', true));
  parts.push(line((input.simulatorHeap ?? []).map((s) => [s.t, s.heap_mb]), rssMax, panelAt(0), '#e67e22', 'simulator main-thread heap after major GC (MB)', true));

  // The event loop is drawn up to the 99th percentile of its samples (a restart's 2000 ms "no answer" would flatten the rest).
  const loops = input.server.map((s) => s.event_loop_p99_ms).sort((a, b) => a - b);
  const loopMax = niceMax(Math.max(1, loops[Math.floor((loops.length - 1) * 0.99)] ?? 1) * 1.1);
  frame(panelAt(1), loopMax, ' ms', 'server event-loop delay p99 (1 s samples; clipped at the axis)');
  parts.push(line(input.server.map((s) => [s.t, s.event_loop_p99_ms]), loopMax, panelAt(1), '#8e44ad', 'server event-loop p99 (ms)'));

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="15" font-weight="bold">${esc(input.title)}</text>`,
    ...parts,
    `<text x="${left}" y="${height - 8}" font-size="10">grey: warm-up · green: memory baseline and end window compared · red dashes: timeline events (restart, edits, refetch, new policies)</text>`,
    '</svg>',
  ].join('\n');
}
