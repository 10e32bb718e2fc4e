/**
 * Labels, label membership and the label scope of policies (Fleet: server/datastore/mysql/labels.go,
 * policy_labels in policies.go). Names compare case-insensitively, as the MySQL column's collation.
 */
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, assertFits } from '../limits.js';
import { inLabelScope, labelPlatformMatches, labelPlatformOf, policyLabelIds } from '../label-rules.js';
import type { HostLabelResults, Label, LabelInput, LabelPatch, LabelRef, LabelSpecInput, MembershipChange, Policy } from '../types.js';
import { noteHostChanged } from './feed.js';
import type { MemoryState } from './state.js';

type LabelRecord = Omit<Label, 'hostCount'>;

export function labelNameKey(name: string): string {
  return name.toLowerCase().replace(/ +$/, '');
}

function withCount(state: MemoryState, label: LabelRecord): Label {
  let hostCount = 0;
  for (const hostId of state.labelMembers.get(label.id) ?? []) if (state.hosts.has(hostId)) hostCount += 1;
  return { ...label, hostCount };
}

function idByName(state: MemoryState, name: string): number | undefined {
  const key = labelNameKey(name);
  for (const label of state.labels.values()) if (labelNameKey(label.name) === key) return label.id;
  return undefined;
}

function assertHosts(state: MemoryState, hostIds: readonly number[] | undefined): void {
  for (const hostId of hostIds ?? []) {
    if (!state.hosts.has(hostId)) throw osqsimError('STORE_NOT_FOUND', { what: `host ${hostId}` });
  }
}

function addMember(state: MemoryState, labelId: number, hostId: number): void {
  let members = state.labelMembers.get(labelId);
  if (!members) state.labelMembers.set(labelId, (members = new Set()));
  members.add(hostId);
  let labels = state.hostLabels.get(hostId);
  if (!labels) state.hostLabels.set(hostId, (labels = new Set()));
  labels.add(labelId);
}

function removeMember(state: MemoryState, labelId: number, hostId: number): void {
  state.labelMembers.get(labelId)?.delete(hostId);
  const labels = state.hostLabels.get(hostId);
  labels?.delete(labelId);
  if (labels?.size === 0) state.hostLabels.delete(hostId);
}

function replaceMembers(state: MemoryState, labelId: number, hostIds: readonly number[]): void {
  for (const hostId of [...(state.labelMembers.get(labelId) ?? [])]) removeMember(state, labelId, hostId);
  for (const hostId of hostIds) addMember(state, labelId, hostId);
}

export function createLabel(state: MemoryState, input: LabelInput): Label {
  assertFits('label name', input.name, MAX_NAME_CHARS);
  if (idByName(state, input.name) !== undefined) throw osqsimError('STORE_CONFLICT', { what: `label "${input.name}"` });
  assertHosts(state, input.hostIds);
  const now = new Date();
  const label: LabelRecord = {
    id: state.nextLabelId++,
    name: input.name,
    description: input.description ?? '',
    query: input.membershipType === 'manual' ? '' : input.query,
    platform: input.platform ?? '',
    labelType: 'regular',
    membershipType: input.membershipType,
    createdAt: now,
    updatedAt: now,
  };
  state.labels.set(label.id, label);
  if (input.membershipType === 'manual') replaceMembers(state, label.id, input.hostIds ?? []);
  return withCount(state, label);
}

export function getLabel(state: MemoryState, id: number): Label | undefined {
  const label = state.labels.get(id);
  return label && withCount(state, label);
}

export function getLabelByName(state: MemoryState, name: string): Label | undefined {
  const id = idByName(state, name);
  return id === undefined ? undefined : getLabel(state, id);
}

export function listLabels(state: MemoryState): Label[] {
  return [...state.labels.values()].sort((a, b) => a.id - b.id).map((label) => withCount(state, label));
}

/** Policy label refs carry the label's name: a rename or delete rewrites them. */
function rewritePolicyRefs(state: MemoryState, labelId: number, name: string | undefined): void {
  const rewrite = (refs: readonly LabelRef[] | undefined): LabelRef[] | undefined => {
    if (!refs?.some((ref) => ref.id === labelId)) return undefined;
    return name === undefined ? refs.filter((ref) => ref.id !== labelId) : refs.map((ref) => (ref.id === labelId ? { id: labelId, name } : ref));
  };
  for (const [id, policy] of state.policies) {
    const include = rewrite(policy.labelsIncludeAny);
    const exclude = rewrite(policy.labelsExcludeAny);
    if (include === undefined && exclude === undefined) continue;
    const next: Policy = { ...policy, labelsIncludeAny: include ?? policy.labelsIncludeAny ?? [], labelsExcludeAny: exclude ?? policy.labelsExcludeAny ?? [] };
    state.policies.set(id, next);
    if (name === undefined) state.policiesVersion++;
  }
}

export function updateLabel(state: MemoryState, id: number, patch: LabelPatch): Label | undefined {
  const old = state.labels.get(id);
  if (!old) return undefined;
  if (patch.name !== undefined) {
    assertFits('label name', patch.name, MAX_NAME_CHARS);
    const owner = idByName(state, patch.name);
    if (owner !== undefined && owner !== id) throw osqsimError('STORE_CONFLICT', { what: `label "${patch.name}"` });
  }
  assertHosts(state, patch.hostIds);
  const label: LabelRecord = {
    ...old,
    name: patch.name ?? old.name,
    description: patch.description ?? old.description,
    updatedAt: new Date(),
  };
  state.labels.set(id, label);
  if (label.name !== old.name) rewritePolicyRefs(state, id, label.name);
  if (patch.hostIds !== undefined && label.membershipType === 'manual') replaceMembers(state, id, patch.hostIds);
  return withCount(state, label);
}

export function deleteLabel(state: MemoryState, id: number): boolean {
  if (!state.labels.has(id)) return false;
  state.labels.delete(id);
  replaceMembers(state, id, []);
  state.labelMembers.delete(id);
  rewritePolicyRefs(state, id, undefined);
  return true;
}

/** The checks applyLabelSpecs makes before writing (a whole-file apply runs them before any kind is written). */
export function checkLabelSpecs(state: MemoryState, specs: readonly LabelSpecInput[]): void {
  for (const spec of specs) {
    assertFits('label name', spec.name, MAX_NAME_CHARS);
    assertHosts(state, spec.hostIds);
  }
}

/**
 * STORE_NOT_FOUND for a label name that is neither stored nor among `adding` (the labels a
 * whole-file apply writes first): resolveLabelRefs's check, before anything is written.
 */
export function checkLabelRefs(state: MemoryState, names: readonly string[] | undefined, adding: readonly LabelSpecInput[]): void {
  const added = new Set(adding.map((spec) => labelNameKey(spec.name)));
  for (const name of names ?? []) {
    if (idByName(state, name) === undefined && !added.has(labelNameKey(name))) throw osqsimError('STORE_NOT_FOUND', { what: `label "${name}"` });
  }
}

export function applyLabelSpecs(state: MemoryState, specs: readonly LabelSpecInput[]): Label[] {
  checkLabelSpecs(state, specs);
  return specs.map((spec) => {
    const existing = idByName(state, spec.name);
    if (existing === undefined) return createLabel(state, { ...spec, hostIds: spec.hostIds ?? [] });
    const old = state.labels.get(existing)!;
    const label: LabelRecord = {
      ...old,
      description: spec.description,
      query: spec.membershipType === 'manual' ? '' : spec.query,
      platform: spec.platform,
      membershipType: spec.membershipType,
      updatedAt: new Date(),
    };
    state.labels.set(existing, label);
    if (spec.membershipType === 'manual' && spec.hostIds !== undefined) replaceMembers(state, existing, spec.hostIds);
    return withCount(state, label);
  });
}

export function labelQueriesForHost(state: MemoryState, platform: string, osVersion: string): Array<{ id: number; query: string }> {
  const hostPlatform = labelPlatformOf(platform, osVersion);
  return [...state.labels.values()]
    .filter((label) => label.membershipType === 'dynamic' && labelPlatformMatches(label.platform, hostPlatform))
    .sort((a, b) => a.id - b.id)
    .map((label) => ({ id: label.id, query: label.query }));
}

export function recordLabelResults(state: MemoryState, batch: HostLabelResults): void {
  const host = state.hosts.get(batch.hostId);
  if (!host) return;
  const applicable = new Set(labelQueriesForHost(state, host.platform, host.osVersion).map((label) => label.id));
  for (const { labelId, member } of [...batch.results].sort((a, b) => a.labelId - b.labelId)) {
    // A label that is not among the host's label queries is forced to false, as Fleet does.
    if (member === true && applicable.has(labelId)) addMember(state, labelId, batch.hostId);
    else removeMember(state, labelId, batch.hostId);
  }
  state.hosts.set(batch.hostId, { ...host, labelUpdatedAt: batch.reportedAt });
  noteHostChanged(state, batch.hostId);
}

export function hostLabelIds(state: MemoryState, hostId: number): number[] {
  return [...(state.hostLabels.get(hostId) ?? [])].filter((id) => state.labels.has(id)).sort((a, b) => a - b);
}

export function labelHostIds(state: MemoryState, labelId: number): number[] {
  return [...(state.labelMembers.get(labelId) ?? [])].filter((id) => state.hosts.has(id)).sort((a, b) => a - b);
}

export function clearPolicyMembershipOutsideLabels(state: MemoryState, policyId: number): readonly MembershipChange[] {
  const policy = state.policies.get(policyId);
  const cells = state.membership.get(policyId);
  if (!policy || !cells) return [];
  const { include, exclude } = policyLabelIds(policy);
  const removed: MembershipChange[] = [];
  for (const hostId of [...cells.keys()].sort((a, b) => a - b)) {
    if (inLabelScope(include, exclude, state.hostLabels.get(hostId) ?? new Set())) continue;
    removed.push({ policyId, hostId, hostTeamId: state.hosts.get(hostId)?.teamId ?? null, before: cells.get(hostId)!.passes, after: undefined });
    cells.delete(hostId);
    const set = state.hostPolicies.get(hostId);
    set?.delete(policyId);
    if (set?.size === 0) state.hostPolicies.delete(hostId);
  }
  return removed;
}

/**
 * The label refs for a policy write's names (case-insensitive, as MySQL), deduplicated; an unknown
 * name is STORE_NOT_FOUND. Called before the policy is changed (all or nothing).
 */
export function resolveLabelRefs(state: MemoryState, names: readonly string[] | undefined): LabelRef[] | undefined {
  if (names === undefined) return undefined;
  const refs = new Map<number, LabelRef>();
  for (const name of names) {
    const id = idByName(state, name);
    if (id === undefined) throw osqsimError('STORE_NOT_FOUND', { what: `label "${name}"` });
    refs.set(id, { id, name: state.labels.get(id)!.name });
  }
  return [...refs.values()].sort((a, b) => a.id - b.id);
}
