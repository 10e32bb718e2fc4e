/** The pure pieces of osquery's client rules (simulator/agent/*), value by value. */
import { describe, expect, it } from 'vitest';
import { ANSWER_FAILED, ANSWER_NODE_INVALID, ANSWER_OK, classifyAnswer, retrySleepMs } from '../../simulator/agent/retry.js';
import { enrollRetries, enrollWaitMs } from '../../simulator/agent/enroll-backoff.js';
import { backOff, newLoggerBackoff, purgeCounts, takeLines, tick } from '../../simulator/agent/logger-buffer.js';
import { platformMatches, runsBetween, scheduledQueries, splayedIntervalS, versionAtLeast } from '../../simulator/agent/schedule.js';
import { DistributedResults, type QueryResult } from '../../simulator/agent/retained-writes.js';

describe('retry.ts (utility.h, tls.cpp)', () => {
  it('reads failure from the body, not the status', () => {
    expect(classifyAnswer(200, '{"queries":{}}')).toBe(ANSWER_OK);
    expect(classifyAnswer(500, ' {"queries":{}} ')).toBe(ANSWER_OK);
    expect(classifyAnswer(200, '{"error":"x"}')).toBe(ANSWER_FAILED);
    expect(classifyAnswer(401, '{"error":"x","node_invalid":true}')).toBe(ANSWER_NODE_INVALID);
    expect(classifyAnswer(200, '{"node_invalid":false}')).toBe(ANSWER_OK);
    expect(classifyAnswer(200, '')).toBe(ANSWER_FAILED);
    expect(classifyAnswer(502, '<html>')).toBe(ANSWER_FAILED);
    expect(classifyAnswer(0, '')).toBe(ANSWER_FAILED);
    expect(classifyAnswer(200, '[1]')).toBe(ANSWER_FAILED);
    expect(classifyAnswer(200, '{"message":"has \\"error\\" inside a string"}')).toBe(ANSWER_OK);
  });

  it('sleeps i² s', () => {
    expect([1, 2, 3].map(retrySleepMs)).toEqual([1000, 4000, 9000]);
  });
});

describe('enroll-backoff.ts (tls_enroll.cpp)', () => {
  it('waits min(k², max) and stops after max attempts (0 = never)', () => {
    expect([1, 2, 3, 4, 25, 26].map((k) => enrollWaitMs(k, 600_000))).toEqual([1000, 4000, 9000, 16_000, 600_000, 600_000]);
    expect(enrollRetries(11, 12)).toBe(true);
    expect(enrollRetries(12, 12)).toBe(false);
    expect(enrollRetries(10_000, 0)).toBe(true);
    // 12 attempts: 11 waits, 506 s in total (fidelity review F8).
    expect(Array.from({ length: 11 }, (_, i) => enrollWaitMs(i + 1, 600_000)).reduce((a, b) => a + b, 0)).toBe(506_000);
  });
});

describe('logger-buffer.ts (buffered.cpp)', () => {
  it('takes results first within the shared cap', () => {
    expect(takeLines(2000, 10, 1024)).toEqual({ results: 1024, statuses: 0 });
    expect(takeLines(1000, 100, 1024)).toEqual({ results: 1000, statuses: 24 });
    expect(takeLines(0, 5, 1024)).toEqual({ results: 0, statuses: 5 });
  });

  it('backs off period × n², capped, n held at the cap; a cap ≤ the period disables it', () => {
    const b = newLoggerBackoff().results;
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      backOff(b, 10_000, 100_000);
      seen.push(b.leftMs);
    }
    expect(seen).toEqual([10_000, 40_000, 90_000, 100_000, 100_000]);
    tick(b, 10_000, 100_000);
    expect(b.leftMs).toBe(90_000);
    tick(b, 10_000, 10_000);
    expect(b).toEqual({ failures: 0, leftMs: 0 });
    const off = newLoggerBackoff().results;
    backOff(off, 10_000, 0);
    expect(off.leftMs).toBe(0);
  });

  it('purges what exceeds buffered_log_max (0 = unlimited)', () => {
    expect(purgeCounts(100, 100, 150)).toEqual({ results: 25, statuses: 25 });
    expect(purgeCounts(100, 100, 0)).toEqual({ results: 0, statuses: 0 });
    expect(purgeCounts(10, 0, 20)).toEqual({ results: 0, statuses: 0 });
  });
});

describe('schedule.ts (packs.cpp, scheduler.cpp)', () => {
  it('reads schedule and packs, with pack platform/version inherited and invalid queries skipped', () => {
    const qs = scheduledQueries(
      {
        schedule: { a: { query: 'SELECT 1', interval: 60, snapshot: true }, bad: { query: '', interval: 60 }, zero: { query: 'SELECT 1', interval: 0 } },
        packs: { P: { platform: 'linux', version: '5.0.0', queries: { b: { query: 'SELECT 2', interval: '30' } } }, path: '/etc/osquery/packs/x.conf' },
      },
      '/',
    );
    expect(qs.map((q) => [q.name, q.intervalS, q.snapshot, q.platform, q.version])).toEqual([
      ['a', 60, true, '', ''],
      ['pack/P/b', 30, false, 'linux', '5.0.0'],
    ]);
    expect(scheduledQueries({ packs: { P: { queries: { b: { query: 'x', interval: 1 } } } } })[0]!.name).toBe('pack_P_b');
  });

  it('matches platforms and versions as osquery does', () => {
    expect(platformMatches('', 'darwin')).toBe(true);
    expect(platformMatches('posix', 'ubuntu')).toBe(true);
    expect(platformMatches('darwin,windows', 'windows')).toBe(true);
    expect(platformMatches('linux', 'darwin')).toBe(false);
    expect(platformMatches('all', 'windows')).toBe(true);
    expect(versionAtLeast('5.12.0', '5.12.1')).toBe(true);
    expect(versionAtLeast('5.13', '5.12.1')).toBe(false);
    expect(versionAtLeast('', '1.0')).toBe(true);
  });

  it('splays within ±10 % and counts runs at Unix-time multiples', () => {
    const [q] = scheduledQueries({ schedule: { a: { query: 'SELECT 1', interval: 100 } } });
    const values = new Set(Array.from({ length: 500 }, (_, g) => splayedIntervalS(q!, 7, g)));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...values)).toBeLessThanOrEqual(110);
    expect(values.size).toBeGreaterThan(10);
    expect(runsBetween(10, 0, 100_000)).toBe(10);
    expect(runsBetween(10, 5_000, 15_000)).toBe(1);
    expect(runsBetween(10, 15_000, 15_000)).toBe(0);
  });
});

describe('retained-writes.ts (distributed.cpp, flushCompleted)', () => {
  const result = (name: string, rows = '[]'): QueryResult => ({ key: JSON.stringify(name), rowsJson: rows, status: '0', message: '""', stats: '{}', policyId: -1, query: 'SELECT 1', code: 0, sentBefore: false });

  it('keeps results until accepted, counts re-sends, replaces a same-name result, drops the oldest past the bound', () => {
    const r = new DistributedResults(1024);
    expect(r.body(0, '{"node_key":"k"}')).toBeUndefined();
    r.add(0, [result('a'), result('b')]);
    expect(JSON.parse(r.body(0, '{"node_key":"k"}')!)).toEqual({ node_key: 'k', queries: { a: [], b: [] }, statuses: { a: 0, b: 0 }, messages: { a: '', b: '' }, stats: { a: {}, b: {} } });
    r.failed(0);
    r.add(0, [result('b', '[{"x":"1"}]'), result('c')]);
    const body = JSON.parse(r.body(0, '{}')!) as { queries: Record<string, unknown> };
    expect(body.queries).toEqual({ a: [], b: [{ x: '1' }], c: [] });
    expect(r.counts).toEqual({ retained: 2, resent: 1, dropped: 0 });
    expect(r.accepted(0).map((x) => x.key)).toEqual(['"a"', '"b"', '"c"']);
    expect(r.has(0)).toBe(false);
    r.add(1, Array.from({ length: 20 }, (_, i) => result(`q${i}`, `[{"v":"${'x'.repeat(100)}"}]`)));
    expect(r.counts.dropped).toBeGreaterThan(0);
    expect(r.body(1, '{}')!.length).toBeLessThan(1024);
  });
});
