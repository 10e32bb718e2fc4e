/**
 * Ground truth: what each host last REPORTED (a write the server acknowledged with 2xx) per policy
 * id, and the passing / failing / unknown counts that follow, kept exact incrementally.
 *
 * One byte per (host, policy): the low two bits are the last reported answer (0 never reported,
 * 1 pass, 2 fail, 3 unknown = status ≠ 0), bit 2 is the host's drift state for that policy.
 */
export const ANSWER_NONE = 0;
export const ANSWER_PASS = 1;
export const ANSWER_FAIL = 2;
export const ANSWER_UNKNOWN = 3;
const ANSWER_MASK = 3;
export const DRIFT_BIT = 4;

export interface TruthCounts {
  passing: number;
  failing: number;
  unknown: number;
}

export interface PolicyTruth {
  id: number;
  query: string;
  counts: TruthCounts;
}

class PolicyState {
  readonly cells: Uint8Array;
  readonly counts: TruthCounts = { passing: 0, failing: 0, unknown: 0 };

  constructor(
    readonly id: number,
    public query: string,
    hosts: number,
  ) {
    this.cells = new Uint8Array(hosts);
  }
}

export class GroundTruth {
  private readonly policies = new Map<number, PolicyState>();

  constructor(private readonly hosts: number) {}

  private state(id: number, query: string): PolicyState {
    let state = this.policies.get(id);
    if (state === undefined) {
      state = new PolicyState(id, query, this.hosts);
      this.policies.set(id, state);
    } else if (state.query !== query) state.query = query;
    return state;
  }

  driftOf(id: number, query: string, host: number): boolean {
    return (this.state(id, query).cells[host]! & DRIFT_BIT) !== 0;
  }

  toggleDrift(id: number, query: string, host: number): void {
    this.state(id, query).cells[host]! ^= DRIFT_BIT;
  }

  /** Records an acknowledged answer. */
  report(id: number, query: string, host: number, answer: number): void {
    const state = this.state(id, query);
    const cell = state.cells[host]!;
    const previous = cell & ANSWER_MASK;
    if (previous === answer) return;
    adjust(state.counts, previous, -1);
    adjust(state.counts, answer, +1);
    state.cells[host] = (cell & ~ANSWER_MASK) | answer;
  }

  /** The server forgets a host's answers when it re-enrolls (Fleet deletes its memberships). */
  forgetHost(host: number): void {
    for (const state of this.policies.values()) {
      const cell = state.cells[host]!;
      adjust(state.counts, cell & ANSWER_MASK, -1);
      state.cells[host] = cell & ~ANSWER_MASK;
    }
  }

  answerOf(id: number, host: number): number {
    const state = this.policies.get(id);
    return state ? state.cells[host]! & ANSWER_MASK : ANSWER_NONE;
  }

  snapshot(): PolicyTruth[] {
    return [...this.policies.values()]
      .sort((a, b) => a.id - b.id)
      .map((s) => ({ id: s.id, query: s.query, counts: { ...s.counts } }));
  }
}

function adjust(counts: TruthCounts, answer: number, delta: number): void {
  if (answer === ANSWER_PASS) counts.passing += delta;
  else if (answer === ANSWER_FAIL) counts.failing += delta;
  else if (answer === ANSWER_UNKNOWN) counts.unknown += delta;
}

/** Sums per-worker snapshots by policy id. */
export function mergeTruth(parts: ReadonlyArray<readonly PolicyTruth[]>): PolicyTruth[] {
  const byId = new Map<number, PolicyTruth>();
  for (const part of parts) {
    for (const p of part) {
      const into = byId.get(p.id);
      if (into === undefined) byId.set(p.id, { id: p.id, query: p.query, counts: { ...p.counts } });
      else {
        into.counts.passing += p.counts.passing;
        into.counts.failing += p.counts.failing;
        into.counts.unknown += p.counts.unknown;
      }
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
