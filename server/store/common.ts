/** What both store implementations share: Fleet's "long ago", change merging, the count row. */
import type { MembershipChange, PolicyCount } from './types.js';

/** The "long ago" timestamp that makes a new or re-enrolled host due everything (Fleet's default). */
export const LONG_AGO = new Date('2000-01-01T00:00:00.000Z');

/** A policy_stats row as computed or written (the store stamps updatedAt). */
export type CountRow = Omit<PolicyCount, 'updatedAt'>;

/**
 * A batch may carry the same cell twice (a host wrote twice); the changes of one cell are merged
 * into one (first before, last after), and dropped when they cancel out. Input sorted by cell.
 */
export function collapseChanges(changes: readonly MembershipChange[]): MembershipChange[] {
  const out: MembershipChange[] = [];
  for (const change of changes) {
    const last = out[out.length - 1];
    if (last && last.policyId === change.policyId && last.hostId === change.hostId) {
      out[out.length - 1] = { ...last, after: change.after };
    } else {
      out.push(change);
    }
  }
  return out.filter((c) => c.before !== c.after);
}
