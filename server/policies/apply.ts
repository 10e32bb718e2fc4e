/**
 * Applying fleetctl policy specs to a store (server start-up `--policies FILE.yml`; reusable by
 * `osqsim policies apply`): team names become ids (created on demand when asked), the specs are
 * upserted by (team, name) in one store call, and the side effects of reference §6.4 follow — a
 * changed query clears the policy's results and counts, a changed platform list clears the
 * results of hosts on other platforms.
 */
import { readFile } from 'node:fs/promises';
import { isOsqsimError, osqsimError } from '../../lib/errors.js';
import type { ServerEvents } from '../events.js';
import { formatPolicyYamlErrors, NO_TEAM, parsePolicyYaml, type PolicySpecDoc } from './fleetctl-yaml.js';
import type { MembershipChange, Policy, PolicySpecInput, Store } from '../store/store.js';
import { applyLabelDocs } from './apply-labels.js';
import { labelNamesUsed, parseLabelYaml, withoutHandledKinds } from './labels-yaml.js';

const CLEANUP_BATCH = 1000;

/** Team id for a name: 'No team' → 0; an unknown name is created when `create`, else STORE_NOT_FOUND. */
export async function teamIdForName(store: Store, name: string, create: boolean): Promise<number> {
  if (name === NO_TEAM) return 0;
  const existing = await store.getTeamByName(name);
  if (existing) return existing.id;
  if (!create) throw osqsimError('STORE_NOT_FOUND', { what: `team "${name}"` });
  try {
    return (await store.createTeam(name)).id;
  } catch (error) {
    if (!isOsqsimError(error, 'STORE_CONFLICT')) throw error;
    const raced = await store.getTeamByName(name);
    if (!raced) throw error;
    return raced.id;
  }
}

export interface ApplyOutcome {
  readonly created: Policy[];
  readonly updated: Policy[];
}

export async function applyPolicySpecDocs(
  store: Store,
  docs: readonly PolicySpecDoc[],
  options: { createTeams: boolean; events?: ServerEvents },
): Promise<ApplyOutcome> {
  const teamIds = new Map<string, number>();
  const inputs: PolicySpecInput[] = [];
  for (const doc of docs) {
    let teamId: number | null = null;
    if (doc.team !== undefined) {
      let id = teamIds.get(doc.team);
      if (id === undefined) {
        id = await teamIdForName(store, doc.team, options.createTeams);
        teamIds.set(doc.team, id);
      }
      teamId = id;
    }
    inputs.push({
      ...(doc.labelsIncludeAny === undefined ? {} : { labelsIncludeAny: doc.labelsIncludeAny }),
      ...(doc.labelsExcludeAny === undefined ? {} : { labelsExcludeAny: doc.labelsExcludeAny }),
      name: doc.name,
      query: doc.query,
      description: doc.description,
      resolution: doc.resolution,
      platforms: doc.platform,
      critical: doc.critical,
      teamId,
    });
  }
  const applied = await store.applyPolicySpecs(inputs);
  const created: Policy[] = [];
  const updated: Policy[] = [];
  const removed: MembershipChange[] = [];
  for (const { policy, result } of applied) {
    if (result === 'created') {
      created.push(policy);
      continue;
    }
    updated.push(policy);
    if (result.labelsChanged) removed.push(...(await store.clearPolicyMembershipOutsideLabels(policy.id)));
    if (result.queryChanged || result.platformsChanged) {
      const keep = result.queryChanged ? undefined : policy.platforms;
      // Answers hosts sent after the edit stay (rows stamped in the edit's millisecond are stale).
      const staleUpTo = new Date(policy.updatedAt.getTime() + 1);
      for (;;) {
        const batch = await store.clearPolicyMembershipBatch(policy.id, CLEANUP_BATCH, keep, staleUpTo);
        if (batch.length === 0) break;
        removed.push(...batch);
      }
      await store.deletePolicyCounts(policy.id);
    }
  }
  if (options.events) {
    if (removed.length > 0) options.events.emit('membershipChanged', removed);
    options.events.emit('policiesChanged', applied.map(({ policy }) => policy.id));
  }
  return { created, updated };
}

/** Reads, parses and applies a policy file; POLICY_YAML_INVALID lists every problem at once. */
export async function applyPolicyFile(
  store: Store,
  file: string,
  options: { createTeams: boolean; events?: ServerEvents },
): Promise<ApplyOutcome & { labels: string[]; skipped: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--policies', reason: `cannot read ${file}: ${(error as Error).message}` });
  }
  const parsed = parsePolicyYaml(text, file);
  const labels = parseLabelYaml(text);
  const errors = [...parsed.errors, ...labels.errors];
  if (errors.length > 0) {
    throw osqsimError('POLICY_YAML_INVALID', { file, details: formatPolicyYamlErrors(file, errors) });
  }
  // Every label a policy names must exist once the file's labels are in: checked before anything
  // is written, so a file is not half applied.
  const inFile = new Set(labels.specs.map((label) => label.name.toLowerCase()));
  for (const name of labelNamesUsed(parsed.specs)) {
    if (!inFile.has(name.toLowerCase()) && !(await store.getLabelByName(name))) {
      throw osqsimError('POLICY_YAML_INVALID', { file, details: `${file}: label "${name}" is used by a policy but is neither in the file nor on the server` });
    }
  }
  // Labels first: the file's policies may be scoped by them (fleetctl applies labels before policies).
  const appliedLabels = await applyLabelDocs(store, labels.specs);
  if (appliedLabels.length > 0) options.events?.emit('policiesChanged', []);
  const outcome = await applyPolicySpecDocs(store, parsed.specs, options);
  return { ...outcome, labels: appliedLabels.map((label) => label.name), skipped: withoutHandledKinds(parsed.skipped) };
}
