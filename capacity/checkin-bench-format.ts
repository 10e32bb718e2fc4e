/** `osqsim bench checkin`'s readable table. */
import type { LatencyDistribution } from '../simulator/open-loop/driver.js';
import type { BenchDocument } from './bench-document.js';
import type { CheckinBenchParams, CheckinBenchResults } from './checkin-bench.js';

export function formatCheckinBench(doc: BenchDocument<CheckinBenchResults, CheckinBenchParams>): string {
  const r = doc.results;
  const p = doc.params;
  const lat = (d: LatencyDistribution): string => `p50 ${d.p50} ms  p90 ${d.p90} ms  p99 ${d.p99} ms  p99.9 ${d.p999} ms  max ${d.max} ms`;
  const lines = [
    `osqsim bench checkin — ${p.endpoint} at ${p.target}, ${r.enroll.hosts} hosts, ${p.connections} connections, ${p.duration_s} s${p.rate ? `, ${p.rate} req/s open loop` : ', closed loop'}`,
    `machine: ${doc.machine.cpus} × ${doc.machine.cpu_model}, node ${doc.machine.node}`,
    '',
    `enroll        ${r.enroll.hosts} hosts in ${r.enroll.duration_ms} ms (${r.enroll.per_s}/s), ${r.enroll.failures} failed${r.enroll.first_failure ? ` — ${r.enroll.first_failure}` : ''}`,
    `requests      ${r.requests.total} (${r.requests.ok} 2xx, ${r.requests.non_2xx} other)`,
    `req/s         ${r.rate_per_s.toFixed(1)} (per second: mean ${r.per_second.mean.toFixed(1)}, min ${r.per_second.min}, max ${r.per_second.max})`,
    `latency       ${lat(r.latency_ms)}`,
  ];
  if (r.service_ms) lines.push(`service time  ${lat(r.service_ms)}`);
  lines.push(`status codes  ${Object.entries(r.status_codes).map(([code, count]) => `${code}: ${count}`).join(', ') || 'none'}`);
  lines.push(`errors        ${r.errors.total} (connect ${r.errors.connect}, timeout ${r.errors.timeout}, other ${r.errors.other})`);
  if (r.read_nonempty !== undefined) lines.push(`non-empty reads ${r.read_nonempty} of ${r.requests.total}`);
  if (r.schedule) {
    lines.push(`schedule      ${r.schedule.sent} of ${r.schedule.intended} sent (${r.schedule.unsent} unsent), ${r.schedule.late_sends} sent > 1 s late, max send lag ${r.schedule.max_send_lag_ms} ms`);
  }
  lines.push(`measurement   ${r.measurement}`);
  return lines.join('\n');
}
