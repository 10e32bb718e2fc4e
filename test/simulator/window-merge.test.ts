import { describe, expect, test } from 'vitest';
import { createHistogram, encodeHistogram, recordMs } from '../../lib/histogram.js';
import type { WorkerWindow } from '../../simulator/recorder.js';
import { mergeWindows, resultWindow, WindowMerger } from '../../simulator/window-merge.js';

/** One worker's second: `reads` read requests of `ms` each. */
function part(
  t: number,
  worker: { reads?: number; ms?: number; errors?: number; elu?: number; loopP99?: number; late?: number; warmup?: boolean; queueP99?: number; limited?: number; limitErrors?: Record<string, number> } = {},
): WorkerWindow {
  const histogram = createHistogram();
  const reads = worker.reads ?? 10;
  for (let i = 0; i < reads; i++) recordMs(histogram, worker.ms ?? 5);
  const latency = encodeHistogram(histogram);
  histogram.destroy();
  return {
    t,
    warmup: worker.warmup ?? false,
    hostsEnrolled: 50,
    endpoints: reads > 0 ? { read: { count: reads, errors: worker.errors ?? 0, latency } } : {},
    checkins: { scheduled: reads, late: worker.late ?? 0, maxLagMs: worker.late ? 1500 : 3 },
    health: {
      elu: worker.elu ?? 0.2,
      eventLoopP99Ms: worker.loopP99 ?? 10,
      inFlight: 2,
      maxInFlight: 4,
      transport: { written: reads, queueP99Ms: worker.queueP99 ?? 1, queueMaxMs: worker.queueP99 ?? 2, limited: worker.limited ?? 0, limitErrors: worker.limitErrors ?? {}, peakConnections: 3 },
    },
  };
}

describe('WindowMerger', () => {
  test('holds a second back until every worker sent it, then merges it', () => {
    const merger = new WindowMerger(2);
    expect(merger.add(part(0))).toEqual([]);
    const [second, ...rest] = merger.add(part(0));
    expect(rest).toEqual([]);
    expect(second).toMatchObject({ t: 0, rate: 20, hosts_enrolled: 100, endpoints: { read: { count: 20, errors: 0 } } });
  });

  test('hands out completed seconds oldest first, even when a later second completed first', () => {
    const merger = new WindowMerger(2);
    merger.add(part(0));
    merger.add(part(1));
    expect(merger.add(part(1))).toEqual([]);
    expect(merger.add(part(0)).map((w) => w.t)).toEqual([0, 1]);
  });

  test('a second more than 2 s behind the newest is merged with the workers it has', () => {
    const merger = new WindowMerger(2);
    merger.add(part(0, { reads: 3 }));
    expect(merger.add(part(2))).toEqual([]);
    const flushed = merger.add(part(3));
    expect(flushed.map((w) => w.t)).toEqual([0]);
    expect(flushed[0]!.rate).toBe(3);
  });

  test('at the end, seconds every worker sent are merged and partial seconds are dropped', () => {
    const merger = new WindowMerger(2);
    merger.add(part(8));
    merger.add(part(9));
    // 9 is complete but waits behind 8, which one worker never sent.
    expect(merger.add(part(9))).toEqual([]);
    merger.add(part(10));
    expect(merger.finish().map((w) => w.t)).toEqual([9]);
    expect(merger.finish()).toEqual([]);
  });
});

describe('mergeWindows', () => {
  test('adds counts, merges latency exactly, and takes the worst worker\'s health', () => {
    const merged = mergeWindows(4, [
      part(4, { reads: 90, ms: 2, elu: 0.3, loopP99: 12, queueP99: 7, limitErrors: { EMFILE: 2 } }),
      part(4, { reads: 10, ms: 400, errors: 1, elu: 0.9, loopP99: 80, late: 2, warmup: true, queueP99: 150, limited: 5, limitErrors: { EMFILE: 1, EADDRNOTAVAIL: 4 } }),
    ]);
    expect(merged).toMatchObject({
      t: 4,
      warmup: true,
      hosts_enrolled: 100,
      rate: 100,
      errors: 1,
      checkins: { scheduled: 100, late: 2, max_lag_ms: 1500 },
      generator: { elu_max: 0.9, event_loop_p99_ms: 80, in_flight: 4, client_queue_p99_ms: 150, client_queue_max_ms: 150, connections: 6, limited: 5, limit_errors: { EMFILE: 3, EADDRNOTAVAIL: 4 } },
    });
    const read = merged.endpoints.read!;
    expect(read.count).toBe(100);
    expect(read.p50).toBeCloseTo(2, 2);
    expect(read.p99).toBeCloseTo(400, 0);
    expect(read.max).toBeCloseTo(400, 0);
    expect(Object.keys(merged.endpoints)).toEqual(['read']);
  });

  test('the result document keeps only the second, its hosts and its endpoints', () => {
    const merged = mergeWindows(1, [part(1)]);
    expect(resultWindow(merged)).toEqual({ t: 1, warmup: false, hosts_enrolled: 50, endpoints: merged.endpoints });
  });
});
