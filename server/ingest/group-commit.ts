/**
 * Group commit (DESIGN §3 "Ingest"): concurrent writers join the current batch; a batch is sealed
 * when it holds `maxBatch` items, `maxDelayMs` after its first item joined, or as soon as a running
 * commit finishes (the items that arrived meanwhile have waited long enough); sealed batches that
 * queue behind a running commit are merged (up to `maxBatch` items) into the next one. Every
 * submitter's promise settles only after the commit that carried its item settled: resolved when
 * stored, rejected with the store's error otherwise — nothing is acknowledged that was not stored.
 */

export type BatchSink<T> = (items: readonly T[]) => Promise<void>;

export interface GroupCommitOptions<T> {
  readonly maxBatch: number;
  readonly maxDelayMs: number;
  /** Commits allowed to run at once (default 1: a classic single-writer group commit). */
  readonly maxConcurrent?: number;
  /**
   * With maxConcurrent > 1: the ordering key of an item (a host id). A batch holding a key that a
   * running commit also holds waits for it, so two writes of one host are stored in arrival order.
   */
  readonly keyOf?: (item: T) => number;
  /** Called after every commit (for metrics). */
  readonly onCommit?: (size: number, durationMs: number, error: unknown) => void;
}

interface Batch<T> {
  readonly items: T[];
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function newBatch<T>(): Batch<T> {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Submitters attach their own handlers; this one keeps a batch nobody awaits from crashing the process.
  promise.catch(() => undefined);
  return { items: [], promise, resolve, reject };
}

export class GroupCommitter<T> {
  private current: Batch<T> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly sealed: Batch<T>[] = [];
  private running = 0;
  private readonly runningKeys = new Map<number, number>();
  private idleWaiters: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxConcurrent: number;

  constructor(private readonly sink: BatchSink<T>, private readonly options: GroupCommitOptions<T>) {
    this.maxBatch = Math.max(1, options.maxBatch);
    this.maxDelayMs = Math.max(0, options.maxDelayMs);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 1);
  }

  /** Adds an item to the current batch; resolves once that batch is committed. */
  submit(item: T): Promise<void> {
    let batch = this.current;
    if (batch === undefined) {
      batch = newBatch<T>();
      this.current = batch;
      this.timer = setTimeout(() => this.seal(), this.maxDelayMs);
    }
    batch.items.push(item);
    if (batch.items.length >= this.maxBatch) this.seal();
    return batch.promise;
  }

  /** Items waiting or being committed. */
  get pending(): number {
    return (this.current?.items.length ?? 0) + this.sealed.reduce((sum, batch) => sum + batch.items.length, 0);
  }

  /** Commits everything submitted so far and resolves when no commit is running. */
  flush(): Promise<void> {
    this.seal();
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private seal(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.current === undefined) return;
    this.sealed.push(this.current);
    this.current = undefined;
    this.drain();
  }

  private drain(): void {
    while (this.running < this.maxConcurrent && this.sealed.length > 0) {
      if (this.running > 0 && this.conflictsWithRunning(this.sealed[0]!)) break;
      const group: Batch<T>[] = [this.sealed.shift()!];
      let size = group[0]!.items.length;
      while (
        this.sealed.length > 0 &&
        size + this.sealed[0]!.items.length <= this.maxBatch &&
        !(this.running > 0 && this.conflictsWithRunning(this.sealed[0]!))
      ) {
        const next = this.sealed.shift()!;
        size += next.items.length;
        group.push(next);
      }
      void this.commit(group, size);
    }
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private conflictsWithRunning(batch: Batch<T>): boolean {
    const keyOf = this.options.keyOf;
    if (keyOf === undefined) return false;
    return batch.items.some((item) => this.runningKeys.has(keyOf(item)));
  }

  private trackKeys(items: readonly T[], delta: 1 | -1): void {
    const keyOf = this.options.keyOf;
    if (keyOf === undefined || this.maxConcurrent === 1) return;
    for (const item of items) {
      const key = keyOf(item);
      const count = (this.runningKeys.get(key) ?? 0) + delta;
      if (count === 0) this.runningKeys.delete(key);
      else this.runningKeys.set(key, count);
    }
  }

  private async commit(group: Batch<T>[], size: number): Promise<void> {
    this.running += 1;
    const items = group.length === 1 ? group[0]!.items : group.flatMap((batch) => batch.items);
    this.trackKeys(items, 1);
    const started = performance.now();
    let failure: unknown;
    try {
      await this.sink(items);
    } catch (error) {
      failure = error ?? new Error('commit failed');
    }
    this.options.onCommit?.(size, performance.now() - started, failure);
    for (const batch of group) {
      if (failure === undefined) batch.resolve();
      else batch.reject(failure);
    }
    this.trackKeys(items, -1);
    this.running -= 1;
    // Whatever arrived while the commit ran goes next, without waiting out its delay: the running
    // commit was the wait (classic group commit), so batches grow with the commit time.
    if (this.current !== undefined && this.running < this.maxConcurrent) this.seal();
    else this.drain();
  }

  private isIdle(): boolean {
    return this.running === 0 && this.sealed.length === 0 && this.current === undefined;
  }
}
