/**
 * Count cells and the arithmetic every strategy shares. A cell is (policy, inheritedTeamId):
 * null = the policy's overall count; 0 = a global policy over "No team" hosts; N = over team N's
 * hosts (reference fleet-policies.md §4.4). Only passes = 1 / 0 count; unknown (NULL) never does.
 */
import type { MembershipChange, PolicyCount, PolicyPasses } from '../store/types.js';

export type CountCell = Omit<PolicyCount, 'updatedAt'>;

/** Map key of a cell. */
export function cellKey(policyId: number, inheritedTeamId: number | null): string {
  return inheritedTeamId === null ? `${policyId}` : `${policyId}:${inheritedTeamId}`;
}

/** The inherited bucket of a host: its team, or 0 for hosts in no team. */
export function teamBucket(hostTeamId: number | null): number {
  return hostTeamId ?? 0;
}

/** How one cell change moves the passing and failing counts. */
export function changeDelta(before: PolicyPasses | undefined, after: PolicyPasses | undefined): { passing: number; failing: number } {
  return {
    passing: (after === true ? 1 : 0) - (before === true ? 1 : 0),
    failing: (after === false ? 1 : 0) - (before === false ? 1 : 0),
  };
}

/**
 * Raw deltas by (policy, host team bucket), before they are mapped to cells (which needs to know
 * whether the policy is global). Kept small: one entry per (policy, team) touched.
 */
export class DeltaBuffer {
  private readonly byPolicy = new Map<number, Map<number, { passing: number; failing: number }>>();

  get size(): number {
    return this.byPolicy.size;
  }

  policyIds(): number[] {
    return [...this.byPolicy.keys()];
  }

  add(change: MembershipChange): boolean {
    const delta = changeDelta(change.before, change.after);
    if (delta.passing === 0 && delta.failing === 0) return false;
    this.addRaw(change.policyId, teamBucket(change.hostTeamId), delta.passing, delta.failing);
    return true;
  }

  addRaw(policyId: number, bucket: number, passing: number, failing: number): void {
    let teams = this.byPolicy.get(policyId);
    if (!teams) {
      teams = new Map();
      this.byPolicy.set(policyId, teams);
    }
    const entry = teams.get(bucket);
    if (entry) {
      entry.passing += passing;
      entry.failing += failing;
    } else {
      teams.set(bucket, { passing, failing });
    }
  }

  drop(policyId: number): void {
    this.byPolicy.delete(policyId);
  }

  /** Moves everything into `other` (used to put back a batch whose flush failed). */
  mergeInto(other: DeltaBuffer): void {
    for (const [policyId, teams] of this.byPolicy) {
      for (const [bucket, delta] of teams) other.addRaw(policyId, bucket, delta.passing, delta.failing);
    }
  }

  /**
   * Cell deltas: every policy gets its overall cell; global policies (scope null) also one cell per
   * team bucket. Policies whose scope is `undefined` (deleted) are left out. Zero deltas are dropped.
   */
  toCells(scopeOf: (policyId: number) => number | null | undefined): CountCell[] {
    const cells: CountCell[] = [];
    for (const [policyId, teams] of this.byPolicy) {
      const scope = scopeOf(policyId);
      if (scope === undefined) continue;
      let passing = 0;
      let failing = 0;
      for (const [bucket, delta] of teams) {
        passing += delta.passing;
        failing += delta.failing;
        if (scope === null && (delta.passing !== 0 || delta.failing !== 0)) {
          cells.push({ policyId, inheritedTeamId: bucket, passing: delta.passing, failing: delta.failing });
        }
      }
      if (passing !== 0 || failing !== 0) cells.push({ policyId, inheritedTeamId: null, passing, failing });
    }
    return cells;
  }
}

/** Adds cell deltas onto count rows (missing rows count as 0), returning new rows stamped `updatedAt`. */
export function addCells(rows: readonly PolicyCount[], deltas: readonly CountCell[], updatedAt: Date): PolicyCount[] {
  const merged = new Map<string, PolicyCount>();
  for (const row of rows) merged.set(cellKey(row.policyId, row.inheritedTeamId), row);
  for (const delta of deltas) {
    const key = cellKey(delta.policyId, delta.inheritedTeamId);
    const row = merged.get(key);
    merged.set(key, {
      policyId: delta.policyId,
      inheritedTeamId: delta.inheritedTeamId,
      passing: (row?.passing ?? 0) + delta.passing,
      failing: (row?.failing ?? 0) + delta.failing,
      updatedAt: row?.updatedAt ?? updatedAt,
    });
  }
  return [...merged.values()];
}

/** Cells of `actual` that differ from `expected` (a missing cell counts as 0/0). */
export function diffCells(
  expected: readonly CountCell[],
  actual: readonly CountCell[],
): Array<{ key: string; expected: CountCell; actual: CountCell }> {
  const actualByKey = new Map(actual.map((cell) => [cellKey(cell.policyId, cell.inheritedTeamId), cell]));
  const differences: Array<{ key: string; expected: CountCell; actual: CountCell }> = [];
  const seen = new Set<string>();
  for (const cell of expected) {
    const key = cellKey(cell.policyId, cell.inheritedTeamId);
    seen.add(key);
    const found = actualByKey.get(key) ?? { ...cell, passing: 0, failing: 0 };
    if (found.passing !== cell.passing || found.failing !== cell.failing) differences.push({ key, expected: cell, actual: found });
  }
  for (const [key, cell] of actualByKey) {
    if (seen.has(key) || (cell.passing === 0 && cell.failing === 0)) continue;
    differences.push({ key, expected: { ...cell, passing: 0, failing: 0 }, actual: cell });
  }
  return differences;
}

/** Splits a list into batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
