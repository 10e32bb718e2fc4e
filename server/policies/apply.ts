/**
 * Applying a fleetctl file to a store (server start-up `--policies FILE.yml`, the scenario harness):
 * team names become ids (created on demand when asked), the labels (by name, first) and the policies
 * and reports (by team and name) are upserted in one store call — one transaction, all or nothing — and the side effects of reference §6.4 follow: a
 * changed policy query clears the policy's results and counts, a changed platform list clears the
 * results of hosts on other platforms (an edited report's stale results went in the transaction).
 */
import { readFile } from 'node:fs/promises';
import { isOsqsimError, osqsimError } from '../../lib/errors.js';
import type { ServerEvents } from '../events.js';
import { formatPolicyYamlErrors, NO_TEAM, parsePolicyYaml, type PolicySpecDoc } from './fleetctl-yaml.js';
import type { MembershipChange, Policy, PolicySpecInput, QueryInput, ScheduledQuery, Store } from '../store/store.js';
import type { QuerySpecDoc } from './queries-yaml.js';
import { labelInputsFromDocs } from './apply-labels.js';
import type { LabelSpecDoc } from './label-specs.js';
import { labelNamesUsed, parseLabelYaml } from './labels-yaml.js';

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
  /** Names of the labels applied (created or updated). */
  readonly labels: string[];
  readonly created: Policy[];
  readonly updated: Policy[];
  readonly queriesCreated: ScheduledQuery[];
  readonly queriesUpdated: ScheduledQuery[];
}

/** The kinds of one fleetctl file osqsim applies. */
export interface SpecDocs {
  /** Applied first (policies of the file may be scoped by them). */
  readonly labels?: readonly LabelSpecDoc[];
  readonly policies: readonly PolicySpecDoc[];
  readonly queries: readonly QuerySpecDoc[];
}

/** A report spec as the store takes it. */
export function queryInputOf(doc: QuerySpecDoc, teamId: number | null): QueryInput {
  return {
    teamId,
    name: doc.name,
    query: doc.query,
    description: doc.description,
    interval: doc.interval,
    platform: doc.platform,
    minOsqueryVersion: doc.minOsqueryVersion,
    automationsEnabled: doc.automationsEnabled,
    logging: doc.logging,
    discardData: doc.discardData,
    observerCanRun: doc.observerCanRun,
  };
}

export async function applySpecDocs(
  store: Store,
  docs: SpecDocs,
  options: { createTeams: boolean; events?: ServerEvents },
): Promise<ApplyOutcome> {
  const teamIds = new Map<string, number>();
  const teamIdOf = async (team: string | undefined): Promise<number | null> => {
    if (team === undefined) return null;
    let id = teamIds.get(team);
    if (id === undefined) {
      id = await teamIdForName(store, team, options.createTeams);
      teamIds.set(team, id);
    }
    return id;
  };
  const inputs: PolicySpecInput[] = [];
  const queryInputs: QueryInput[] = [];
  for (const doc of docs.queries) queryInputs.push(queryInputOf(doc, await teamIdOf(doc.team)));
  for (const doc of docs.policies) {
    const teamId = await teamIdOf(doc.team);
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
  const labelInputs = await labelInputsFromDocs(store, docs.labels ?? []);
  const outcome = await store.applySpecs({ labels: labelInputs, policies: inputs, queries: queryInputs });
  const applied = outcome.policies;
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
    // A label's query or members changed: policy scopes are re-read.
    if (outcome.labels.length > 0 && applied.length === 0) options.events.emit('policiesChanged', []);
    if (removed.length > 0) options.events.emit('membershipChanged', removed);
    if (applied.length > 0) options.events.emit('policiesChanged', applied.map(({ policy }) => policy.id));
    if (outcome.queries.length > 0) options.events.emit('queriesChanged', outcome.queries.map(({ query }) => query.id));
  }
  return {
    labels: outcome.labels.map((label) => label.name),
    created,
    updated,
    queriesCreated: outcome.queries.filter((q) => q.result === 'created').map((q) => q.query),
    queriesUpdated: outcome.queries.filter((q) => q.result !== 'created').map((q) => q.query),
  };
}

/**
 * Reads, parses and applies a fleetctl file (labels, policies and reports: one transaction, all or nothing);
 * POLICY_YAML_INVALID lists every problem at once. `skipped` lists documents of kinds osqsim does
 * not serve, `notices` the warnings (a deprecated kind).
 */
export async function applyPolicyFile(
  store: Store,
  file: string,
  options: { createTeams: boolean; events?: ServerEvents },
): Promise<ApplyOutcome & { skipped: string[]; notices: string[] }> {
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
  // Labels first, in the same transaction: the file's policies may be scoped by them (fleetctl applies labels before policies).
  const outcome = await applySpecDocs(store, { labels: labels.specs, policies: parsed.specs, queries: parsed.queries }, options);
  return { ...outcome, skipped: parsed.skipped, notices: parsed.notices };
}
