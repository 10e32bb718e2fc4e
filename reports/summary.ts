/**
 * summary.md: the headline table of a run, readable in a terminal, a pull request or a chat.
 */
import { renderDeployment } from './deployment.js';
import { timelineResult } from './timeline.js';
import { fmtInt, fmtMs, fmtPct, fmtRate, headline, saturationSentence } from './headline.js';
import type { ResultDocument } from '../contract/result.js';
import { formatThresholdValue } from './metrics.js';
import { TRAFFIC_COLUMNS, trafficRows } from './traffic.js';
import { ENDPOINT_INFO, ENDPOINT_KINDS } from '../contract/vocabulary.js';

export function renderSummary(doc: ResultDocument): string {
  const h = headline(doc);
  const name = typeof doc.scenario.name === 'string' ? doc.scenario.name : 'run';
  const failed = doc.thresholds.filter((t) => !t.ok);
  const lines: string[] = [];
  lines.push(`# osqsim run: ${name}`);
  lines.push('');
  const verdict = doc.thresholds.length === 0 ? 'no thresholds set' : failed.length === 0 ? `all ${doc.thresholds.length} thresholds passed` : `${failed.length} of ${doc.thresholds.length} thresholds FAILED`;
  lines.push(
    `${doc.run.started_at} · ${fmtInt(doc.run.hosts)} hosts · ${doc.run.duration_s}s (warm-up ${doc.run.warmup_s}s excluded) · store ${doc.run.store}${editedPoliciesNote(doc)} · target ${doc.run.target.join(', ')} · seed ${doc.run.seed} · **${verdict}**`,
  );
  lines.push('');
  if (h.saturation.side !== 'none') {
    lines.push(`> ${saturationSentence(h)}`);
    lines.push('');
  }
  // req/s per host: the request mix, comparable with Fleet's published per-host figures (docs/fidelity.md).
  const perHost = (rate: number): string => (doc.run.hosts > 0 ? (rate / doc.run.hosts).toFixed(4) : '–');
  lines.push('| endpoint | requests | req/s | req/s/host | errors | p50 | p90 | p99 | p99.9 | max |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const e of h.endpoints) {
    lines.push(
      `| ${e.endpoint} | ${fmtInt(e.count)} | ${fmtRate(e.rate_per_s)} | ${perHost(e.rate_per_s)} | ${fmtInt(e.errors)} (${fmtPct(e.error_rate)}) | ${fmtMs(e.p50)} | ${fmtMs(e.p90)} | ${fmtMs(e.p99)} | ${fmtMs(e.p999)} | ${fmtMs(e.max)} |`,
    );
  }
  lines.push(`| **all** | ${fmtInt(h.total.count)} | ${fmtRate(h.total.rate_per_s)} | ${perHost(h.total.rate_per_s)} | ${fmtInt(h.total.errors)} (${fmtPct(h.total.error_rate)}) | | | | | |`);
  lines.push('');
  // With fleetd hosts, the mix by sender (osquery, orbit, Fleet Desktop), as Fleet's load tests compare them.
  const byKind = ENDPOINT_KINDS.map((kind) => ({ kind, rate: h.endpoints.filter((e) => ENDPOINT_INFO[e.endpoint].kind === kind).reduce((sum, e) => sum + e.rate_per_s, 0) }));
  if (byKind.filter((k) => k.rate > 0).length > 1) {
    lines.push(`Requests per host by sender: ${byKind.map((k) => `${k.kind} ${perHost(k.rate)}`).join(', ')}, all ${perHost(h.total.rate_per_s)} req/s/host.`);
    lines.push('');
  }
  lines.push('Latency is corrected for coordinated omission (response − intended start).');
  if (doc.plan) {
    const planned = h.endpoints.map((e) => `${e.endpoint} ${fmtRate(doc.plan!.rates[e.endpoint] ?? 0)}`).join(', ');
    lines.push('');
    lines.push(`Planned (osqsim scenario plan, after warm-up): ${planned} req/s; ${fmtRate(doc.plan.membership_writes_per_s)} membership rows written/s; ${fmtInt(doc.plan.membership_rows)} rows at the end.`);
  }
  lines.push('');
  lines.push('| what | value |');
  lines.push('|---|---:|');
  lines.push(`| check-ins late (> 1 s after intended) | ${fmtInt(h.checkins.late)} of ${fmtInt(h.checkins.scheduled)} (${fmtPct(h.checkins.late_rate)}), max lag ${fmtMs(h.checkins.max_lag_ms)} |`);
  if (h.counts.error_max !== null) {
    const unscored = doc.policies.filter((p) => p.unscored !== undefined).length;
    lines.push(`| policy counts: max error vs truth | ${fmtInt(h.counts.error_max)} hosts (${h.counts.policies_read} policies scored${unscored ? `; ${unscored} not scored after a team move` : ''}) |`);
    lines.push(`| policy counts: max staleness | ${h.counts.staleness_max_s!.toFixed(1)} s |`);
  } else {
    lines.push('| policy counts | not read (no API access to the target) |');
  }
  if (h.aggregations.runs > 0) {
    lines.push(`| aggregation runs | ${h.aggregations.runs}, avg ${fmtMs(h.aggregations.duration_avg_ms)}, max ${fmtMs(h.aggregations.duration_max_ms)}, max drift ${fmtInt(h.aggregations.drift_max)} |`);
  }
  if (h.server) {
    lines.push(`| server CPU (avg / max) | ${h.server.cpu_avg.toFixed(0)}% / ${h.server.cpu_max.toFixed(0)}% |`);
    lines.push(`| server RSS (max) | ${h.server.rss_max_mb.toFixed(0)} MB |`);
    lines.push(`| server event-loop delay p99 (max) | ${fmtMs(h.server.event_loop_p99_max_ms)} |`);
    const resultRates = (doc.server?.samples ?? []).map((sample) => sample.scheduled_query_rows_per_s ?? 0);
    if (resultRates.some((rate) => rate > 0)) {
      const mean = resultRates.reduce((sum, rate) => sum + rate, 0) / resultRates.length;
      lines.push(`| scheduled-query result rows received (avg / max) | ${fmtRate(mean)} / ${fmtRate(Math.max(...resultRates))} rows/s |`);
    }
  }
  const agents = agentsRow(doc.agents);
  if (agents !== undefined) lines.push(`| agents (osquery's failure rules) | ${agents} |`);
  const queue = doc.generator.client_queue_p99_ms === undefined ? '' : `, client queue p99 ${fmtMs(doc.generator.client_queue_p99_ms)}`;
  lines.push(`| generator | CPU ${doc.generator.cpu_pct.toFixed(0)}%, event-loop p99 ${fmtMs(doc.generator.event_loop_p99_ms)}${queue}${doc.generator.saturated ? ', SATURATED' : ''} |`);
  lines.push(`| saturated side | ${h.saturation.side} |`);
  lines.push('');
  if (doc.server?.traffic) {
    lines.push('Server traffic by query kind (the server\'s /metrics, whole run including warm-up):');
    lines.push('');
    lines.push(`| ${TRAFFIC_COLUMNS.join(' | ')} |`);
    lines.push('|---|---:|---:|---:|---:|');
    for (const row of trafficRows(doc.server.traffic)) lines.push(`| ${row.kind} | ${row.sent} | ${row.answers} | ${row.stored} | ${row.rows} |`);
    lines.push('');
  }
  if (doc.thresholds.length > 0) {
    lines.push('| threshold | value | result |');
    lines.push('|---|---:|---|');
    for (const t of doc.thresholds) {
      lines.push(`| \`${t.expr}\` | ${formatThresholdValue(t.expr, t.value)} | ${t.ok ? 'pass' : '**FAIL**'} |`);
    }
    lines.push('');
  }
  if (doc.deployment) lines.push(...renderDeployment(doc.deployment));
  const events = doc.timeline ?? [];
  if (events.length > 0) {
    lines.push('| t | timeline event | result |');
    lines.push('|---:|---|---|');
    for (const e of events) lines.push(`| ${e.t.toFixed(0)}s | ${e.kind}: ${e.detail} | ${timelineResult(e)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The what-if mode of edited policies, when the run used it (Fleet's behaviour needs no note). */
export function editedPoliciesNote(doc: ResultDocument): string {
  return doc.run.edited_policies === 'immediate' ? ' · edited policies: immediate (what-if, not Fleet\'s behaviour)' : '';
}

/** What the agents' failure rules did, when anything (result.json `agents`; docs/fidelity.md). */
function agentsRow(a: ResultDocument['agents']): string | undefined {
  if (a === undefined) return undefined;
  const parts: string[] = [];
  if (a.write_results_retained > 0 || a.write_results_dropped > 0) {
    parts.push(`write results retained ${fmtInt(a.write_results_retained)}, re-sent ${fmtInt(a.write_results_resent)}, dropped ${fmtInt(a.write_results_dropped)}`);
  }
  if (a.enroll_gave_up > 0) parts.push(`enroll sequences given up ${fmtInt(a.enroll_gave_up)}`);
  if (a.crashes > 0) parts.push(`crashes ${fmtInt(a.crashes)} (results lost ${fmtInt(a.crash_results_lost)})`);
  if (a.denylisted_answers > 0) parts.push(`denylisted answers ${fmtInt(a.denylisted_answers)}`);
  if (a.batches_aborted > 0) parts.push(`batches refused (discovery SQL error) ${fmtInt(a.batches_aborted)}`);
  if (a.log_lines_purged > 0) parts.push(`log lines purged ${fmtInt(a.log_lines_purged)}`);
  // Each follows 401s (counted as 4xx on orbit_config / orbit_device_token): an orbit node key the server had replaced.
  if ((a.orbit_reenrolls ?? 0) > 0) parts.push(`orbit re-enrolls after 45 s of 401s ${fmtInt(a.orbit_reenrolls)}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
