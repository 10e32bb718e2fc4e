/**
 * The server's traffic per query kind (the result's `server.traffic`, read from the server's /metrics
 * by the harness) as table rows, shared by summary.md and report.html: what was sent, what came back
 * and what was stored, for host vitals, labels and scheduled-query results. Pure.
 */
import type { ServerTraffic } from '../contract/result.js';
import { fmtInt } from './headline.js';

export interface TrafficRow {
  kind: string;
  sent: string;
  answers: string;
  stored: string;
  rows: string;
}

export const TRAFFIC_COLUMNS = ['query kind', 'queries sent', 'answers received', 'stored', 'rows written / received'] as const;

export function trafficRows(traffic: ServerTraffic): TrafficRow[] {
  const d = traffic.detail_results;
  const detailAnswers = d.stored + d.ignored + d.error + d.store_failed;
  const detailNotes = [d.ignored ? `${fmtInt(d.ignored)} ignored` : '', d.error ? `${fmtInt(d.error)} errors` : '', d.store_failed ? `${fmtInt(d.store_failed)} store failures` : ''].filter(Boolean);
  const l = traffic.label_results;
  const labelAnswers = l.member + l.not_member + l.error;
  return [
    {
      kind: 'host vitals (detail)',
      sent: fmtInt(traffic.detail_queries_sent),
      answers: `${fmtInt(detailAnswers)}${detailNotes.length ? ` (${detailNotes.join(', ')})` : ''}`,
      stored: fmtInt(d.stored),
      rows: `${fmtInt(traffic.vitals_rows_written)} vitals rows written`,
    },
    {
      kind: 'labels',
      sent: fmtInt(traffic.label_queries_sent),
      answers: `${fmtInt(labelAnswers)} (member ${fmtInt(l.member)}, not member ${fmtInt(l.not_member)}, error ${fmtInt(l.error)})`,
      stored: fmtInt(l.member + l.not_member),
      rows: '–',
    },
    {
      kind: 'scheduled queries (/log)',
      sent: '–',
      answers: `${fmtInt(traffic.log_results_received)} result lines`,
      stored: fmtInt(traffic.log_results_stored),
      rows: `${fmtInt(traffic.log_result_rows)} result rows received`,
    },
  ];
}
