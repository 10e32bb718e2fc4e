/**
 * The server's traffic per query kind (host vitals, labels, scheduled-query results), read from its
 * /metrics counters (server/osquery/service.ts, server/ingest/policy-ingest.ts,
 * server/osquery/schedule.ts). `trafficFromMetrics` reads one page; `TrafficTotals` adds up what one
 * or more server processes counted over a run, carrying on across a restart (a counter that went
 * down belongs to a new process, whose whole value is new traffic). Pure.
 */
import type { ServerTraffic } from '../../contract/result.js';
import { parsePrometheusSeries } from './prometheus.js';

export function emptyTraffic(): ServerTraffic {
  return {
    detail_queries_sent: 0,
    detail_results: { stored: 0, ignored: 0, error: 0, store_failed: 0 },
    vitals_rows_written: 0,
    label_queries_sent: 0,
    label_results: { member: 0, not_member: 0, error: 0 },
    log_results_received: 0,
    log_results_stored: 0,
    log_result_rows: 0,
  };
}

/** A page's counters as flat `field` → value (the shape TrafficTotals adds up). */
type Flat = Record<string, number>;

function labelValue(labels: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];
}

function flatFromMetrics(text: string): Flat | undefined {
  if (text === '') return undefined;
  const flat: Flat = {};
  const add = (key: string, value: number): void => {
    flat[key] = (flat[key] ?? 0) + value;
  };
  for (const s of parsePrometheusSeries(text)) {
    switch (s.name) {
      case 'osqsim_osquery_detail_queries_sent_total':
        add('detail_queries_sent', s.value);
        break;
      case 'osqsim_osquery_detail_results_total': {
        const outcome = labelValue(s.labels, 'outcome');
        if (outcome === 'stored' || outcome === 'ignored' || outcome === 'error' || outcome === 'store_failed') add(`detail_results.${outcome}`, s.value);
        break;
      }
      case 'osqsim_ingest_vitals_rows_total':
        add('vitals_rows_written', s.value);
        break;
      case 'osqsim_osquery_label_queries_sent_total':
        add('label_queries_sent', s.value);
        break;
      case 'osqsim_osquery_label_results_total': {
        const result = labelValue(s.labels, 'result');
        if (result === 'member' || result === 'not_member' || result === 'error') add(`label_results.${result}`, s.value);
        break;
      }
      case 'osqsim_scheduled_query_results_total':
        add('log_results_received', s.value);
        if (labelValue(s.labels, 'outcome') === 'stored') add('log_results_stored', s.value);
        break;
      case 'osqsim_scheduled_query_rows_total':
        add('log_result_rows', s.value);
        break;
    }
  }
  return flat;
}

function fromFlat(flat: Flat): ServerTraffic {
  const traffic = emptyTraffic();
  const record = traffic as unknown as Record<string, number | Record<string, number>>;
  for (const [key, value] of Object.entries(flat)) {
    const [outer, inner] = key.split('.') as [string, string | undefined];
    if (inner === undefined) record[outer] = value;
    else (record[outer] as Record<string, number>)[inner] = value;
  }
  return traffic;
}

/** One /metrics page → the traffic it counts; undefined for an empty page (the server did not answer). */
export function trafficFromMetrics(text: string): ServerTraffic | undefined {
  const flat = flatFromMetrics(text);
  return flat === undefined ? undefined : fromFlat(flat);
}

/** Run totals over server processes, each observed by a key (its URL), read after read. */
export class TrafficTotals {
  private readonly last = new Map<string, Flat>();
  private readonly totals: Flat = {};
  private seen = false;

  /** One /metrics page of the server at `key`; an empty page (no answer) is skipped. */
  observe(key: string, metricsText: string): void {
    const flat = flatFromMetrics(metricsText);
    if (flat === undefined) return;
    this.seen = true;
    const before = this.last.get(key) ?? {};
    for (const [field, value] of Object.entries(flat)) {
      const previous = before[field] ?? 0;
      // A lower value: the process restarted and counts from 0 again.
      const delta = value >= previous ? value - previous : value;
      this.totals[field] = (this.totals[field] ?? 0) + delta;
    }
    this.last.set(key, flat);
  }

  /** The totals so far; undefined when no page was read. */
  traffic(): ServerTraffic | undefined {
    return this.seen ? fromFlat(this.totals) : undefined;
  }
}
