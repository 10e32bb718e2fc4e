/**
 * What `osqsim simulate` prints: a live progress line (one line rewritten on a TTY, a plain line every
 * 10 s otherwise) and the end-of-run summary table. Pure formatting; the command decides where to write.
 */
import { type ResultDocument } from '../contract/result.js';
import { AGENT_ENDPOINTS } from '../contract/vocabulary.js';
import type { LiveWindow } from '../simulator/pool.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function progressLine(window: LiveWindow, hosts: number): string {
  const read = window.endpoints.read;
  return [
    `[${window.t}s${window.warmup ? ' warm-up' : ''}]`,
    `hosts ${int(window.hosts_enrolled)}/${int(hosts)} enrolled`,
    `${int(window.rate)} req/s`,
    `read p99 ${read ? ms(read.p99) : '-'} ms`,
    `errors ${int(window.errors)}`,
    window.checkins.late > 0 ? `late ${int(window.checkins.late)}` : '',
    `gen busy ${(window.generator.elu_max * 100).toFixed(0)}%`,
  ]
    .filter(Boolean)
    .join(' · ');
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function summaryTable(result: ResultDocument): string {
  const lines: string[] = [];
  const { run } = result;
  lines.push(
    `osqsim simulate — ${run.hosts} hosts, ${run.workers} worker(s), ${run.connection_mode === 'elastic' ? `elastic connections (peak ${run.connections})` : `${run.connections} connections`}, seed ${run.seed}, ${run.duration_s.toFixed(1)} s` +
      (run.warmup_s > 0 ? ` (${run.warmup_s} s warm-up excluded)` : ''),
  );
  lines.push(`target ${run.target.join(', ')}`);
  lines.push('');
  const header = ['endpoint', 'count', 'req/s', 'errors', 'lat p50', 'p90', 'p99', 'p99.9', 'max', 'svc p99'];
  const present = AGENT_ENDPOINTS.filter((name) => result.endpoints[name] !== undefined);
  const widths = [Math.max(9, ...present.map((name) => name.length)), 10, 9, 8, 9, 9, 9, 9, 9, 9];
  lines.push(header.map((h, i) => pad(h, widths[i]!, i > 0)).join(' '));
  for (const name of present) {
    const e = result.endpoints[name]!;
    const errors = Object.values(e.errors).reduce((a, b) => a + (b ?? 0), 0);
    const row = [name, int(e.count), e.rate_per_s.toFixed(1), int(errors), ms(e.latency_ms.p50), ms(e.latency_ms.p90), ms(e.latency_ms.p99), ms(e.latency_ms.p999), ms(e.latency_ms.max), ms(e.service_ms.p99)];
    lines.push(row.map((c, i) => pad(c, widths[i]!, i > 0)).join(' '));
  }
  lines.push('(latency in ms, measured from the intended start: no coordinated omission; svc = send → response)');
  const c = result.checkins;
  lines.push(`check-ins ${int(c.scheduled)} · late (> 1 s) ${int(c.late)} · max lag ${int(c.max_lag_ms)} ms`);
  const errorsByClass = new Map<string, number>();
  for (const e of Object.values(result.endpoints)) for (const [k, v] of Object.entries(e?.errors ?? {})) errorsByClass.set(k, (errorsByClass.get(k) ?? 0) + (v ?? 0));
  if (errorsByClass.size > 0) lines.push(`errors by class: ${[...errorsByClass].map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
  if (result.policies.length > 0) {
    lines.push('');
    lines.push(`${pad('policy', 40)} ${pad('passing', 9, true)} ${pad('failing', 9, true)} ${pad('unknown', 9, true)}`);
    for (const p of result.policies) {
      const label = `${p.id}${p.name ? ` ${p.name}` : ''}`.slice(0, 40);
      lines.push(`${pad(label, 40)} ${pad(int(p.truth.passing), 9, true)} ${pad(int(p.truth.failing), 9, true)} ${pad(int(p.truth.unknown), 9, true)}`);
    }
  }
  const g = result.generator;
  lines.push('');
  lines.push(
    `generator: cpu ${g.cpu_pct.toFixed(0)}% of one core · event-loop p99 ${ms(g.event_loop_p99_ms)} ms` +
      (g.client_queue_p99_ms === undefined ? '' : ` · client queue p99 ${ms(g.client_queue_p99_ms)} ms`) +
      ` · max in flight ${int(g.max_in_flight)}`,
  );
  const side = g.saturated_side ?? (g.saturated ? 'generator' : 'none');
  lines.push(`saturated side: ${side}${side === 'generator' ? ' (latency figures include the simulator\'s own delay)' : side === 'target' ? ' (the server\'s service time sets the latency)' : ''}`);
  for (const reason of g.saturation_reasons ?? g.warnings) lines.push(`!! ${reason}`);
  return lines.join('\n');
}
