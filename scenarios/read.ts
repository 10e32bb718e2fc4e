/**
 * The one scenario reader, used by every command (`osqsim run`, `scenario validate|plan`,
 * `simulate --scenario`, `capacity sweep`):
 *
 *   a file path or a built-in name (scenarios/builtin.ts) → YAML → files it names read →
 *   command-line overrides (scenarios/overrides.ts) → one strict validation (schema/scenario.ts)
 *
 * `policies:` may be an inline list, a fleetctl YAML file path, or `{file, list, overrides}` (a
 * file's `kind: label` and `kind: report` documents join the scenario's `labels:` and `reports:`,
 * applied with the policies in one step by the harness), a timeline `add_policies` may name a `file`, and `fleet: builtin` names osqsim's built-in fleet.
 * Files are read relative to the scenario file and turned into the inline list before validation,
 * so the validated scenario (and result.json) is self-contained. Every problem is collected and
 * reported at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { osqsimError, type OsqsimError } from '../lib/errors.js';
import { flowNestingProblem } from '../lib/yaml-depth.js';
import { didYouMean } from '../lib/did-you-mean.js';
import { formatDurationMs } from '../lib/units.js';
import { formatPolicyYamlErrors, parsePolicyYaml, type PolicySpecDoc } from '../server/policies/fleetctl-yaml.js';
import { HOST_AGENTS, type HostAgent, type PolicySpec } from '../contract/fleet-spec.js';
import type { LabelSpecBody, QuerySpecBody } from '../contract/fleet-rest.js';
import { parseLabelYaml } from '../server/policies/labels-yaml.js';
import type { QuerySpecDoc } from '../server/policies/queries-yaml.js';
import { builtinFleet } from './fleets/builtin-fleet.js';
import { BUILTIN_SCENARIOS, isScenarioName, resolveScenarioPath } from './builtin.js';
import { applyOverrides, type ScenarioOverrides } from './overrides.js';
import { validateScenario, type Scenario } from './schema/scenario.js';
import { formatIssues, isPlainObject as isRecord, type ValidationIssue } from './schema/validate.js';

export type ReadResult =
  | { ok: true; scenario: Scenario; file: string; notes: string[] }
  | { ok: false; issues: ValidationIssue[]; file: string };

export interface ReadOptions {
  overrides?: ScenarioOverrides;
  /**
   * A steady-state run (`osqsim simulate`, capacity sweeps): the harness's timeline and thresholds
   * are left out, with a note when the scenario has them.
   */
  steadyState?: boolean;
}

function toPolicySpec(doc: PolicySpecDoc): PolicySpec {
  return {
    name: doc.name,
    query: doc.query,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.platform ? { platform: doc.platform } : {}),
    ...(doc.team ? { team: doc.team } : {}),
    ...(doc.labelsIncludeAny?.length ? { labels_include_any: [...doc.labelsIncludeAny] } : {}),
    ...(doc.labelsExcludeAny?.length ? { labels_exclude_any: [...doc.labelsExcludeAny] } : {}),
  };
}

function toReportSpec(doc: QuerySpecDoc): QuerySpecBody {
  return {
    name: doc.name,
    query: doc.query,
    description: doc.description,
    team: doc.team ?? '',
    interval: doc.interval,
    observer_can_run: doc.observerCanRun,
    platform: doc.platform,
    min_osquery_version: doc.minOsqueryVersion,
    automations_enabled: doc.automationsEnabled,
    logging: doc.logging,
    discard_data: doc.discardData,
  };
}

/** The labels and reports a scenario's policy files bring, applied with its policies in one step. */
export interface PolicyLibrary {
  labels: LabelSpecBody[];
  reports: QuerySpecBody[];
}

/**
 * Reads a fleetctl policy file; problems go to `issues` under `path`. With `library` (the scenario's
 * `policies:` files) its labels and reports are collected there and label-scoped policies are taken;
 * without (a timeline's added policies) only unscoped policies are, and its reports and labels are
 * named in `notes`. Documents of other kinds are named in `notes`, never dropped silently.
 */
export function readPolicyFile(file: string, baseDir: string, path: string, issues: ValidationIssue[], notes?: string[], library?: PolicyLibrary): PolicySpec[] {
  const full = isAbsolute(file) ? file : resolve(baseDir, file);
  if (!existsSync(full)) {
    issues.push({ path, message: `policy file not found: ${file} (looked in ${full}; paths are relative to the scenario file)` });
    return [];
  }
  const text = readFileSync(full, 'utf8');
  const parsed = parsePolicyYaml(text, file);
  const labels = parseLabelYaml(text);
  const errors = [...parsed.errors, ...labels.errors];
  if (errors.length > 0) {
    issues.push({ path, message: `invalid policy file:\n  ${formatPolicyYamlErrors(file, errors).split('\n').join('\n  ')}` });
    return [];
  }
  for (const line of parsed.skipped) notes?.push(`${file} ${line}: not applied (a scenario takes kind: label, policy, report)`);
  if (library) {
    library.labels.push(
      ...labels.specs.map((spec) => ({
        name: spec.name,
        description: spec.description,
        query: spec.query,
        platform: spec.platform,
        label_membership_type: spec.membershipType,
        ...(spec.hosts === undefined ? {} : { hosts: spec.hosts }),
      })),
    );
    library.reports.push(...parsed.queries.map(toReportSpec));
    return parsed.specs.map(toPolicySpec);
  }
  // Added mid-run without their labels: refuse a scoped policy rather than widen it.
  const scoped = parsed.specs.filter((spec) => (spec.labelsIncludeAny?.length ?? 0) + (spec.labelsExcludeAny?.length ?? 0) > 0);
  if (scoped.length > 0) {
    issues.push({
      path,
      message: `${file}: a timeline's add_policies takes no label-scoped policies (${scoped.map((spec) => `"${spec.name}"`).join(', ')} use labels_include_any/labels_exclude_any); put them in the scenario's policies: file, whose labels are applied with them`,
    });
    return [];
  }
  if (parsed.queries.length > 0) {
    const n = parsed.queries.length;
    notes?.push(`${file}: ${n} ${n === 1 ? 'report' : 'reports'} (kind: report) not applied by add_policies, which takes policies only; put them in the scenario's policies: file`);
  }
  if (labels.specs.length > 0) notes?.push(`${file}: ${labels.specs.length} label(s) (kind: label) not applied by add_policies, which takes policies only; put them in the scenario's policies: file`);
  return parsed.specs.map(toPolicySpec);
}

/** `policies:` in any of its forms → an inline list (with overrides applied). */
function resolvePolicies(value: unknown, baseDir: string, issues: ValidationIssue[], notes: string[] | undefined, library: PolicyLibrary): unknown {
  if (typeof value === 'string') return readPolicyFile(value, baseDir, 'policies', issues, notes, library);
  if (!isRecord(value)) return value;
  const known = ['file', 'list', 'overrides'];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) issues.push({ path: `policies.${key}`, message: `unknown key${didYouMean(key, known)}` });
  }
  const list: unknown[] = [];
  const files = value.file === undefined ? [] : Array.isArray(value.file) ? value.file : [value.file];
  files.forEach((file, i) => {
    const path = Array.isArray(value.file) ? `policies.file[${i}]` : 'policies.file';
    if (typeof file !== 'string') issues.push({ path, message: 'must be a path to a fleetctl policy file' });
    else list.push(...readPolicyFile(file, baseDir, path, issues, notes, library));
  });
  if (value.list !== undefined) {
    if (Array.isArray(value.list)) list.push(...(value.list as unknown[]));
    else issues.push({ path: 'policies.list', message: 'must be a list of policies' });
  }
  if (value.overrides !== undefined) {
    if (!isRecord(value.overrides)) {
      issues.push({ path: 'policies.overrides', message: 'must map policy names to overrides, e.g. {"Disk encryption": {fail_rate: 0.2}}' });
    } else {
      const names = list.filter(isRecord).map((p) => String(p.name));
      for (const [name, override] of Object.entries(value.overrides)) {
        const index = list.findIndex((p) => isRecord(p) && p.name === name);
        if (index < 0) {
          issues.push({ path: `policies.overrides.${name}`, message: `no policy named ${JSON.stringify(name)}${didYouMean(name, names)}` });
          continue;
        }
        if (!isRecord(override)) {
          issues.push({ path: `policies.overrides.${name}`, message: 'must be a mapping like {fail_rate: 0.2}' });
          continue;
        }
        list[index] = { ...(list[index] as Record<string, unknown>), ...override };
      }
    }
  }
  return list;
}

/**
 * `fleet: builtin` → osqsim's built-in mixed fleet (scenarios/fleets/builtin-fleet.ts: nine groups
 * with realistic tables for every policy fixture); `{builtin: true, drift: …}` adds the other fleet
 * keys to it, `{builtin: true, compliance: 0..1}` sets the share of hardening checks it passes, and
 * `{builtin: true, agent: fleetd}` runs every built-in group under fleetd.
 */
function resolveFleet(value: unknown, issues: ValidationIssue[]): unknown {
  const builtin = (compliance?: number, agent?: HostAgent): Record<string, unknown> =>
    JSON.parse(JSON.stringify(builtinFleet({ ...(compliance === undefined ? {} : { compliance }), ...(agent === undefined ? {} : { agent }) }))) as Record<string, unknown>;
  if (typeof value === 'string') {
    if (value === 'builtin') return builtin();
    issues.push({ path: 'fleet', message: `must be a mapping with groups, or "builtin" (osqsim's mixed fleet), got ${JSON.stringify(value)}${didYouMean(value, ['builtin'])}` });
    return undefined;
  }
  if (isRecord(value) && value.builtin !== undefined) {
    const { builtin: flag, ...rest } = value;
    if (flag !== true) {
      issues.push({ path: 'fleet.builtin', message: 'must be true (or leave it out and list groups)' });
      return undefined;
    }
    if (rest.groups !== undefined) {
      issues.push({ path: 'fleet.groups', message: 'cannot be combined with builtin: true' });
      return undefined;
    }
    const { compliance, agent, fleet_desktop: desktop, ...others } = rest;
    if (compliance !== undefined && (typeof compliance !== 'number' || !(compliance >= 0 && compliance <= 1))) {
      issues.push({ path: 'fleet.compliance', message: `must be a number from 0 to 1 (the share of hardening checks the built-in fleet passes), got ${JSON.stringify(compliance)}` });
      return undefined;
    }
    // `agent: fleetd` (and `fleet_desktop`) apply to every built-in group: the same fleet under fleetd.
    if (agent !== undefined && !(HOST_AGENTS as readonly unknown[]).includes(agent)) {
      issues.push({ path: 'fleet.agent', message: `must be one of ${HOST_AGENTS.join(', ')}, got ${JSON.stringify(agent)}${typeof agent === 'string' ? didYouMean(agent, HOST_AGENTS) : ''}` });
      return undefined;
    }
    // The agent shapes the data too: only fleetd hosts report orbit's tables (builtin-fleet.ts).
    const fleet = builtin(compliance, agent as HostAgent | undefined);
    if (desktop !== undefined) {
      fleet.groups = (fleet.groups as Array<Record<string, unknown>>).map((group) => ({ ...group, fleet_desktop: desktop }));
    }
    return { ...fleet, ...others };
  }
  return value;
}

/** Resolves file references in a parsed (not yet validated) scenario document. Pure apart from reading files. */
export function resolveScenarioFiles(document: unknown, baseDir: string, issues: ValidationIssue[], notes?: string[]): unknown {
  if (!isRecord(document)) return document;
  const out: Record<string, unknown> = { ...document };
  if (document.fleet !== undefined) out.fleet = resolveFleet(document.fleet, issues);
  if (document.policies !== undefined) {
    const library: PolicyLibrary = { labels: [], reports: [] };
    out.policies = resolvePolicies(document.policies, baseDir, issues, notes, library);
    // The files' labels and reports, then any written inline (a name twice is refused by the server's apply).
    if (library.labels.length > 0) out.labels = [...library.labels, ...(Array.isArray(document.labels) ? document.labels : [])];
    if (library.reports.length > 0) out.reports = [...library.reports, ...(Array.isArray(document.reports) ? document.reports : [])];
  }
  if (Array.isArray(document.timeline)) {
    out.timeline = document.timeline.map((entry: unknown, i) => {
      if (!isRecord(entry) || !isRecord(entry.add_policies) || typeof entry.add_policies.file !== 'string') return entry;
      const { file, ...rest } = entry.add_policies;
      const fromFile = readPolicyFile(file as string, baseDir, `timeline[${i}].add_policies.file`, issues, notes);
      const list = Array.isArray(rest.list) ? [...fromFile, ...(rest.list as unknown[])] : fromFile;
      return { ...entry, add_policies: { ...rest, ...(list.length ? { list } : {}) } };
    });
  }
  return out;
}

/** Reads a scenario: a file path or a built-in name (`quickstart`), then overrides, then validation. */
export function readScenario(nameOrPath: string, options: ReadOptions = {}): ReadResult {
  const file = resolveScenarioPath(nameOrPath);
  if (!existsSync(file)) {
    const hint = isScenarioName(nameOrPath) ? `${didYouMean(nameOrPath, BUILTIN_SCENARIOS)} (built-in scenarios: osqsim scenario list)` : '';
    return { ok: false, file, issues: [{ path: '(file)', message: `not found: ${file}${hint}` }] };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, file, issues: [{ path: '(file)', message: `cannot be read: ${(error as Error).message}` }] };
  }
  return parseScenarioText(text, file, options);
}

/** Parses scenario text (YAML or JSON) from `file` (used for relative paths and messages). */
export function parseScenarioText(text: string, file: string, options: ReadOptions = {}): ReadResult {
  // Refused before parsing: the YAML library overflows its stack on deep flow nesting and can abort
  // the process on a later parse (lib/yaml-depth.ts).
  const tooDeep = flowNestingProblem(text);
  if (tooDeep !== undefined) return { ok: false, file, issues: [{ path: '(document)', message: `is not valid YAML: ${tooDeep}` }] };
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return { ok: false, file, issues: [{ path: '(document)', message: `is not valid YAML: ${(error as Error).message}` }] };
  }
  return readScenarioDocument(document, file, options);
}

/**
 * Validates a parsed scenario document; `file` locates relative policy files and names the source
 * in messages. The document is not changed.
 */
export function readScenarioDocument(input: unknown, file: string, options: ReadOptions = {}): ReadResult {
  if (!isRecord(input)) return { ok: false, file, issues: [{ path: '(document)', message: 'must be a mapping (a scenario is a YAML mapping of sections)' }] };
  const notes: string[] = [];
  const document: Record<string, unknown> = { ...input };
  if (options.steadyState) {
    const ignored = ['timeline', 'thresholds'].filter((key) => document[key] !== undefined);
    for (const key of ignored) delete document[key];
    if (ignored.length > 0) notes.push(`ignoring ${ignored.join(' and ')} (they need the harness: osqsim run)`);
  }
  const issues = options.overrides ? applyOverrides(document, options.overrides, notes) : [];
  const fileIssues: ValidationIssue[] = [];
  const resolved = resolveScenarioFiles(document, dirname(resolve(file)), fileIssues, notes);
  issues.push(...fileIssues);
  const durationFromFlag = options.overrides?.duration !== undefined;
  const result = validateScenario(fileIssues.length ? dropUnresolved(resolved) : resolved, { durationFromFlag, ...(options.steadyState ? { steadyState: true } : {}) });
  if (!result.ok || issues.length) return { ok: false, file, issues: [...issues, ...(result.ok ? [] : result.issues)] };
  const skipped = result.scenario.skipped_timeline ?? [];
  if (skipped.length > 0) {
    const events = skipped.map((e) => `${e.kind} at ${formatDurationMs(e.at)}`).join(', ');
    notes.push(`--duration ${options.overrides?.duration} ends the run before ${skipped.length === 1 ? 'a timeline event' : `${skipped.length} timeline events`}; skipped: ${events}`);
  }
  return { ok: true, file, scenario: result.scenario, notes };
}

/** After a file failed to load, validate the rest without it so every other problem is reported too. */
function dropUnresolved(document: unknown): unknown {
  if (!isRecord(document)) return document;
  return {
    ...document,
    policies: Array.isArray(document.policies) ? document.policies : [],
    fleet: document.fleet ?? { groups: [{ name: 'placeholder', weight: 1, platform: 'darwin', os_version: '14' }] },
  };
}

/** The scenario, or SCENARIO_INVALID listing every problem (for callers that report errors by throwing). */
export function scenarioOrThrow(result: ReadResult, source: string = result.file): Scenario {
  if (!result.ok) throw scenarioInvalid(source, result.issues);
  return result.scenario;
}

/** SCENARIO_INVALID for `source`: how many problems, then one line each (path, what is wrong). */
export function scenarioInvalid(source: string, issues: readonly ValidationIssue[]): OsqsimError {
  const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  return osqsimError('SCENARIO_INVALID', { source, problems: `${count}\n${formatIssues(issues).replace(/^/gm, '  ')}` });
}

/** osqsim's built-in mixed fleet as a scenario of its own (`osqsim simulate --hosts N` without a file). */
export function readBuiltinFleetScenario(options: ReadOptions = {}): ReadResult {
  return readScenarioDocument({ name: 'built-in fleet', fleet: 'builtin' }, 'built-in fleet', options);
}
