/**
 * The scenario file: its types and its one strict validator.
 *
 * A scenario is validated once, from the field table below, and comes back frozen with every default
 * filled in. The validator reports EVERY problem at once, each with its path
 * (`fleet.groups[2].weight must be > 0`) and, for an unknown key, the nearest known one
 * (`unknown key agent.distributed_intervall (did you mean distributed_interval?)`).
 *
 * Durations are written as users write them (`10s`, `5m`, a bare number = seconds) and are
 * normalised to MILLISECONDS in the validated scenario.
 *
 * Extending: the scenario sections are the entries of `SCENARIO_FIELDS`. A new top-level section
 * (timeline, thresholds, server, …) is one more entry built from the combinators exported here
 * (`object`, `array`, `record`, `str`, `int`, `num`, `bool`, `duration`, `oneOf`), plus its type in
 * `Scenario`. Nothing else needs to change.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseDurationMs } from '../lib/units.js';
import { osqsimError } from '../lib/errors.js';
import { didYouMean } from '../lib/did-you-mean.js';
import { canonicalRawPlatform, KNOWN_RAW_PLATFORMS, POLICY_PLATFORMS } from '../contract/platforms.js';
// The harness's sections (server, target, timeline, thresholds); lazy, so this import cycle is safe.
import { AGENT_DEFAULTS, type AgentSpec, type FleetGroupSpec, type FleetSpec, type PolicySpec, type SimulationSpec, type TableRow, type ValidatedFleet } from '../contract/fleet-spec.js';
import { harnessFields, checkHarnessSections } from './sections.js';

// ------------------------------------------------------------------------------------------------
// Types of the validated scenario
// ------------------------------------------------------------------------------------------------

/** The validated scenario: the simulation spec plus the harness's sections (timeline, thresholds, server, …). */
export type Scenario = SimulationSpec;

// ------------------------------------------------------------------------------------------------
// A tiny strict validator (combinators)
// ------------------------------------------------------------------------------------------------

export interface ValidationIssue {
  /** `fleet.groups[2].weight` */
  path: string;
  message: string;
}

export interface Context {
  issues: ValidationIssue[];
}

/** A field validator: returns the normalised value, or undefined after recording an issue. */
export type Validator<T> = (value: unknown, path: string, ctx: Context) => T | undefined;

export interface FieldSpec<T = unknown> {
  validate: Validator<T>;
  required?: boolean;
  /** Used when the key is absent (the validated document always has the key then). */
  default?: () => T;
}

function fail(ctx: Context, path: string, message: string): undefined {
  ctx.issues.push({ path, message });
  return undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

export function str(opts: { nonEmpty?: boolean } = {}): Validator<string> {
  return (value, path, ctx) => {
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string') return fail(ctx, path, `must be a string, got ${typeName(value)}`);
    if (opts.nonEmpty && value.trim() === '') return fail(ctx, path, 'must not be empty');
    return value;
  };
}

export function num(opts: { min?: number; max?: number; gt?: number } = {}): Validator<number> {
  return (value, path, ctx) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return fail(ctx, path, `must be a number, got ${typeName(value)}`);
    if (opts.gt !== undefined && !(value > opts.gt)) return fail(ctx, path, `must be > ${opts.gt}`);
    if (opts.min !== undefined && value < opts.min) return fail(ctx, path, `must be >= ${opts.min}`);
    if (opts.max !== undefined && value > opts.max) return fail(ctx, path, `must be <= ${opts.max}`);
    return value;
  };
}

export function int(opts: { min?: number; max?: number } = {}): Validator<number> {
  const base = num(opts);
  return (value, path, ctx) => {
    if (typeof value === 'number' && !Number.isInteger(value)) return fail(ctx, path, `must be an integer, got ${value}`);
    return base(value, path, ctx);
  };
}

export function bool(): Validator<boolean> {
  return (value, path, ctx) => (typeof value === 'boolean' ? value : fail(ctx, path, `must be true or false, got ${typeName(value)}`));
}

/** A duration (`10s`, `5m`, `250ms`, bare number = seconds) → milliseconds. */
export function duration(opts: { min?: number; positive?: boolean } = {}): Validator<number> {
  return (value, path, ctx) => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      return fail(ctx, path, `must be a duration like 10s or 5m, got ${typeName(value)}`);
    }
    let ms: number;
    try {
      ms = parseDurationMs(value);
    } catch {
      return fail(ctx, path, `invalid duration ${JSON.stringify(value)}: expected a number with a unit, like 500ms, 10s, 5m or 1h`);
    }
    if (opts.positive && ms <= 0) return fail(ctx, path, 'must be longer than 0');
    if (opts.min !== undefined && ms < opts.min) return fail(ctx, path, `must be at least ${opts.min} ms`);
    return ms;
  };
}

export function oneOf<T extends string>(choices: readonly T[]): Validator<T> {
  return (value, path, ctx) => {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    const hint = typeof value === 'string' ? didYouMean(value, choices) : '';
    return fail(ctx, path, `must be one of ${choices.join(', ')}, got ${typeName(value)}${hint}`);
  };
}

export function array<T>(item: Validator<T>, opts: { minItems?: number } = {}): Validator<T[]> {
  return (value, path, ctx) => {
    if (!Array.isArray(value)) return fail(ctx, path, `must be a list, got ${typeName(value)}`);
    if (opts.minItems !== undefined && value.length < opts.minItems) {
      return fail(ctx, path, `must have at least ${opts.minItems} item${opts.minItems === 1 ? '' : 's'}`);
    }
    const out: T[] = [];
    let ok = true;
    value.forEach((element, i) => {
      const v = item(element, `${path}[${i}]`, ctx);
      if (v === undefined) ok = false;
      else out.push(v);
    });
    return ok ? out : undefined;
  };
}

/** A mapping with free keys (e.g. table name → rows). */
export function record<T>(valueValidator: Validator<T>, opts: { key?: RegExp; keyMessage?: string } = {}): Validator<Record<string, T>> {
  return (value, path, ctx) => {
    if (!isPlainObject(value)) return fail(ctx, path, `must be a mapping, got ${typeName(value)}`);
    const out: Record<string, T> = {};
    let ok = true;
    for (const [key, element] of Object.entries(value)) {
      if (opts.key && !opts.key.test(key)) {
        fail(ctx, `${path}.${key}`, opts.keyMessage ?? `invalid key ${JSON.stringify(key)}`);
        ok = false;
        continue;
      }
      const v = valueValidator(element, `${path}.${key}`, ctx);
      if (v === undefined) ok = false;
      else out[key] = v;
    }
    return ok ? out : undefined;
  };
}

/**
 * A mapping with known keys. Unknown keys are errors (with "did you mean"); missing required keys
 * are errors; defaults fill absent optional keys. `check` runs cross-field rules on the result.
 */
export function object<T>(
  fields: Record<string, FieldSpec>,
  check?: (value: T, path: string, ctx: Context) => void,
): Validator<T> {
  return (value, path, ctx) => {
    if (!isPlainObject(value)) return fail(ctx, path || '(document)', `must be a mapping, got ${typeName(value)}`);
    const out: Record<string, unknown> = {};
    const before = ctx.issues.length;
    const known = Object.keys(fields);
    for (const key of Object.keys(value)) {
      if (!(key in fields)) fail(ctx, join(path, key), `unknown key${didYouMean(key, known)}`);
    }
    for (const [key, field] of Object.entries(fields)) {
      const raw = value[key];
      if (raw === undefined || raw === null) {
        if (field.required) fail(ctx, join(path, key), 'is required');
        else if (field.default) out[key] = field.default();
        continue;
      }
      const v = field.validate(raw, join(path, key), ctx);
      if (v !== undefined) out[key] = v;
    }
    if (ctx.issues.length !== before) return undefined;
    if (check) {
      check(out as T, path, ctx);
      if (ctx.issues.length !== before) return undefined;
    }
    return out as T;
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}


// ------------------------------------------------------------------------------------------------
// The scenario's sections
// ------------------------------------------------------------------------------------------------

const cellValue: Validator<string | number> = (value, path, ctx) => {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return fail(ctx, path, `must be a string or a number, got ${typeName(value)}`);
};

const tableRow: Validator<TableRow> = record(cellValue, {
  key: /^[A-Za-z_][A-Za-z0-9_]*$/,
  keyMessage: 'column names are letters, digits and _',
});

/**
 * A host's raw osquery platform (darwin, windows, ubuntu, rhel, …), returned as osquery spells it
 * (`Ubuntu` → `ubuntu`): the agent sends this value and the server maps it exactly, as Fleet does.
 * An unknown one would silently match no policy.
 */
const rawPlatform: Validator<string> = (value, path, ctx) => {
  const text = str({ nonEmpty: true })(value, path, ctx);
  if (text === undefined) return undefined;
  const canonical = canonicalRawPlatform(text);
  if (canonical !== undefined) return canonical;
  return fail(ctx, path, `unknown osquery platform ${JSON.stringify(text)}${didYouMean(text, KNOWN_RAW_PLATFORMS)}; known: ${KNOWN_RAW_PLATFORMS.join(', ')}`);
};

/** The policy platforms Fleet accepts (a comma list; empty = every platform). */

const policyPlatform: Validator<string> = (value, path, ctx) => {
  const text = str()(value, path, ctx);
  if (text === undefined) return undefined;
  if (text.trim() === '') return text;
  const bad = text.split(',').map((item) => item.trim()).filter((item) => !POLICY_PLATFORMS.includes(item));
  if (bad.length === 0) return text;
  return fail(ctx, path, `has ${JSON.stringify(bad[0])}, not one of ${POLICY_PLATFORMS.join(', ')}${didYouMean(bad[0]!, POLICY_PLATFORMS)}`);
};

export const GROUP_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), required: true },
  count: { validate: int({ min: 0 }) },
  weight: { validate: num({ gt: 0 }) },
  platform: { validate: rawPlatform, required: true },
  os_version: { validate: str({ nonEmpty: true }), required: true },
  osquery_version: { validate: str({ nonEmpty: true }), default: () => '5.12.1' },
  team: { validate: str({ nonEmpty: true }) },
  hostname_prefix: { validate: str({ nonEmpty: true }) },
  tables: {
    validate: record(array(tableRow), { key: /^[A-Za-z_][A-Za-z0-9_]*$/, keyMessage: 'table names are letters, digits and _' }),
    default: () => ({}),
  },
};

const groupValidator = object<FleetGroupSpec>(GROUP_FIELDS, (group, path, ctx) => {
  if (group.count === undefined && group.weight === undefined) fail(ctx, path, 'needs a count or a weight');
  if (group.count !== undefined && group.weight !== undefined) fail(ctx, path, 'takes a count or a weight, not both');
});

export const FLEET_FIELDS: Record<string, FieldSpec> = {
  groups: { validate: array(groupValidator, { minItems: 1 }), required: true },
  drift: {
    validate: object({ flip_rate_per_hour: { validate: num({ min: 0 }), required: true } }),
    default: () => ({ flip_rate_per_hour: 0 }),
  },
  query_error_rate: { validate: num({ min: 0, max: 1 }), default: () => 0 },
  query_time_ms: {
    validate: object<{ min: number; max: number }>(
      { min: { validate: num({ min: 0 }), required: true }, max: { validate: num({ min: 0 }), required: true } },
      (range, path, ctx) => {
        if (range.max < range.min) fail(ctx, `${path}.max`, 'must be >= min');
      },
    ),
    default: () => ({ min: 0, max: 0 }),
  },
};

export const fleetValidator = object<ValidatedFleet>(FLEET_FIELDS, (fleet, path, ctx) => {
  const names = new Set<string>();
  fleet.groups.forEach((group, i) => {
    if (names.has(group.name)) fail(ctx, `${path}.groups[${i}].name`, `duplicate group name ${JSON.stringify(group.name)}`);
    names.add(group.name);
  });
});

export const AGENT_FIELDS: Record<string, FieldSpec> = {
  distributed_interval: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.distributed_interval },
  config_refresh: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.config_refresh },
  logger_tls_period: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.logger_tls_period },
  pacing: { validate: oneOf(['fixed-delay', 'fixed-rate'] as const), default: () => AGENT_DEFAULTS.pacing },
  start_period: { validate: duration(), default: () => AGENT_DEFAULTS.start_period },
  start_jitter: { validate: duration(), default: () => AGENT_DEFAULTS.start_jitter },
  accelerate: { validate: bool(), default: () => AGENT_DEFAULTS.accelerate },
  startup_status_lines: { validate: int({ min: 0, max: 1000 }), default: () => AGENT_DEFAULTS.startup_status_lines },
  status_lines_per_hour: { validate: num({ min: 0 }), default: () => AGENT_DEFAULTS.status_lines_per_hour },
  enroll_backoff: {
    validate: object<{ initial: number; max: number }>(
      {
        initial: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.enroll_backoff.initial },
        max: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.enroll_backoff.max },
      },
      (backoff, path, ctx) => {
        if (backoff.max < backoff.initial) fail(ctx, `${path}.max`, 'must be >= initial');
      },
    ),
    default: () => ({ ...AGENT_DEFAULTS.enroll_backoff }),
  },
  request_timeout: { validate: duration({ positive: true }), default: () => AGENT_DEFAULTS.request_timeout },
  string_statuses: { validate: bool(), default: () => AGENT_DEFAULTS.string_statuses },
};

export const POLICY_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), required: true },
  query: { validate: str({ nonEmpty: true }) },
  description: { validate: str() },
  platform: { validate: policyPlatform },
  team: { validate: str({ nonEmpty: true }) },
  fail_rate: { validate: num({ min: 0, max: 1 }) },
};

/**
 * The top-level sections. Other parts add theirs here (additively): e.g.
 * `SCENARIO_FIELDS.thresholds = { validate: array(str()), default: () => [] }`.
 */
export const SCENARIO_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), default: () => 'unnamed' },
  description: { validate: str(), default: () => '' },
  seed: { validate: int({ min: 0, max: Number.MAX_SAFE_INTEGER }), default: () => 1 },
  hosts: { validate: int({ min: 1 }) },
  duration: { validate: duration({ positive: true }), default: () => 5 * 60_000 },
  warmup: { validate: duration(), default: () => 0 },
  enroll_secret: { validate: str({ nonEmpty: true }), default: () => 'osqsim' },
  agent: { validate: object<AgentSpec>(AGENT_FIELDS), default: () => ({ ...AGENT_DEFAULTS, enroll_backoff: { ...AGENT_DEFAULTS.enroll_backoff } }) },
  fleet: { validate: fleetValidator, required: true },
  policies: { validate: array(object<PolicySpec>(POLICY_FIELDS)), default: () => [] },
};
Object.assign(SCENARIO_FIELDS, harnessFields());

/** Cross-section rules that need the whole document. */
function checkScenario(scenario: Scenario, _path: string, ctx: Context): void {
  const groups = scenario.fleet.groups;
  const counted = groups.reduce((sum, g) => sum + (g.count ?? 0), 0);
  const weighted = groups.some((g) => g.weight !== undefined);
  if (scenario.hosts === undefined) {
    if (weighted) fail(ctx, 'hosts', 'is required when a fleet group has a weight');
    else if (counted === 0) fail(ctx, 'fleet.groups', 'the groups\' counts add up to 0 hosts');
    else scenario.hosts = counted;
  } else if (!weighted && counted !== scenario.hosts) {
    fail(ctx, 'hosts', `is ${scenario.hosts} but the groups' counts add up to ${counted} (give some groups a weight instead)`);
  } else if (weighted && counted > scenario.hosts) {
    fail(ctx, 'hosts', `is ${scenario.hosts} but the groups' counts alone add up to ${counted}`);
  }
  if (scenario.warmup >= scenario.duration) fail(ctx, 'warmup', 'must be shorter than duration');
  checkHarnessSections(scenario, ctx);
}

export type ValidationResult = { ok: true; scenario: Scenario } | { ok: false; issues: ValidationIssue[] };

export function validateScenario(input: unknown): ValidationResult {
  const ctx: Context = { issues: [] };
  const scenario = object<Scenario>(SCENARIO_FIELDS, checkScenario)(input, '', ctx);
  if (scenario === undefined || ctx.issues.length > 0) return { ok: false, issues: ctx.issues };
  return { ok: true, scenario: deepFreeze(scenario) };
}

/** Formats issues one per line: `fleet.groups[2].weight must be > 0`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path || '(document)'} ${issue.message}`).join('\n');
}

/** Parses YAML (or JSON) text and validates it; throws SCENARIO_INVALID listing every issue. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw osqsimError('SCENARIO_INVALID', { source, problems: (error as Error).message });
  }
  const result = validateScenario(document);
  if (!result.ok) throw osqsimError('SCENARIO_INVALID', { source, problems: `\n${formatIssues(result.issues)}` });
  return result.scenario;
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** Validates a fleet section on its own (the built-in fleet, tests); throws like parseScenario. */
export function validateFleet(input: unknown, source = 'fleet'): ValidatedFleet {
  const ctx: Context = { issues: [] };
  const fleet = fleetValidator(input, 'fleet', ctx);
  if (fleet === undefined || ctx.issues.length > 0) throw osqsimError('SCENARIO_INVALID', { source, problems: `\n${formatIssues(ctx.issues)}` });
  return deepFreeze(fleet);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
