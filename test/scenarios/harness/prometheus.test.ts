import { describe, expect, it } from 'vitest';
import { counterFromMetrics, eventLoopP99FromMetrics, parsePrometheus, parsePrometheusSeries } from '../../../scenarios/harness/prometheus.js';

describe('Prometheus text', () => {
  it('reads event-loop delay and counters from metrics', () => {
    expect(eventLoopP99FromMetrics('# HELP x\nosqsim_event_loop_delay_p99_seconds 0.0123\n')).toBe(12.3);
    expect(eventLoopP99FromMetrics('other 1\n')).toBeUndefined();
    expect(counterFromMetrics('osqsim_ingest_rows_total 1200\nosqsim_ingest_rows_totally 5\n', 'osqsim_ingest_rows_total')).toBe(1200);
    expect(counterFromMetrics('x{a="1"} 2\nx{a="2"} 3\n', 'x')).toBe(5);
    expect(counterFromMetrics('', 'x')).toBeUndefined();
  });

  it('keys each series by name and label set, skipping comments and non-finite values', () => {
    const text = [
      '# HELP osqsim_http_request_duration_seconds handler time',
      '# TYPE osqsim_http_request_duration_seconds summary',
      'osqsim_http_request_duration_seconds_count{endpoint="read"} 120',
      'osqsim_http_request_duration_seconds_count{endpoint="write"} 7',
      'osqsim_ingest_rows_total 3.5e3',
      'up NaN',
      '',
    ].join('\n');
    expect([...parsePrometheus(text)]).toEqual([
      ['osqsim_http_request_duration_seconds_count{endpoint="read"}', 120],
      ['osqsim_http_request_duration_seconds_count{endpoint="write"}', 7],
      ['osqsim_ingest_rows_total', 3500],
    ]);
  });

  it('takes the value, not the optional timestamp, and keeps quoted braces and spaces inside labels', () => {
    expect(parsePrometheusSeries('requests_total{path="/a b}"} 42 1700000000000\n')).toEqual([{ name: 'requests_total', labels: '{path="/a b}"}', value: 42 }]);
  });
});
