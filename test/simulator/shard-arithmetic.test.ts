import { expect, test } from 'vitest';
import { activeInSlice, assignGroups, globalIndex, groupCounts, parseShard, shardHostCount, workerSlice } from '../../simulator/identity.js';

test('shards × workers cover every host exactly once', () => {
  for (const [total, shards, workers] of [[1000, 1, 1], [1000, 3, 2], [7, 4, 3], [100_003, 5, 4], [2, 3, 2]] as const) {
    const seen = new Uint8Array(total);
    let sum = 0;
    for (let s = 0; s < shards; s++) {
      let shardSum = 0;
      for (let w = 0; w < workers; w++) {
        const slice = workerSlice(total, { index: s, count: shards }, w, workers);
        for (let m = 0; m < slice.size; m++) seen[globalIndex(slice, m)]!++;
        shardSum += slice.size;
      }
      expect(shardSum).toBe(shardHostCount(total, { index: s, count: shards }));
      sum += shardSum;
    }
    expect(sum).toBe(total);
    expect(seen.every((v) => v === 1)).toBe(true);
  }
});

test('a ramp to n hosts activates exactly hosts 0..n-1, spread evenly over workers', () => {
  const total = 10_000;
  const slices = [0, 1, 2, 3].map((w) => workerSlice(total, { index: 0, count: 1 }, w, 4));
  const active = slices.map((s) => activeInSlice(s, 1001));
  expect(active.reduce((a, b) => a + b, 0)).toBe(1001);
  expect(Math.max(...active) - Math.min(...active)).toBeLessThanOrEqual(1);
  for (const [w, s] of slices.entries()) expect(globalIndex(s, active[w]! - 1)).toBeLessThan(1001);
});

test('--shard parses i/n and rejects the rest', () => {
  expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  for (const bad of ['3/3', '1', '-1/2', 'a/b', '0/0']) expect(() => parseShard(bad)).toThrow(/invalid shard/);
});

test('group counts: exact counts first, the rest by weight, summing to the total', () => {
  expect(groupCounts([{ count: 10 }, { weight: 3 }, { weight: 1 }], 110)).toEqual([10, 75, 25]);
  expect(groupCounts([{ weight: 1 }, { weight: 1 }, { weight: 1 }], 100).reduce((a, b) => a + b, 0)).toBe(100);
});

test('group assignment is exact and every prefix has the fleet\'s mix', () => {
  const counts = [600, 300, 100];
  const groups = assignGroups(counts);
  const tally = [0, 0, 0];
  for (const g of groups) tally[g]!++;
  expect(tally).toEqual(counts);
  const prefix = [0, 0, 0];
  for (let i = 0; i < 100; i++) prefix[groups[i]!]!++;
  expect(prefix).toEqual([60, 30, 10]);
});
