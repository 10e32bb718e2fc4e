/**
 * Loading a scenario file: YAML → policy files resolved → one strict validation (scenarios/schema.ts).
 *
 * `policies:` may be an inline list, a fleetctl YAML file path, or `{file, list, overrides}`, a
 * timeline `add_policies` may name a `file`, and `fleet: builtin` names osqsim's built-in fleet. Files are read relative to the scenario file and turned
 * into the inline list before validation, so the validated scenario (and result.json) is
 * self-contained. Every problem is collected and reported at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { osqsimError } from '../lib/errors.js';
import { formatPolicyYamlErrors, parsePolicyYaml, type PolicySpecDoc } from '../server/policies/fleetctl-yaml.js';
import { DEFAULT_FLEET } from './fleets/builtin-fleet.js';
import { formatIssues, validateScenario, type ValidationIssue } from './schema.js';
import { didYouMean } from '../lib/did-you-mean.js';
import { type PolicySpec } from '../contract/fleet-spec.js';
import type { HarnessScenario } from './sections.js';

export type LoadResult = { ok: true; scenario: HarnessScenario; file: string } | { ok: false; issues: ValidationIssue[]; file: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toPolicySpec(doc: PolicySpecDoc): PolicySpec {
  return {
    name: doc.name,
    query: doc.query,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.platform ? { platform: doc.platform } : {}),
    ...(doc.team ? { team: doc.team } : {}),
  };
}

/** Reads a fleetctl policy file; problems go to `issues` under `path`. */
export function readPolicyFile(file: string, baseDir: string, path: string, issues: ValidationIssue[]): PolicySpec[] {
  const full = isAbsolute(file) ? file : resolve(baseDir, file);
  if (!existsSync(full)) {
    issues.push({ path, message: `policy file not found: ${file} (looked in ${full}; paths are relative to the scenario file)` });
    return [];
  }
  const parsed = parsePolicyYaml(readFileSync(full, 'utf8'), file);
  if (parsed.errors.length > 0) {
    issues.push({ path, message: `invalid policy file:\n  ${formatPolicyYamlErrors(file, parsed.errors).split('\n').join('\n  ')}` });
    return [];
  }
  return parsed.specs.map(toPolicySpec);
}

/** `policies:` in any of its forms → an inline list (with overrides applied). */
function resolvePolicies(value: unknown, baseDir: string, issues: ValidationIssue[]): unknown {
  if (typeof value === 'string') return readPolicyFile(value, baseDir, 'policies', issues);
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
    else list.push(...readPolicyFile(file, baseDir, path, issues));
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
 * `fleet: builtin` → osqsim's built-in mixed fleet (simulator/fleet/default-fleet.ts: nine groups
 * with realistic tables for every policy fixture); `{builtin: true, drift: …}` adds the other fleet
 * keys to it.
 */
function resolveFleet(value: unknown, issues: ValidationIssue[]): unknown {
  const builtin = (): Record<string, unknown> => JSON.parse(JSON.stringify(DEFAULT_FLEET)) as Record<string, unknown>;
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
    return { ...builtin(), ...rest };
  }
  return value;
}

/** Resolves file references in a parsed (not yet validated) scenario document. Pure apart from reading files. */
export function resolveScenarioFiles(document: unknown, baseDir: string, issues: ValidationIssue[]): unknown {
  if (!isRecord(document)) return document;
  const out: Record<string, unknown> = { ...document };
  if (document.fleet !== undefined) out.fleet = resolveFleet(document.fleet, issues);
  if (document.policies !== undefined) out.policies = resolvePolicies(document.policies, baseDir, issues);
  if (Array.isArray(document.timeline)) {
    out.timeline = document.timeline.map((entry: unknown, i) => {
      if (!isRecord(entry) || !isRecord(entry.add_policies) || typeof entry.add_policies.file !== 'string') return entry;
      const { file, ...rest } = entry.add_policies;
      const fromFile = readPolicyFile(file as string, baseDir, `timeline[${i}].add_policies.file`, issues);
      const list = Array.isArray(rest.list) ? [...fromFile, ...(rest.list as unknown[])] : fromFile;
      return { ...entry, add_policies: { ...rest, ...(list.length ? { list } : {}) } };
    });
  }
  return out;
}

/** Parses scenario text (YAML or JSON) from `file` (used for relative paths and messages). */
export function parseScenarioText(text: string, file: string): LoadResult {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return { ok: false, file, issues: [{ path: '(document)', message: `is not valid YAML: ${(error as Error).message}` }] };
  }
  return validateScenarioDocument(document, file);
}

/**
 * Validates a parsed scenario document (e.g. one the CLI patched with --hosts); `file` locates
 * relative policy files and names the source in messages.
 */
export function validateScenarioDocument(document: unknown, file: string): LoadResult {
  const issues: ValidationIssue[] = [];
  const resolved = resolveScenarioFiles(document, dirname(resolve(file)), issues);
  const result = validateScenario(issues.length ? dropUnresolved(resolved) : resolved);
  if (!result.ok || issues.length) return { ok: false, file, issues: [...issues, ...(result.ok ? [] : result.issues)] };
  return { ok: true, file, scenario: result.scenario as HarnessScenario };
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

export function validateScenarioFile(file: string): LoadResult {
  if (!existsSync(file)) return { ok: false, file, issues: [{ path: '(file)', message: `not found: ${file}` }] };
  return parseScenarioText(readFileSync(file, 'utf8'), file);
}

/** Loads and validates; throws SCENARIO_INVALID listing every problem. */
export function loadScenarioFile(file: string): HarnessScenario {
  const result = validateScenarioFile(file);
  if (!result.ok) throw osqsimError('SCENARIO_INVALID', { source: file, problems: `\n${formatIssues(result.issues)}` });
  return result.scenario;
}
