import { describe, expect, it } from 'vitest';
import { LastSeenBatcher } from '../../server/ingest/last-seen.js';

describe('last-seen batching', () => {
  it('collects ids in memory and writes them sorted in one call per flush', async () => {
    const calls: Array<{ ids: readonly number[]; at: Date }> = [];
    const at = new Date('2024-01-01T00:00:00Z');
    const batcher = new LastSeenBatcher({ markHostsSeen: async (ids, seenAt) => void calls.push({ ids, at: seenAt }) }, 60_000, () => at);
    for (const id of [5, 3, 5, 9, 3]) batcher.mark(id);
    expect(calls).toEqual([]);
    expect(batcher.pending).toBe(3);
    await batcher.flush();
    expect(calls).toEqual([{ ids: [3, 5, 9], at }]);
    await batcher.flush();
    expect(calls).toHaveLength(1); // nothing new, no call
  });

  it('keeps the ids of a failed flush for the next one', async () => {
    let fail = true;
    const written: number[][] = [];
    const batcher = new LastSeenBatcher(
      {
        markHostsSeen: async (ids) => {
          if (fail) throw new Error('down');
          written.push([...ids]);
        },
      },
      60_000,
      () => new Date(),
    );
    batcher.mark(1);
    await batcher.flush();
    expect(batcher.pending).toBe(1);
    fail = false;
    batcher.mark(2);
    await batcher.flush();
    expect(written).toEqual([[1, 2]]);
  });

  it('flushes on a timer once started and on stop', async () => {
    const written: number[][] = [];
    const batcher = new LastSeenBatcher({ markHostsSeen: async (ids) => void written.push([...ids]) }, 100, () => new Date());
    batcher.start();
    batcher.mark(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(written).toEqual([[1]]);
    batcher.mark(2);
    await batcher.stop();
    expect(written).toEqual([[1], [2]]);
  });
});
