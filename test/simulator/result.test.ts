import { expect, test } from 'vitest';
import { createHistogram, decodeHistogram, encodeHistogram, recordMs } from '../../lib/histogram.js';
import { ENDPOINTS, OUTCOMES } from '../../contract/vocabulary.js';
import type { ShardResult } from '../../simulator/protocol.js';
import type { RecorderTotals } from '../../simulator/recorder.js';
import { buildResult, type ResultInput } from '../../simulator/result.js';
import { scenario } from './helpers.js';

/** A worker's totals: `reads` reads of `ms` each, `failed` of them 5xx. */
function shard(worker: number, reads: number, ms: number, failed: number, truth: ShardResult['truth']): ShardResult {
  const histogram = createHistogram();
  for (let i = 0; i < reads; i++) recordMs(histogram, ms);
  const encoded = encodeHistogram(histogram);
  histogram.destroy();
  const none = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  const endpoints = Object.fromEntries(ENDPOINTS.map((name) => [name, { outcomes: { ...none }, latency: '', service: '' }])) as RecorderTotals['endpoints'];
  endpoints.read = { outcomes: { ...endpoints.read.outcomes, '2xx': reads - failed, '5xx': failed }, latency: encoded, service: encoded };
  return {
    worker,
    totals: { endpoints, checkins: { scheduled: reads, late: failed, max_lag_ms: 10 * worker } },
    truth,
    hosts: 5,
    enrolled: 5,
    connections: 4,
    peakConnections: 4,
    maxInFlight: 3,
    cachedAnswers: 0,
  };
}

const spec = scenario({ policies: [{ name: 'Disk encrypted', query: 'SELECT 1 FROM disk_encryption  WHERE encrypted = 1;' }] });

function input(results: ShardResult[], overrides: Partial<ResultInput> = {}): ResultInput {
  return {
    scenario: spec,
    targets: ['http://127.0.0.1:8080'],
    store: undefined,
    policyNames: undefined,
    shard: { index: 0, count: 1 },
    workers: results.length,
    connections: 8,
    connectionMode: 'fixed',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationS: 10.0004,
    measuredS: 10,
    results,
    windows: [],
    generator: { cpu_pct: 12, event_loop_p99_ms: 3, max_in_flight: 6, saturated: false, warnings: [] },
    hosts: 10,
    machine: { cpus: 2, cpu_model: 'test', memory_gb: 4, node: 'v20', platform: 'linux-x64' },
    ...overrides,
  };
}

test('merges the workers\' totals: outcomes add, errors by class, rates over the measured seconds, histograms exact', () => {
  const doc = buildResult(input([shard(0, 60, 5, 0, []), shard(1, 40, 50, 4, [])]));
  const read = doc.endpoints.read!;
  expect(read.count).toBe(100);
  expect(read.outcomes).toMatchObject({ '2xx': 96, '5xx': 4 });
  expect(read.errors).toEqual({ '5xx': 4 });
  expect(read.rate_per_s).toBe(10);
  expect(decodeHistogram(read.histogram).totalCount).toBe(100);
  expect(Object.keys(doc.endpoints)).toEqual(['read']);
  expect(doc.checkins).toEqual({ scheduled: 100, late: 4, max_lag_ms: 10 });
  expect(doc.run).toMatchObject({ duration_s: 10, hosts: 10, workers: 2, store: 'unknown', seed: 7, machine: { cpu_model: 'test' } });
  expect(doc.run.shard).toBeUndefined();
});

test('names a policy by the server\'s name for its id, else by its query as the scenario wrote it', () => {
  const truth = (id: number, query: string) => [{ id, query, counts: { passing: 1, failing: 0, unknown: 0 } }];
  const results = [shard(0, 1, 1, 0, [...truth(3, 'SELECT 1 FROM disk_encryption WHERE encrypted = 1'), ...truth(9, 'SELECT 9')])];
  expect(buildResult(input(results)).policies.map((p) => p.name)).toEqual(['Disk encrypted', undefined]);
  const named = buildResult(input(results, { policyNames: new Map([[9, 'From the server']]) }));
  expect(named.policies.map((p) => p.name)).toEqual(['Disk encrypted', 'From the server']);
});
