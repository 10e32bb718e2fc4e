/**
 * Input generators for the fuzz targets (fast-check): garbage (any JSON, raw text that is not JSON,
 * deep nesting, huge strings) and near-valid inputs (a valid document with one to three mutations:
 * a field removed, given the wrong type, an edge number, unicode, a huge string, an unknown field).
 * Used by test/fuzz/ (≈ 1,000 cases per route in CI) and bench/fuzz.ts (100,000).
 */
import fc from 'fast-check';

/** Numbers at the edges of what servers and databases store (JSON cannot carry NaN or Infinity: see rawJsonText). */
export const edgeNumber: fc.Arbitrary<number> = fc.constantFrom(
  0, -0, -1, 1, 0.5, -1.5, 255, 256, 65_535, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53),
  2 ** 63, 1e21, 1e308, -1e308, 5e-324, Number.EPSILON,
);

/** Strings that have broken servers before: empty, NUL, lone surrogates, SQL and LIKE metacharacters, path tricks. */
export const trickyString: fc.Arbitrary<string> = fc.constantFrom(
  '', ' ', '\t\n', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\ufeff', '\u202e', '💥🏳️‍🌈', 'é'.normalize('NFD'), "'; DROP TABLE hosts; --",
  '%', '_', '%_%', '\\', '"', '`', '../../etc/passwd', '%00', 'null', 'undefined', 'true', '0', '-1', '1e999', 'NaN', 'Infinity',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'SELECT 1', 'SELECT', ';', '{}', '[]',
);

/** A string long enough to pass column sizes and most body limits, sometimes multi-byte. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 256, max: 70_000 }), fc.constantFrom('x', 'é', '💥', '\u0000', "'"))
  .map(([n, unit]) => unit.repeat(n));

export const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 3, arbitrary: trickyString },
  { weight: 1, arbitrary: hugeString },
);

/** Objects or arrays nested `depth` times (the body parser and every recursive reader must survive them). */
export const deepValue: fc.Arbitrary<unknown> = fc.tuple(fc.integer({ min: 20, max: 2_000 }), fc.boolean()).map(([depth, objects]) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = objects ? { a: value } : [value];
  return value;
});

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  edgeNumber,
  anyString,
);

/** Any JSON value: small random documents, scalars of every type, deep nesting. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 2, arbitrary: fc.dictionary(anyString, scalar, { maxKeys: 5 }) },
  { weight: 1, arbitrary: deepValue },
);

/** Text that is not (quite) JSON: truncated, trailing garbage, numbers JSON.parse turns into Infinity, duplicate keys. */
export const rawText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.constantFrom('{', '[', '{"a":', '{"a":1,}', "{'a':1}", 'nul', 'undefined', '{"node_key": 1e999}', '{"a":1}{"b":2}', '{"a":1,"a":2}', '\ufeff{}', '[1e400]', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}'),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value).slice(0, -1)),
  fc.integer({ min: 1_000, max: 50_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
);

/** A path into a JSON document: keys and indexes from the root. */
export type JsonPath = ReadonlyArray<string | number>;

/** Every path of a document (containers included), the root as []. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

export type Mutation =
  | { readonly kind: 'delete'; readonly path: JsonPath }
  | { readonly kind: 'replace'; readonly path: JsonPath; readonly value: unknown }
  | { readonly kind: 'add'; readonly path: JsonPath; readonly key: string; readonly value: unknown }
  | { readonly kind: 'wrap'; readonly path: JsonPath };

type Container = Record<string | number, unknown>;

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/** A shallow copy of a container (inserted values are never copied: they may be nested thousands deep). */
const shallowCopy = (value: Container): Container => (Array.isArray(value) ? [...value] : { ...value }) as Container;

/** `update` applied at `path`, copying only the containers along it; a path that no longer exists leaves the document as it is. */
function updateAt(node: unknown, path: JsonPath, update: (parent: Container, key: string | number) => void): unknown {
  if (path.length === 0 || !isContainer(node)) return node;
  const copy = shallowCopy(node);
  const [step, ...rest] = path as [string | number, ...Array<string | number>];
  if (rest.length === 0) update(copy, step);
  else copy[step] = updateAt(copy[step], rest, update);
  return copy;
}

/** The document with one mutation applied (the input is never changed). */
export function applyMutation(document: unknown, mutation: Mutation): unknown {
  const { path } = mutation;
  switch (mutation.kind) {
    case 'delete':
      if (path.length === 0) return undefined;
      return updateAt(document, path, (parent, key) => {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      });
    case 'replace':
      return path.length === 0 ? mutation.value : updateAt(document, path, (parent, key) => (parent[key] = mutation.value));
    case 'wrap':
      return path.length === 0 ? [document] : updateAt(document, path, (parent, key) => (parent[key] = [parent[key]]));
    case 'add': {
      const add = (target: unknown): unknown => {
        if (Array.isArray(target)) return [...target, mutation.value];
        if (isContainer(target)) return { ...target, [mutation.key]: mutation.value };
        return target;
      };
      return path.length === 0 ? add(document) : updateAt(document, path, (parent, key) => (parent[key] = add(parent[key])));
    }
  }
}

/** One to three mutations of a valid document: the inputs closest to what a buggy client sends. */
export function nearValid(valid: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(valid);
  const path = fc.constantFrom(...paths);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    path.map((p) => ({ kind: 'delete' as const, path: p })),
    fc.tuple(path, anyJson).map(([p, value]) => ({ kind: 'replace' as const, path: p, value })),
    fc.tuple(path, anyString, anyJson).map(([p, key, value]) => ({ kind: 'add' as const, path: p, key, value })),
    path.map((p) => ({ kind: 'wrap' as const, path: p })),
  );
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => mutations.reduce<unknown>((doc, m) => applyMutation(doc, m), valid));
}

/** What is sent as a request body: a JSON document (serialized), or raw text. */
export type FuzzBody = { readonly json: unknown } | { readonly text: string };

/** Bodies for a route: mostly near-valid, then garbage JSON, then raw text. */
export function bodies(valid: unknown): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    { weight: 5, arbitrary: nearValid(valid).map((json) => ({ json })) },
    { weight: 3, arbitrary: anyJson.map((json) => ({ json })) },
    { weight: 2, arbitrary: rawText.map((text) => ({ text })) },
  );
}
