/**
 * The rules both store implementations share: Fleet's "long ago", how a policy record is made and
 * patched, how one batch's changes of a cell merge, the count row.
 */
import { randomBytes } from 'node:crypto';
import type { PolicyUpdateResult } from './store.js';
import type { LabelRef, MembershipChange, Policy, PolicyCount, PolicyInput, PolicyPatch, PolicySpecInput } from './types.js';

/** The "long ago" timestamp that makes a new host due everything (Fleet's default; a re-enrolled host keeps its own). */
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

/** The record a new policy gets (id 0 until the store assigns one); names are NFC-normalised as Fleet does. */
export function newPolicyRecord(input: PolicyInput): Policy {
  const now = new Date();
  return {
    id: 0,
    teamId: input.teamId,
    name: input.name.normalize('NFC'),
    query: input.query,
    description: input.description ?? '',
    resolution: input.resolution ?? '',
    platforms: input.platforms ?? '',
    critical: input.critical ?? false,
    authorId: input.authorId ?? null,
    authorName: input.authorName ?? '',
    authorEmail: input.authorEmail ?? '',
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * A policy with a patch applied (name NFC-normalised, updatedAt now); a new query or platform list
 * stamps queryChangedAt, and the result says which changed (the membership clean-up it calls for).
 */
export function patchPolicy(old: Policy, patch: PolicyPatch): PolicyUpdateResult {
  const name = patch.name === undefined ? old.name : patch.name.normalize('NFC');
  let policy: Policy = {
    ...old,
    name,
    query: patch.query ?? old.query,
    description: patch.description ?? old.description,
    resolution: patch.resolution ?? old.resolution,
    platforms: patch.platforms ?? old.platforms,
    critical: patch.critical ?? old.critical,
    updatedAt: new Date(),
  };
  const queryChanged = policy.query !== old.query;
  const platformsChanged = policy.platforms !== old.platforms;
  if (queryChanged || platformsChanged) policy = { ...policy, queryChangedAt: policy.updatedAt };
  return { policy, queryChanged, platformsChanged };
}

/**
 * A policy with its label scope set (undefined lists stay as they are); labelsChanged when either
 * list's ids differ. Both lists are always present on the result (empty = no scope).
 */
export function withLabelScope(
  policy: Policy,
  include: readonly LabelRef[] | undefined,
  exclude: readonly LabelRef[] | undefined,
): { policy: Policy; labelsChanged: boolean } {
  const ids = (refs: readonly LabelRef[] | undefined): string => (refs ?? []).map((ref) => ref.id).join(',');
  const next: Policy = {
    ...policy,
    labelsIncludeAny: include ?? policy.labelsIncludeAny ?? [],
    labelsExcludeAny: exclude ?? policy.labelsExcludeAny ?? [],
  };
  const labelsChanged =
    ids(next.labelsIncludeAny) !== ids(policy.labelsIncludeAny) || ids(next.labelsExcludeAny) !== ids(policy.labelsExcludeAny);
  return { policy: next, labelsChanged };
}

/** The fields a fleetctl spec sets: all of them, absent ones at their defaults (an apply replaces them). */
export interface SpecFields {
  readonly labelsIncludeAny: readonly string[];
  readonly labelsExcludeAny: readonly string[];
  readonly query: string;
  readonly description: string;
  readonly resolution: string;
  readonly platforms: string;
  readonly critical: boolean;
}

export function specFields(spec: PolicySpecInput): SpecFields {
  return {
    // A spec states the whole policy: absent label lists mean no scope.
    labelsIncludeAny: spec.labelsIncludeAny ?? [],
    labelsExcludeAny: spec.labelsExcludeAny ?? [],
    query: spec.query,
    description: spec.description ?? '',
    resolution: spec.resolution ?? '',
    platforms: spec.platforms ?? '',
    critical: spec.critical ?? false,
  };
}

/**
 * The osquery node key of a host orbit created before osquery enrolled: Fleet leaves node_key NULL
 * (no osquery request can authenticate); osqsim's column is NOT NULL, so it holds a random value
 * nobody is given.
 */
export function unenrolledNodeKey(): string {
  return `orbit-pending:${randomBytes(24).toString('base64')}`;
}
