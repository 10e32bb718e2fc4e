/** `osqsim bench checkin`'s readable table. */
import type { LatencyDistribution } from '../simulator/open-loop/driver.js';
import type { BenchDocument } from './bench-document.js';
import type { CheckinBenchParams, CheckinBenchResults, TlsComparison } from './checkin-bench.js';

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
  if (r.tls) lines.push('', ...formatTlsComparison(r.tls));
  if (r.endpoints) {
    lines.push('', `above: ${p.endpoint}; every endpoint measured (one after the other):`);
    for (const [name, e] of Object.entries(r.endpoints)) {
      const cpu = e.tls ? `, server CPU µs/req http ${e.tls.http.server_cpu_us_per_request ?? '–'} https ${e.tls.https.server_cpu_us_per_request ?? '–'}` : '';
      lines.push(`  ${name.padEnd(8)} ${e.rate_per_s.toFixed(1)} req/s, p50 ${e.latency_ms.p50} ms, p99 ${e.latency_ms.p99} ms, ${e.requests.non_2xx} non-2xx, ${e.errors.total} errors${cpu}`);
    }
  }
  return lines.join('\n');
}

/** `--tls`: plain HTTP and HTTPS side by side (the lines above are the HTTPS run's). */
export function formatTlsComparison(tls: TlsComparison): string[] {
  const cell = (value: number | null, unit = ''): string => (value === null ? 'n/a' : `${value}${unit}`);
  const row = (name: string, http: string, https: string, ratio = ''): string => `${name.padEnd(28)}${http.padStart(14)}${https.padStart(14)}${ratio.padStart(13)}`;
  const { http, https } = tls;
  return [
    `TLS cost (store ${tls.store}; the same load against a plain and an HTTPS osqsim server, one after the other)`,
    row('', 'http', 'https', 'https ÷ http'),
    row('req/s', String(http.rate_per_s), String(https.rate_per_s), String(tls.ratio.rate)),
    row('server CPU µs / request', cell(http.server_cpu_us_per_request), cell(https.server_cpu_us_per_request), cell(tls.ratio.cpu_per_request)),
    row('server CPU (% of a core)', cell(http.server_cpu_pct, '%'), cell(https.server_cpu_pct, '%')),
    row('latency p50 / p99 ms', `${http.latency_p50_ms} / ${http.latency_p99_ms}`, `${https.latency_p50_ms} / ${https.latency_p99_ms}`),
    row('errors', String(http.errors), String(https.errors)),
    row('new connections / s', String(http.connect.per_s), String(https.connect.per_s)),
    row('ms per connect / handshake', String(http.connect.mean_ms), String(https.connect.mean_ms)),
    row('server CPU µs / connection', cell(http.connect.server_cpu_us_per_connection), cell(https.connect.server_cpu_us_per_connection)),
    `new connections: ${http.connect.connections} TCP connects, ${https.connect.connections} TLS handshakes (ECDSA P-256, verified against the CA)${https.connect.first_failure ? `; first failure ${https.connect.first_failure}` : ''}`,
  ];
}
