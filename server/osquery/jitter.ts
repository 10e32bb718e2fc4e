/**
 * Fleet's per-host jitter for the "is it due?" gates (reference fleet-policies.md §2.3).
 *
 * One table per interval value: equal intervals share a table, so a host gets the same jitter for
 * every gate whose interval is the same. A table has `floor(maxJitterPercent × whole interval
 * minutes / 100)` buckets (at least 1); a host is placed on first use, starting at
 * `hostId % bucketCount` and moving on (wrapping) to the first bucket below the current capacity;
 * when every bucket is full the capacity grows by one. The jitter is the bucket index in minutes.
 * Placement lives for the life of the process, as in Fleet (instances may disagree; Fleet accepts it).
 */

const MINUTE_MS = 60_000;

export function jitterBucketCount(intervalMs: number, maxJitterPercent: number): number {
  const wholeMinutes = Math.floor(intervalMs / MINUTE_MS);
  return Math.max(1, Math.floor((maxJitterPercent * wholeMinutes) / 100));
}

export class JitterTable {
  readonly bucketCount: number;
  private readonly bucketSizes: number[];
  private readonly placed = new Map<number, number>();
  private capacity = 1;

  constructor(intervalMs: number, maxJitterPercent: number) {
    this.bucketCount = jitterBucketCount(intervalMs, maxJitterPercent);
    this.bucketSizes = new Array<number>(this.bucketCount).fill(0);
  }

  /** The host's bucket index (placing it on first use). */
  bucketOf(hostId: number): number {
    const known = this.placed.get(hostId);
    if (known !== undefined) return known;
    if (this.bucketCount <= 1) {
      this.placed.set(hostId, 0);
      return 0;
    }
    const start = hostId % this.bucketCount;
    for (;;) {
      for (let step = 0; step < this.bucketCount; step++) {
        const bucket = (start + step) % this.bucketCount;
        if (this.bucketSizes[bucket]! < this.capacity) {
          this.bucketSizes[bucket]! += 1;
          this.placed.set(hostId, bucket);
          return bucket;
        }
      }
      this.capacity += 1;
    }
  }

  jitterMs(hostId: number): number {
    return this.bucketCount <= 1 ? 0 : this.bucketOf(hostId) * MINUTE_MS;
  }

  get size(): number {
    return this.placed.size;
  }
}

/** Tables keyed by interval value, sharing one table between gates with equal intervals. */
export class JitterTables {
  private readonly tables = new Map<number, JitterTable>();
  constructor(private readonly maxJitterPercent: number) {}

  forInterval(intervalMs: number): JitterTable {
    let table = this.tables.get(intervalMs);
    if (!table) {
      table = new JitterTable(intervalMs, this.maxJitterPercent);
      this.tables.set(intervalMs, table);
    }
    return table;
  }

  jitterMs(intervalMs: number, hostId: number): number {
    return this.forInterval(intervalMs).jitterMs(hostId);
  }
}
