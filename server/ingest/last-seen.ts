/**
 * Last-seen batching (reference fleet-policies.md §1.2 step 5): a check-in only adds the host id to
 * a set; a background job writes the set with one store.markHostsSeen call every interval. A failed
 * flush keeps the ids for the next one.
 */
import type { Logger } from 'pino';
import type { BackgroundJob } from '../context.js';
import type { Store } from '../store/store.js';

export class LastSeenBatcher implements BackgroundJob {
  readonly name = 'last-seen';
  private seen = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<Store, 'markHostsSeen'>,
    private readonly intervalMs: number,
    private readonly now: () => Date,
    private readonly log?: Logger,
  ) {}

  mark(hostId: number): void {
    this.seen.add(hostId);
  }

  get pending(): number {
    return this.seen.size;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes the collected ids (sorted, to avoid lock-order deadlocks); one flush at a time. */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (this.seen.size === 0) return;
    const batch = this.seen;
    this.seen = new Set();
    const ids = [...batch].sort((a, b) => a - b);
    this.flushing = this.store.markHostsSeen(ids, this.now()).then(
      () => undefined,
      (error: unknown) => {
        for (const id of ids) this.seen.add(id);
        this.log?.warn({ err: error, hosts: ids.length }, 'last-seen flush failed; will retry');
      },
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }
}
