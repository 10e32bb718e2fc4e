/** Policies, unique by (team, NFC name) as Fleet's checksum key. */
import { osqsimError } from '../../../lib/errors.js';
import { platformMatches } from '../../../contract/platforms.js';
import { newPolicyRecord, patchPolicy, specFields, withLabelScope } from '../common.js';
import { resolveLabelRefs } from './labels.js';
import type { PolicyUpdateResult } from '../store.js';
import type { Policy, PolicyInput, PolicyPatch, PolicySpecInput } from '../types.js';
import { type MemoryState, assertTeam } from './state.js';

function policyKey(teamId: number | null, name: string): string {
  return `${teamId ?? ''}\u0000${name}`;
}

export function createPolicy(state: MemoryState, input: PolicyInput): Policy {
  assertTeam(state, input.teamId);
  const include = resolveLabelRefs(state, input.labelsIncludeAny);
  const exclude = resolveLabelRefs(state, input.labelsExcludeAny);
  const record = withLabelScope(newPolicyRecord(input), include ?? [], exclude ?? []).policy;
  const name = record.name;
  if (state.policiesByKey.has(policyKey(input.teamId, name))) {
    throw osqsimError('STORE_CONFLICT', { what: `policy "${name}"` });
  }
  const policy: Policy = { ...record, id: state.nextPolicyId++ };
  state.policies.set(policy.id, policy);
  state.policiesByKey.set(policyKey(policy.teamId, name), policy.id);
  state.policiesVersion++;
  return policy;
}

export function getPolicy(state: MemoryState, id: number): Policy | undefined {
  return state.policies.get(id);
}

export function listPolicies(state: MemoryState, teamId: number | null): Policy[] {
  return [...state.policies.values()].filter((p) => p.teamId === teamId).sort((a, b) => a.id - b.id);
}

export function listAllPolicies(state: MemoryState): Policy[] {
  return [...state.policies.values()].sort((a, b) => a.id - b.id);
}

export function policiesForHost(state: MemoryState, teamId: number | null, fleetPlatform: string): Policy[] {
  const scope = teamId ?? 0;
  return [...state.policies.values()]
    .filter((p) => (p.teamId === null || p.teamId === scope) && platformMatches(p.platforms, fleetPlatform))
    .sort((a, b) => a.id - b.id);
}

export function updatePolicy(state: MemoryState, id: number, patch: PolicyPatch): PolicyUpdateResult | undefined {
  const old = state.policies.get(id);
  if (!old) return undefined;
  const include = resolveLabelRefs(state, patch.labelsIncludeAny);
  const exclude = resolveLabelRefs(state, patch.labelsExcludeAny);
  const patched = patchPolicy(old, patch);
  const scoped = withLabelScope(patched.policy, include, exclude);
  const result = { ...patched, policy: scoped.policy, labelsChanged: scoped.labelsChanged };
  const { policy } = result;
  const name = policy.name;
  const owner = state.policiesByKey.get(policyKey(old.teamId, name));
  if (owner !== undefined && owner !== id) throw osqsimError('STORE_CONFLICT', { what: `policy "${name}"` });
  state.policiesByKey.delete(policyKey(old.teamId, old.name));
  state.policiesByKey.set(policyKey(policy.teamId, name), id);
  state.policies.set(id, policy);
  state.policiesVersion++;
  return result;
}

export function deletePolicies(state: MemoryState, ids: readonly number[]): number[] {
  const existing = [...new Set(ids)].filter((id) => state.policies.has(id)).sort((a, b) => a - b);
  removePolicies(state, existing);
  return existing;
}

/** Deletes policies with their membership and counts. */
export function removePolicies(state: MemoryState, ids: readonly number[]): void {
  for (const id of ids) {
    const policy = state.policies.get(id);
    if (!policy) continue;
    state.policies.delete(id);
    state.policiesByKey.delete(policyKey(policy.teamId, policy.name));
    state.policiesVersion++;
    const cells = state.membership.get(id);
    if (cells) {
      for (const hostId of cells.keys()) {
        const set = state.hostPolicies.get(hostId);
        set?.delete(id);
        if (set?.size === 0) state.hostPolicies.delete(hostId);
      }
      state.membership.delete(id);
    }
    for (const [key, row] of state.counts) if (row.policyId === id) state.counts.delete(key);
  }
}

export function applyPolicySpecs(
  state: MemoryState,
  specs: readonly PolicySpecInput[],
): Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }> {
  for (const spec of specs) {
    assertTeam(state, spec.teamId);
    resolveLabelRefs(state, spec.labelsIncludeAny);
    resolveLabelRefs(state, spec.labelsExcludeAny);
  }
  const out: Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }> = [];
  for (const spec of specs) {
    const name = spec.name.normalize('NFC');
    const fields = specFields(spec);
    const existingId = state.policiesByKey.get(policyKey(spec.teamId, name));
    if (existingId === undefined) {
      const policy = createPolicy(state, { teamId: spec.teamId, name, ...fields });
      out.push({ policy, result: 'created' });
    } else {
      const result = updatePolicy(state, existingId, fields)!;
      out.push({ policy: result.policy, result });
    }
  }
  return out;
}
