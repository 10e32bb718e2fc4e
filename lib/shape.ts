/**
 * A small structural checker for the JSON files osqsim reads back (result documents, sweep files):
 * a shape per format, written beside its types, and the first place a parsed value differs from it,
 * as a path a user can find (`endpoints.read.latency_ms.p99 must be a number`). Fuzzing showed that
 * checking only the top-level keys let a wrong type deep inside crash `report merge`, `report
 * compare` and `capacity plan --from` with a TypeError (exit 1) instead of saying what is wrong.
 */
export type Shape =
  | { readonly kind: 'number' | 'string' | 'boolean' | 'any' }
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'nullable' | 'optional'; readonly of: Shape }
  | { readonly kind: 'array' | 'record'; readonly of: Shape }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Shape>> };

export const num: Shape = { kind: 'number' };
export const str: Shape = { kind: 'string' };
export const bool: Shape = { kind: 'boolean' };
export const anything: Shape = { kind: 'any' };
export const literal = (value: string): Shape => ({ kind: 'literal', value });
export const nullable = (of: Shape): Shape => ({ kind: 'nullable', of });
export const optional = (of: Shape): Shape => ({ kind: 'optional', of });
export const arrayOf = (of: Shape): Shape => ({ kind: 'array', of });
export const recordOf = (of: Shape): Shape => ({ kind: 'record', of });
export const object = (fields: Readonly<Record<string, Shape>>): Shape => ({ kind: 'object', fields });

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'number' && !Number.isFinite(value) ? String(value) : `a ${typeof value}`);
const join = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`);

/** The first difference between `value` and `shape`, or undefined. Numbers must be finite (JSON's 1e999 parses as Infinity). */
export function shapeProblem(value: unknown, shape: Shape, path = ''): string | undefined {
  const where = path === '' ? 'the document' : path;
  switch (shape.kind) {
    case 'any':
      return undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${where} must be a finite number (got ${describe(value)})`;
    case 'string':
    case 'boolean':
      return typeof value === shape.kind ? undefined : `${where} must be a ${shape.kind} (got ${describe(value)})`;
    case 'literal':
      return value === shape.value ? undefined : `${where} must be "${shape.value}"`;
    case 'nullable':
      return value === null ? undefined : shapeProblem(value, shape.of, path);
    case 'optional':
      return value === undefined ? undefined : shapeProblem(value, shape.of, path);
    case 'array': {
      if (!Array.isArray(value)) return `${where} must be an array (got ${describe(value)})`;
      for (let i = 0; i < value.length; i++) {
        const problem = shapeProblem(value[i], shape.of, join(path, i));
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case 'record':
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${where} must be an object (got ${describe(value)})`;
      const record = value as Record<string, unknown>;
      const entries: Array<[string, Shape]> = shape.kind === 'record' ? Object.keys(record).map((k): [string, Shape] => [k, shape.of]) : Object.entries((shape as { fields: Record<string, Shape> }).fields);
      for (const [key, field] of entries) {
        const problem = shapeProblem(Object.hasOwn(record, key) ? record[key] : undefined, field, join(path, key));
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
  }
}
