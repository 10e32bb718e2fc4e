/**
 * `POST /spec/policies` — fleetctl apply (reference fleet-policies.md §6.4, §6.7): upsert by
 * (team, name), `team: ""` global, `"No team"` team 0, otherwise a team by name. Every spec is
 * checked before anything is written and every problem is reported; the store applies the lot in
 * one transaction (all or nothing).
 */
import type { FastifyInstance } from 'fastify';
import type { PolicySpecInput, SpecsOutcome } from '../store/store.js';
import { invalidateAfterEdit, type ApiDeps } from './deps.js';
import { badRequest, type FleetErrorItem } from './errors.js';
import { normalisePlatformList } from '../../contract/platforms.js';
import { NO_TEAM, type PolicySpecDoc } from '../policies/fleetctl-yaml.js';
import { asObject, policyProblem, type JsonObject } from './validate.js';


/** A fleetctl policy spec as the REST body sends it: the YAML document's fields, the team always a string. */
interface RawSpec extends Omit<PolicySpecDoc, 'team'> {
  readonly label: string;
  readonly team: string;
}

function readSpec(value: unknown, index: number, problems: FleetErrorItem[]): RawSpec | undefined {
  const label = `specs[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ name: label, reason: 'policy spec must be an object' });
    return undefined;
  }
  const spec = value as JsonObject;
  const text = (key: string): string | undefined => {
    const field = spec[key];
    if (field === undefined || field === null) return '';
    if (typeof field === 'string') return field;
    problems.push({ name: label, reason: `invalid field "${key}": expected a string` });
    return undefined;
  };
  const name = text('name');
  const query = text('query');
  const description = text('description');
  const resolution = text('resolution');
  const platform = text('platform');
  const team = text('team');
  const critical = spec['critical'] ?? false;
  if (typeof critical !== 'boolean') problems.push({ name: label, reason: 'invalid field "critical": expected true or false' });
  const labels = (key: 'labels_include_any' | 'labels_exclude_any'): string[] | undefined | null => {
    const field = spec[key];
    if (field === undefined || field === null) return undefined;
    if (Array.isArray(field) && field.every((item) => typeof item === 'string')) return field as string[];
    problems.push({ name: label, reason: `invalid field "${key}": expected an array of label names` });
    return null;
  };
  const labelsIncludeAny = labels('labels_include_any');
  const labelsExcludeAny = labels('labels_exclude_any');
  if (labelsIncludeAny === null || labelsExcludeAny === null) return undefined;
  if ([name, query, description, resolution, platform, team].includes(undefined) || typeof critical !== 'boolean') return undefined;
  const named = name!.trim() === '' ? label : `${label} (${name})`;
  const problem = policyProblem({ name, query, platform, resolution }, false);
  if (problem) {
    problems.push({ name: named, reason: `policy spec payload verification: ${problem}` });
    return undefined;
  }
  return {
    label: named,
    name: name!.normalize('NFC'),
    query: query!,
    description: description!,
    resolution: resolution!,
    platform: normalisePlatformList(platform!),
    critical,
    team: team!,
    ...(labelsIncludeAny === undefined ? {} : { labelsIncludeAny }),
    ...(labelsExcludeAny === undefined ? {} : { labelsExcludeAny }),
  };
}

/**
 * Reads and checks fleetctl policy specs (REST body form); every problem is collected, and the
 * first is thrown as Fleet's 400 with all of them as items. Nothing is written.
 */
export async function readPolicySpecs(
  deps: ApiDeps,
  specs: readonly unknown[],
  /** Lower-cased names of labels applied with these policies (a whole-file apply): they count as existing. */
  labelsApplied: ReadonlySet<string> = new Set(),
): Promise<PolicySpecInput[]> {
  const { store } = deps.context;
  const problems: FleetErrorItem[] = [];
  const parsed = specs.map((spec, index) => readSpec(spec, index, problems));

  const teamIds = new Map<string, number | null>([['', null], [NO_TEAM, 0]]);
  for (const spec of parsed) {
    if (!spec || teamIds.has(spec.team)) continue;
    const team = await store.getTeamByName(spec.team);
    if (team) teamIds.set(spec.team, team.id);
  }
  const seen = new Set<string>();
  const inputs: PolicySpecInput[] = [];
  for (const spec of parsed) {
    if (!spec) continue;
    const teamId = teamIds.get(spec.team);
    if (teamId === undefined) {
      problems.push({ name: spec.label, reason: `team "${spec.team}" does not exist` });
      continue;
    }
    const key = `${teamId ?? 'global'}\u0000${spec.name}`;
    if (seen.has(key)) {
      problems.push({ name: spec.label, reason: `duplicate policy names not allowed: "${spec.name}" appears more than once for ${spec.team === '' ? 'global policies' : `team "${spec.team}"`}` });
      continue;
    }
    seen.add(key);
    for (const [field, names] of [['labels_include_any', spec.labelsIncludeAny], ['labels_exclude_any', spec.labelsExcludeAny]] as const) {
      for (const labelName of names ?? []) {
        if (!labelsApplied.has(labelName.toLowerCase()) && !(await store.getLabelByName(labelName))) problems.push({ name: spec.label, reason: `${field}: label "${labelName}" does not exist` });
      }
    }
    inputs.push({
      ...(spec.labelsIncludeAny === undefined ? {} : { labelsIncludeAny: spec.labelsIncludeAny }),
      ...(spec.labelsExcludeAny === undefined ? {} : { labelsExcludeAny: spec.labelsExcludeAny }),
      name: spec.name,
      query: spec.query,
      description: spec.description,
      resolution: spec.resolution,
      platforms: spec.platform,
      critical: spec.critical,
      teamId,
    });
  }
  if (problems.length > 0) throw badRequest(problems[0]!.reason, problems);
  return inputs;
}

/** After policies were applied: edited queries or platforms clean up (reference §6.4), scopes refresh. */
export async function afterPolicyApply(deps: ApiDeps, applied: SpecsOutcome['policies']): Promise<void> {
  for (const { policy, result } of applied) {
    if (result !== 'created') await invalidateAfterEdit(deps, result, policy);
  }
  if (applied.length > 0) deps.context.events.emit('policiesChanged', applied.map(({ policy }) => policy.id));
}

export function registerSpecRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps.context;

  app.post('/spec/policies', async (request) => {
    const body = asObject(request.body);
    const specs = body['specs'];
    if (!Array.isArray(specs)) throw badRequest('invalid field "specs": expected an array of policy specs');
    const inputs = await readPolicySpecs(deps, specs);
    if (inputs.length === 0) return {};
    // An upsert never conflicts: the stores create-or-update each (team, name) at the source
    // (MySQL: INSERT … ON DUPLICATE KEY UPDATE), so concurrent applies of a new spec all succeed.
    await afterPolicyApply(deps, await store.applyPolicySpecs(inputs));
    return {};
  });
}
