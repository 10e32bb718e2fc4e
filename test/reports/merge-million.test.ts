/**
 * The merge number of issue 15: 8 shards of a 1,000,000-host run merge exactly. Each shard is a
 * synthetic result of 125,000 hosts × 60 check-ins (a 10-minute run at a 10 s distributed interval,
 * 7.5 M reads per shard, 60 M in all) with its own latency shape; the same samples are also recorded
 * into one histogram, as one machine running all hosts would have. Counts add, histograms add, and the
 * merged percentiles equal those of the one histogram, through the API and through a kubectl log.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeCommand } from '../../cli/report.js';
import { createHistogram, decodeHistogram, encodeHistogram, percentilesMs, type Histogram } from '../../lib/histogram.js';
import { mergeResults } from '../../reports/merge.js';
import { OUTCOMES, type Outcome } from '../../contract/vocabulary.js';
import type { EndpointResult, ResultDocument } from '../../contract/result.js';
import { syntheticResult } from './fixture.js';

const HOSTS = 1_000_000;
const SHARDS = 8;
const CHECKINS_PER_HOST = 60;

/** Shard i's latencies as (µs, count) pairs: a body around 2–40 ms and a tail that differs by shard. */
function shardSamples(shard: number, hosts: number): Array<[number, number]> {
  const total = hosts * CHECKINS_PER_HOST;
  const pairs: Array<[number, number]> = [];
  let left = total;
  for (let k = 0; k < 400 && left > 0; k++) {
    const us = Math.round(2000 * Math.exp(k / 100) + shard * 137 + ((k * 7919) % 1000));
    const count = k === 399 ? left : Math.min(left, Math.floor(total / 400) + ((k * (shard + 3)) % 50) - 25);
    pairs.push([us, count]);
    left -= count;
  }
  return pairs;
}

function endpointOf(pairs: ReadonlyArray<[number, number]>, durationS: number, into?: Histogram): EndpointResult {
  const latency = createHistogram();
  for (const [us, count] of pairs) {
    latency.recordValueWithCount(us, count);
    into?.recordValueWithCount(us, count);
  }
  const count = pairs.reduce((s, [, n]) => s + n, 0);
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, o === '2xx' ? count : 0])) as Record<Outcome, number>;
  const result: EndpointResult = {
    count,
    outcomes,
    errors: {},
    rate_per_s: Math.round((count / durationS) * 1000) / 1000,
    latency_ms: percentilesMs(latency),
    service_ms: percentilesMs(latency),
    histogram: encodeHistogram(latency),
    service_histogram: encodeHistogram(latency),
  };
  latency.destroy();
  return result;
}

function shardDocument(index: number, whole: Histogram): ResultDocument {
  const base = syntheticResult({ hosts: HOSTS });
  const hosts = Math.ceil((HOSTS - index) / SHARDS); // identity.ts: shard i runs the hosts g ≡ i (mod n)
  return {
    ...base,
    run: { ...base.run, hosts: HOSTS, duration_s: 600, shard: { index, count: SHARDS } },
    endpoints: { read: endpointOf(shardSamples(index, hosts), 600, whole) },
    checkins: { scheduled: hosts * CHECKINS_PER_HOST, late: index, max_lag_ms: 100 + index },
    policies: [{ id: 1, query: 'SELECT 1;', name: 'p', truth: { passing: hosts - 10 * index, failing: 10 * index, unknown: 0 } }],
  };
}

describe('merge number: 8 shards of a 1,000,000-host run', () => {
  const whole = createHistogram();
  const shards = Array.from({ length: SHARDS }, (_, i) => shardDocument(i, whole));

  it('counts add, histograms add, percentiles equal those of one histogram of all samples', () => {
    const started = performance.now();
    const merged = mergeResults(shards);
    const mergeMs = performance.now() - started;
    expect(merged.run.hosts).toBe(HOSTS);
    expect(merged.policies[0]!.truth.passing + merged.policies[0]!.truth.failing).toBe(HOSTS);
    expect(merged.checkins.scheduled).toBe(HOSTS * CHECKINS_PER_HOST);
    expect(merged.endpoints.read!.count).toBe(HOSTS * CHECKINS_PER_HOST);
    expect(whole.totalCount).toBe(HOSTS * CHECKINS_PER_HOST);
    const mergedHistogram = decodeHistogram(merged.endpoints.read!.histogram);
    expect(mergedHistogram.totalCount).toBe(whole.totalCount);
    const { max: _max, ...exact } = percentilesMs(whole);
    expect(merged.endpoints.read!.latency_ms).toMatchObject(exact);
    for (const p of [1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) expect(mergedHistogram.getValueAtPercentile(p), `p${p}`).toBe(whole.getValueAtPercentile(p));
    mergedHistogram.destroy();
    // Shards differ: no single shard's p99 is the merged one (the merge is not a pick or an average).
    expect(new Set(shards.map((s) => s.endpoints.read!.latency_ms.p99)).size).toBeGreaterThan(1);
    console.log(`merge of ${SHARDS} shards × ${(HOSTS / SHARDS).toLocaleString('en-US')} hosts (${(HOSTS * CHECKINS_PER_HOST).toLocaleString('en-US')} reads): ${mergeMs.toFixed(1)} ms`);
  });

  it('gives the same document through a kubectl log of the 8 pods', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-merge-1m-'));
    const log = shards.map((doc, i) => `[pod/osqsim-simulator-${i}-abcde/simulator] 2026-12-05T12:10:0${i}.000Z ${JSON.stringify(doc)}`).join('\nsome other line\n');
    writeFileSync(join(dir, 'shards.log'), log);
    const err: string[] = [];
    expect(mergeCommand([join(dir, 'shards.log')], join(dir, 'merged.json'), () => undefined, (t) => err.push(t)), err.join('')).toBe(0);
    const viaLog = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as ResultDocument;
    const direct = mergeResults(shards);
    expect(viaLog.endpoints).toEqual(direct.endpoints);
    expect(viaLog.run.hosts).toBe(HOSTS);
  });
});
