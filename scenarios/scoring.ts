/**
 * Scoring the server's policy counts against the simulator's ground truth. Pure.
 *
 * The truth is read just before and just after the API read, because hosts keep writing: a count
 * that lies between the two truths (per field) is correct for some moment of the read. Staleness
 * is how old the truth is that the counts show (StalenessTracker); its maximum over the run (after
 * the warm-up) is what `counts.staleness.max` checks.
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

/**
 * Staleness as a user sees it: how old the truth is that the server's counts show. Each sample the
 * truth is kept (10 minutes of history); a policy's counts are as old as the newest snapshot whose
 * truth they equal; a value the truth passed through between two snapshots (passing and failing
 * each between them) counts from the older one, so staleness is never understated (resolution: one
 * sample). Counts that
 * match no moment in the history are as old as the history. Only samples after the warm-up count
 * toward the per-policy maximum.
 */
export class StalenessTracker {
  private readonly history: Array<{ t: number; truth: ReadonlyMap<number, TruthCounts> }> = [];
  private readonly worst = new Map<number, number>();

  constructor(
    private readonly countFromS: number,
    private readonly keepS = 600,
  ) {}

  /** Scores one sample at `tS` (seconds since start) and returns the scores with the current max staleness (s). */
  record(tS: number, server: readonly ServerCounts[], before: ReadonlyMap<number, TruthCounts>, after: ReadonlyMap<number, TruthCounts>): { scores: PolicyScore[]; staleness: number } {
    const scores = scoreCounts(server, before, after);
    let current = 0;
    scores.forEach((score, i) => {
      const age = score.ok ? 0 : this.ageOf(server[i]!, tS, before);
      current = Math.max(current, age);
      if (tS >= this.countFromS) this.worst.set(score.id, Math.max(this.worst.get(score.id) ?? 0, age));
      else if (!this.worst.has(score.id)) this.worst.set(score.id, 0);
    });
    this.history.push({ t: tS, truth: after });
    while (this.history.length > 1 && this.history[0]!.t < tS - this.keepS) this.history.shift();
    return { scores, staleness: current };
  }

  private ageOf(counts: ServerCounts, tS: number, before: ReadonlyMap<number, TruthCounts>): number {
    // Between the last snapshot and this sample's first truth read: counts from the last snapshot.
    const last = this.history[this.history.length - 1];
    if (last) {
      const a = last.truth.get(counts.id) ?? ZERO;
      const b = before.get(counts.id) ?? ZERO;
      if (within(counts.passing, a.passing, b.passing) && within(counts.failing, a.failing, b.failing)) return Math.max(0, tS - last.t);
    }
    for (let i = this.history.length - 1; i >= 0; i--) {
      const newer = this.history[i]!.truth.get(counts.id) ?? ZERO;
      const older = i > 0 ? (this.history[i - 1]!.truth.get(counts.id) ?? ZERO) : newer;
      if (counts.passing === newer.passing && counts.failing === newer.failing) return Math.max(0, tS - this.history[i]!.t);
      // Passed through between two snapshots: count it from the older one (never understate).
      if (i > 0 && within(counts.passing, older.passing, newer.passing) && within(counts.failing, older.failing, newer.failing)) return Math.max(0, tS - this.history[i - 1]!.t);
    }
    return this.history.length ? Math.max(0, tS - this.history[0]!.t) : 0;
  }

  /** The oldest counts a policy showed after the warm-up, in seconds (0 when always current). */
  worstOf(id: number): number {
    return this.worst.get(id) ?? 0;
  }
}
