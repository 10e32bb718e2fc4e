/**
 * Scoring the server's policy counts against the simulator's ground truth. Pure.
 *
 * The truth is read just before and just after the API read, because hosts keep writing: a count
 * that lies between the two truths (per field) is correct for some moment of the read. Staleness
 * is how long a policy's counts have been continuously off; its maximum over the run (after the
 * warm-up) is what `counts.staleness.max` checks.
 */
export interface TruthCounts {
  passing: number;
  failing: number;
  unknown: number;
}

export interface ServerCounts {
  id: number;
  passing: number;
  failing: number;
}

export interface PolicyScore {
  id: number;
  ok: boolean;
  /** Hosts off, passing + failing, against the nearer truth (0 when ok). */
  error: number;
}

const ZERO: TruthCounts = { passing: 0, failing: 0, unknown: 0 };

function within(value: number, a: number, b: number): boolean {
  return value >= Math.min(a, b) && value <= Math.max(a, b);
}

export function scoreCounts(server: readonly ServerCounts[], before: ReadonlyMap<number, TruthCounts>, after: ReadonlyMap<number, TruthCounts>): PolicyScore[] {
  return server.map((s) => {
    const b = before.get(s.id) ?? ZERO;
    const a = after.get(s.id) ?? ZERO;
    const ok = within(s.passing, b.passing, a.passing) && within(s.failing, b.failing, a.failing);
    if (ok) return { id: s.id, ok, error: 0 };
    const off = (t: TruthCounts) => Math.abs(s.passing - t.passing) + Math.abs(s.failing - t.failing);
    return { id: s.id, ok, error: Math.min(off(b), off(a)) };
  });
}

/** Tracks, per policy, since when its counts have been off, and the longest such stretch. */
export class StalenessTracker {
  private readonly offSince = new Map<number, number>();
  private readonly worst = new Map<number, number>();

  constructor(private readonly countFromS: number) {}

  /** Records one sample at `tS` (seconds since start); returns the current max staleness. */
  record(tS: number, scores: readonly PolicyScore[]): number {
    let current = 0;
    const seen = new Set<number>();
    for (const score of scores) {
      seen.add(score.id);
      if (score.ok) {
        this.offSince.delete(score.id);
        continue;
      }
      const since = this.offSince.get(score.id) ?? tS;
      this.offSince.set(score.id, since);
      // Staleness counts only after the warm-up: a policy off since before it counts from the warm-up's end.
      const stale = Math.max(0, tS - Math.max(since, this.countFromS));
      current = Math.max(current, stale);
      if (tS >= this.countFromS) this.worst.set(score.id, Math.max(this.worst.get(score.id) ?? 0, stale));
    }
    for (const id of [...this.offSince.keys()]) if (!seen.has(id)) this.offSince.delete(id);
    return current;
  }

  /** Longest stretch (s) a policy's counts were off, after the warm-up (0 when always right). */
  worstOf(id: number): number {
    return this.worst.get(id) ?? 0;
  }
}
