/**
 * The combinators every scenario section is validated with: a tiny strict validator.
 *
 * A validator returns the normalised value, or undefined after recording an issue with its path
 * (`fleet.groups[2].weight must be > 0`). Unknown keys of an `object` are issues with the nearest
 * known key (`unknown key agent.distributed_intervall (did you mean distributed_interval?)`), so a
 * document is checked in one pass and every problem is reported at once.
 *
 * Durations are written as users write them (`10s`, `5m`, a bare number = seconds) and are
 * normalised to MILLISECONDS.
 */
import { parseDurationMs } from '../../lib/units.js';
import { didYouMean } from '../../lib/did-you-mean.js';

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

export function fail(ctx: Context, path: string, message: string): undefined {
  ctx.issues.push({ path, message });
  return undefined;
}

export function typeName(value: unknown): string {
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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Formats issues one per line: `fleet.groups[2].weight must be > 0`. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path || '(document)'} ${issue.message}`).join('\n');
}

/** Freezes a validated value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
