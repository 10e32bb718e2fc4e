/**
 * A timing wheel for hundreds of thousands of agent events without a timer per host.
 *
 * Events are small integers (the caller packs host and kind) due at a time in ms. Slots are 1 ms
 * wide over a horizon of 2^16 ms (≈ 65 s); later events wait in an overflow list that is swept into
 * the wheel as the horizon moves. `drain(now, limit, fn)` hands out every due event in time order
 * (up to `limit` per call, so a burst never starves the event loop: what is left is handed out on
 * the next call, and the agent records it as lateness).
 *
 * An event scheduled from inside `fn` for the slot being drained (or an earlier one: due now, a zero
 * or negative delay) is handed out on a later call, never in the same one: it waits in `later` and
 * joins the cursor's slot when the next call starts. So an event that keeps rescheduling itself
 * "now" fires once per call instead of spinning the drain loop while the cursor never moves (the
 * fleetd-defaults stall: every endpoint at 0 req/s, a worker's event loop ≥ 95 % busy).
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
  /** The slot whose events `fn` is being handed (−∞ outside `drain`). */
  private draining = Number.NEGATIVE_INFINITY;
  /** Events scheduled during `drain` for a slot ≤ the one being drained: for the next call. */
  private later: number[] = [];
  size = 0;

  constructor(startMs: number) {
    this.cursor = Math.floor(startMs);
    this.nextOverflowSweep = this.cursor + SLOTS / 2;
  }

  schedule(atMs: number, event: number): void {
    let slot = Math.floor(atMs);
    this.size++;
    if (slot <= this.draining) {
      this.later.push(event);
      return;
    }
    if (slot < this.cursor) slot = this.cursor;
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
    if (this.later.length > 0) {
      // Due since the last call: they join the cursor's slot, after what is left there.
      const index = this.cursor & MASK;
      const list = this.slots[index];
      if (list === undefined) this.slots[index] = this.later;
      else list.push(...this.later);
      this.later = [];
    }
    let handed = 0;
    while (this.cursor <= until) {
      const index = this.cursor & MASK;
      const list = this.slots[index];
      if (list !== undefined && list.length > 0) {
        const take = Math.min(list.length, limit - handed);
        // The whole list leaves the slot (or its first `take` events, the rest staying for the next
        // call) before fn runs: what fn schedules for this slot goes to `later`, not into this list.
        const batch = take === list.length ? list : list.splice(0, take);
        if (batch === list) this.slots[index] = undefined;
        this.size -= batch.length;
        this.draining = this.cursor;
        try {
          for (let i = 0; i < batch.length; i++) fn(batch[i]!);
        } finally {
          this.draining = Number.NEGATIVE_INFINITY;
        }
        handed += batch.length;
        if (handed >= limit) return handed;
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
