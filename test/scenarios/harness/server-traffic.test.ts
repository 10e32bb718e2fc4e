import { describe, expect, it } from 'vitest';
import { TrafficTotals, trafficFromMetrics } from '../../../scenarios/harness/server-traffic.js';

const page = (n: number): string =>
  [
    '# HELP osqsim_osquery_detail_queries_sent_total x',
    `osqsim_osquery_detail_queries_sent_total ${10 * n}`,
    `osqsim_osquery_detail_results_total{outcome="stored"} ${8 * n}`,
    `osqsim_osquery_detail_results_total{outcome="ignored"} ${n}`,
    `osqsim_osquery_detail_results_total{outcome="error"} ${n}`,
    `osqsim_ingest_vitals_rows_total ${100 * n}`,
    `osqsim_osquery_label_queries_sent_total ${5 * n}`,
    `osqsim_osquery_label_results_total{result="member"} ${3 * n}`,
    `osqsim_osquery_label_results_total{result="not_member"} ${2 * n}`,
    `osqsim_scheduled_query_results_total{outcome="stored"} ${4 * n}`,
    `osqsim_scheduled_query_results_total{outcome="over_cap"} ${n}`,
    `osqsim_scheduled_query_rows_total{query_id="1"} ${7 * n}`,
    `osqsim_scheduled_query_rows_total{query_id="2"} ${n}`,
  ].join('\n');

describe('server traffic per query kind from /metrics', () => {
  it('reads each kind from its counter, summing label sets', () => {
    expect(trafficFromMetrics(page(1))).toEqual({
      detail_queries_sent: 10,
      detail_results: { stored: 8, ignored: 1, error: 1, store_failed: 0 },
      vitals_rows_written: 100,
      label_queries_sent: 5,
      label_results: { member: 3, not_member: 2, error: 0 },
      log_results_received: 5,
      log_results_stored: 4,
      log_result_rows: 8,
    });
    expect(trafficFromMetrics('')).toBeUndefined();
  });

  it('adds up instances and carries on across a restart (counters back at 0)', () => {
    const totals = new TrafficTotals();
    expect(totals.traffic()).toBeUndefined();
    totals.observe('a', page(1));
    totals.observe('a', page(3));
    totals.observe('b', page(2));
    totals.observe('a', ''); // no answer: skipped
    totals.observe('a', page(1)); // restarted: its counters started again
    const traffic = totals.traffic()!;
    expect(traffic.detail_queries_sent).toBe(30 + 20 + 10);
    expect(traffic.label_results.member).toBe(9 + 6 + 3);
    expect(traffic.log_result_rows).toBe(24 + 16 + 8);
  });
});
