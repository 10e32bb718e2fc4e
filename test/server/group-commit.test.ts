import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../server/ingest/group-commit.js';

function deferred(): { promise: Promise<void>; resolve(): void; reject(error: unknown): void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('group commit', () => {
  it('commits concurrent submissions as one batch after the delay', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number>(async (items) => void batches.push([...items]), { maxBatch: 100, maxDelayMs: 20 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => committer.submit(n)));
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('seals a batch as soon as it is full', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number>(async (items) => void batches.push([...items]), { maxBatch: 2, maxDelayMs: 10_000 });
    await Promise.all([committer.submit(1), committer.submit(2)]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('answers a submitter only after its batch is committed', async () => {
    const gate = deferred();
    const committer = new GroupCommitter<number>(() => gate.promise, { maxBatch: 10, maxDelayMs: 0 });
    let settled = false;
    const submitted = committer.submit(1).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    gate.resolve();
    await submitted;
    expect(settled).toBe(true);
  });

  it('merges batches that queued behind a running commit, up to maxBatch items', async () => {
    const first = deferred();
    const batches: number[][] = [];
    let call = 0;
    const committer = new GroupCommitter<number>(
      async (items) => {
        batches.push([...items]);
        if (call++ === 0) await first.promise;
      },
      { maxBatch: 4, maxDelayMs: 0 },
    );
    const running = committer.submit(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const queued: Promise<void>[] = [];
    for (let n = 1; n <= 6; n++) {
      queued.push(committer.submit(n));
      await new Promise((resolve) => setTimeout(resolve, 2)); // each one seals its own batch
    }
    first.resolve();
    await Promise.all([running, ...queued]);
    expect(batches[0]).toEqual([0]);
    expect(batches.slice(1).flat()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches.length).toBeLessThan(7);
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(4);
  });

  it('fails every submitter of a failed batch and recovers for the next one', async () => {
    let fail = true;
    const committer = new GroupCommitter<number>(
      async () => {
        if (fail) throw new Error('db down');
      },
      { maxBatch: 10, maxDelayMs: 5 },
    );
    const results = await Promise.allSettled([committer.submit(1), committer.submit(2)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(committer.submit(3)).resolves.toBeUndefined();
  });

  it('flush commits what is pending and waits for running commits', async () => {
    const committed: number[] = [];
    const committer = new GroupCommitter<number>(
      async (items) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        committed.push(...items);
      },
      { maxBatch: 100, maxDelayMs: 60_000 },
    );
    const submitted = committer.submit(7);
    expect(committer.pending).toBe(1);
    await committer.flush();
    expect(committed).toEqual([7]);
    await submitted;
    expect(committer.pending).toBe(0);
    await committer.flush(); // idle flush resolves at once
  });

  it('reports each commit to onCommit with its size and error', async () => {
    const seen: Array<[number, boolean]> = [];
    const committer = new GroupCommitter<number>(async (items) => {
      if (items.includes(99)) throw new Error('bad');
    }, { maxBatch: 3, maxDelayMs: 1, onCommit: (size, _ms, error) => seen.push([size, error !== undefined]) });
    await Promise.all([committer.submit(1), committer.submit(2), committer.submit(3)]);
    await committer.submit(99).catch(() => undefined);
    expect(seen).toEqual([
      [3, false],
      [1, true],
    ]);
  });
});

describe('group commit with concurrent commits', () => {
  it('runs independent batches at once but keeps one key\'s items in arrival order', async () => {
    const gates: Array<{ items: Array<[number, string]>; release(): void }> = [];
    const order: string[] = [];
    const committer = new GroupCommitter<[number, string]>(
      (items) =>
        new Promise<void>((resolve) => {
          gates.push({
            items: [...items],
            release: () => {
              order.push(...items.map(([, label]) => label));
              resolve();
            },
          });
        }),
      { maxBatch: 1, maxDelayMs: 0, maxConcurrent: 2, keyOf: ([key]) => key },
    );
    const a = committer.submit([1, 'host1-old']);
    const b = committer.submit([1, 'host1-new']); // same key: must wait for the first
    const c = committer.submit([2, 'host2']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gates.map((gate) => gate.items[0]![1])).toEqual(['host1-old']);
    // host2's batch queues behind host1-new (batches start in order), so only one commit runs
    gates[0]!.release();
    await a;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gates.map((gate) => gate.items[0]![1])).toEqual(['host1-old', 'host1-new', 'host2']);
    gates[2]!.release();
    gates[1]!.release();
    await Promise.all([b, c]);
    expect(order.indexOf('host1-old')).toBeLessThan(order.indexOf('host1-new'));
  });

  it('overlaps batches of different keys', async () => {
    let running = 0;
    let peak = 0;
    const committer = new GroupCommitter<number>(
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
      },
      { maxBatch: 1, maxDelayMs: 0, maxConcurrent: 2, keyOf: (n) => n },
    );
    await Promise.all([1, 2, 3, 4].map((n) => committer.submit(n)));
    expect(peak).toBe(2);
  });
});
