import { expect, test } from 'vitest';
import { createHistogram, decodeHistogram, encodeHistogram, mergeEncoded, percentilesMs, recordMs } from '../../lib/histogram.js';
import { SeededRandom } from '../../lib/rng.js';

test('merging encoded shard histograms equals recording everything in one histogram', () => {
  const rng = new SeededRandom(3);
  const whole = createHistogram();
  const shards = [createHistogram(), createHistogram(), createHistogram()];
  for (let i = 0; i < 30_000; i++) {
    const ms = rng.next() < 0.01 ? 200 + rng.next() * 5000 : rng.next() * 20;
    recordMs(whole, ms);
    recordMs(shards[i % 3]!, ms);
  }
  const merged = decodeHistogram(mergeEncoded(shards.map(encodeHistogram)));
  expect(merged.totalCount).toBe(whole.totalCount);
  expect(percentilesMs(merged)).toEqual(percentilesMs(whole));
  for (const p of [1, 25, 50, 75, 90, 99, 99.9, 99.99]) expect(merged.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p));
  expect(encodeHistogram(merged)).toBe(encodeHistogram(whole));
});

test('values are microseconds inside and milliseconds outside; the range is clamped', () => {
  const h = createHistogram();
  recordMs(h, 1.5);
  recordMs(h, 0);
  recordMs(h, 10 * 3_600_000);
  expect(h.totalCount).toBe(3);
  expect(percentilesMs(h).max).toBeCloseTo(3_600_000, -4);
  expect(h.getValueAtPercentile(50)).toBeCloseTo(1500, -1);
});

test('an empty histogram has zero percentiles and merges as nothing', () => {
  expect(percentilesMs(createHistogram())).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  expect(decodeHistogram(mergeEncoded([])).totalCount).toBe(0);
});
