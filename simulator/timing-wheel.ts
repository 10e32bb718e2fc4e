/**
 * A timing wheel for hundreds of thousands of agent events without a timer per host.
 *
 * Events are small integers (the caller packs host and kind) due at a time in ms. Slots are 1 ms
 * wide over a horizon of 2^16 ms (≈ 65 s); later events wait in an overflow list that is swept into
 * the wheel as the horizon moves. `drain(now, limit, fn)` hands out every due event in time order
 * (up to `limit` per call, so a burst never starves the event loop: what is left is handed out on
 * the next call, and the agent records it as lateness).
 */
const SLOT_BITS = 16;
const SLOTS = 1 << SLOT_BITS;
const MASK = SLOTS - 1;

export class TimingWheel {
  private readonly slots: Array<number[] | undefined> = new Array(SLOTS);
  private readonly overflow: Array<{ at: number; event: number }> = [];
  /** The next slot (absolute ms) not yet drained. */
  private cursor: number;
  private nextOverflowSweep: number;
  size = 0;

  constructor(startMs: number) {
    this.cursor = Math.floor(startMs);
    this.nextOverflowSweep = this.cursor + SLOTS / 2;
  }

  schedule(atMs: number, event: number): void {
    let slot = Math.floor(atMs);
    if (slot < this.cursor) slot = this.cursor;
    this.size++;
    if (slot - this.cursor >= SLOTS) {
      this.overflow.push({ at: slot, event });
      return;
    }
    const index = slot & MASK;
    const list = this.slots[index];
    if (list === undefined) this.slots[index] = [event];
    else list.push(event);
  }

  /** Calls `fn(event)` for due events (≤ nowMs); returns how many were handed out. */
  drain(nowMs: number, limit: number, fn: (event: number) => void): number {
    const until = Math.floor(nowMs);
    let handed = 0;
    while (this.cursor <= until) {
      const index = this.cursor & MASK;
      const list = this.slots[index];
      if (list !== undefined && list.length > 0) {
        // fn may schedule into this very slot (due now): those are handled on a later call.
        const take = Math.min(list.length, limit - handed);
        const batch = take === list.length ? list : list.splice(0, take);
        if (batch === list) this.slots[index] = undefined;
        this.size -= batch.length;
        for (let i = 0; i < batch.length; i++) fn(batch[i]!);
        handed += batch.length;
        if (handed >= limit) return handed;
        if (this.slots[index] !== undefined && this.slots[index]!.length > 0) continue;
      }
      this.cursor++;
      if (this.cursor >= this.nextOverflowSweep) this.sweepOverflow();
    }
    return handed;
  }

  private sweepOverflow(): void {
    this.nextOverflowSweep = this.cursor + SLOTS / 2;
    if (this.overflow.length === 0) return;
    const keep: Array<{ at: number; event: number }> = [];
    for (const item of this.overflow) {
      if (item.at - this.cursor < SLOTS) {
        this.size--;
        this.schedule(item.at, item.event);
      } else keep.push(item);
    }
    this.overflow.length = 0;
    this.overflow.push(...keep);
  }
}
