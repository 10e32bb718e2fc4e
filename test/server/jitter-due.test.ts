import { describe, expect, it } from 'vitest';
import { dueForDetails, dueForLabels, dueForPolicies, dueGates, isDue, nextDueAt } from '../../server/osquery/due.js';
import { jitterBucketCount, JitterTable, JitterTables } from '../../server/osquery/jitter.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('jitter bucket count (Fleet: floor(pct × whole interval minutes / 100), at least 1)', () => {
  it.each([
    [HOUR, 10, 6],
    [30 * MIN, 10, 3],
    [2 * HOUR, 10, 12],
    [HOUR, 50, 30],
    [HOUR, 0, 1],
    [5 * MIN, 10, 1],
    [90_000, 10, 1],
    [59 * MIN + 59_000, 10, 5],
    [HOUR, 100, 60],
  ])('interval %d ms at %d%% → %d buckets', (interval, pct, buckets) => {
    expect(jitterBucketCount(interval, pct)).toBe(buckets);
  });
});

describe('jitter table placement', () => {
  it('places hosts starting at hostId % buckets, then the next free bucket, growing capacity when full', () => {
    const table = new JitterTable(HOUR, 10); // 6 buckets
    expect([1, 2, 3, 4, 5, 6].map((id) => table.bucketOf(id))).toEqual([1, 2, 3, 4, 5, 0]);
    // all six buckets hold one host: capacity grows to 2, host 7 starts at 7 % 6 = 1
    expect(table.bucketOf(7)).toBe(1);
    // host 13 also starts at 1, which is full at capacity 2 → next bucket
    expect(table.bucketOf(13)).toBe(2);
    // host 12 starts at 0, which has room
    expect(table.bucketOf(12)).toBe(0);
  });

  it('keeps a host in its bucket for the life of the table', () => {
    const table = new JitterTable(HOUR, 10);
    const first = table.bucketOf(42);
    for (let id = 100; id < 200; id++) table.bucketOf(id);
    expect(table.bucketOf(42)).toBe(first);
    expect(table.jitterMs(42)).toBe(first * MIN);
  });

  it('spreads hosts evenly over the buckets', () => {
    const table = new JitterTable(HOUR, 10);
    const sizes = new Array<number>(6).fill(0);
    for (let id = 1; id <= 600; id++) sizes[table.bucketOf(id)]! += 1;
    expect(sizes).toEqual([100, 100, 100, 100, 100, 100]);
  });

  it('gives no jitter with a single bucket', () => {
    const table = new JitterTable(5 * MIN, 10);
    expect(table.jitterMs(17)).toBe(0);
  });

  it('jitter is 0–5 minutes with the defaults', () => {
    const tables = new JitterTables(10);
    const values = new Set<number>();
    for (let id = 1; id <= 50; id++) values.add(tables.jitterMs(HOUR, id));
    expect([...values].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5].map((m) => m * MIN));
  });

  it('shares one table between equal intervals and keeps separate tables for different ones', () => {
    const tables = new JitterTables(10);
    expect(tables.forInterval(HOUR)).toBe(tables.forInterval(HOUR));
    expect(tables.forInterval(HOUR)).not.toBe(tables.forInterval(2 * HOUR));
    expect(tables.forInterval(2 * HOUR).bucketCount).toBe(12);
  });
});

describe('due gate: last < now − (interval + jitter), strictly', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  it.each([
    ['just past the interval + jitter', HOUR + 2 * MIN + 1, 2 * MIN, true],
    ['exactly at interval + jitter', HOUR + 2 * MIN, 2 * MIN, false],
    ['inside the jitter', HOUR + MIN, 2 * MIN, false],
    ['just past the interval, no jitter', HOUR + 1, 0, true],
    ['long ago', 10 * HOUR, 5 * MIN, true],
    ['just now', 0, 0, false],
  ])('%s', (_label, ago, jitter, due) => {
    expect(isDue(new Date(now.getTime() - ago), HOUR, jitter, now)).toBe(due);
  });

  const intervals = { detailUpdateIntervalMs: HOUR, policyUpdateIntervalMs: 2 * HOUR, labelUpdateIntervalMs: 3 * HOUR };

  it('uses detail_updated_at for details and policy_updated_at for policies, each with its own interval', () => {
    const tables = new JitterTables(0); // no jitter: pure interval arithmetic
    const host = {
      id: 1,
      detailUpdatedAt: new Date(now.getTime() - HOUR - 1),
      policyUpdatedAt: new Date(now.getTime() - HOUR - 1),
      labelUpdatedAt: new Date(now.getTime() - HOUR - 1),
      refetchRequested: false,
    };
    expect(dueGates(host, now, intervals, tables)).toEqual({ details: true, policies: false, labels: false });
    expect(dueForPolicies({ ...host, policyUpdatedAt: new Date(now.getTime() - 2 * HOUR - 1) }, now, intervals, tables)).toBe(true);
  });

  it('a requested refetch opens every gate', () => {
    const tables = new JitterTables(10);
    const host = { id: 3, detailUpdatedAt: now, policyUpdatedAt: now, labelUpdatedAt: now, refetchRequested: true };
    expect(dueGates(host, now, intervals, tables)).toEqual({ details: true, policies: true, labels: true });
    expect(dueForLabels({ ...host, refetchRequested: false }, now, intervals, tables)).toBe(false);
    expect(dueForDetails({ ...host, refetchRequested: false }, now, intervals, tables)).toBe(false);
  });

  it('adds the host jitter to the interval', () => {
    const tables = new JitterTables(10);
    const hostId = 4; // 6 buckets → bucket 4 → 4 minutes
    expect(tables.jitterMs(HOUR, hostId)).toBe(4 * MIN);
    const host = { id: hostId, detailUpdatedAt: new Date(now.getTime() - HOUR - 3 * MIN), policyUpdatedAt: now, labelUpdatedAt: now, refetchRequested: false };
    expect(dueForDetails(host, now, intervals, tables)).toBe(false);
    expect(dueForDetails({ ...host, detailUpdatedAt: new Date(now.getTime() - HOUR - 4 * MIN - 1) }, now, intervals, tables)).toBe(true);
  });

  it('nextDueAt is the earliest gate opening', () => {
    const tables = new JitterTables(0);
    const host = { id: 1, detailUpdatedAt: now, policyUpdatedAt: new Date(now.getTime() - HOUR), labelUpdatedAt: now, refetchRequested: false };
    expect(nextDueAt(host, intervals, tables)).toBe(now.getTime() + HOUR);
    expect(nextDueAt({ ...host, labelUpdatedAt: new Date(now.getTime() - 3 * HOUR + MIN) }, intervals, tables)).toBe(now.getTime() + MIN);
  });

  it('uses label_updated_at and label_update_interval for labels, with the host jitter (Fleet\'s label gate)', () => {
    const tables = new JitterTables(10);
    const hostId = 4; // 4 minutes of jitter at a 1 h interval
    const hourly = { ...intervals, labelUpdateIntervalMs: HOUR };
    const host = { id: hostId, detailUpdatedAt: now, policyUpdatedAt: now, labelUpdatedAt: new Date(now.getTime() - HOUR - 4 * MIN), refetchRequested: false };
    expect(dueForLabels(host, now, hourly, tables)).toBe(false);
    expect(dueForLabels({ ...host, labelUpdatedAt: new Date(now.getTime() - HOUR - 4 * MIN - 1) }, now, hourly, tables)).toBe(true);
  });
});
