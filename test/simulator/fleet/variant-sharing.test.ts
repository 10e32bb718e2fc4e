/**
 * The evaluator answers a query once for all of a group's variants when the query names no table a
 * variant changes (simulator/fleet/evaluator.ts `variantTablePattern`). Sharing must never change an
 * answer: every answer equals the one the variant's own database gives.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { parseAllDocuments } from 'yaml';
import { builtinFleet } from '../../../scenarios/fleets/builtin-fleet.js';
import { FleetEvaluator, buildGroupDatabase, loadSqlJs, runQuery, variantTablePattern } from '../../../simulator/fleet/evaluator.js';
import { osqueryEnvironment } from '../../../simulator/fleet/environment.js';
import { detailQueriesFor } from '../../../server/osquery/detail-queries.js';
import type { FleetGroupSpec } from '../../../contract/fleet-spec.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

const policyQueries = (file: string): string[] =>
  parseAllDocuments(readFileSync(new URL(`../../../scenarios/policies/${file}`, import.meta.url), 'utf8'))
    .map((doc) => (doc.toJS() as { spec?: { query?: string } } | null)?.spec?.query)
    .filter((query): query is string => typeof query === 'string');

describe('answers shared across variants', () => {
  it('the pattern names the tables either variant overrides, as whole words, and osquery_registry when a table is added', () => {
    const group = {
      name: 'g',
      platform: 'darwin',
      tables: { apps: [], users: [] },
      variants: [{ tables: { users: [] } }, { tables: { apps: [], new_table: [] } }, {}],
    } as unknown as FleetGroupSpec;
    expect(variantTablePattern(group, 0)).toBeUndefined();
    const one = variantTablePattern(group, 1)!;
    expect(one.test('SELECT * FROM APPS')).toBe(true);
    expect(one.test('SELECT 1 FROM "users" u')).toBe(true);
    expect(one.test('SELECT * FROM osquery_registry')).toBe(true);
    expect(one.test('SELECT * FROM apps_extra')).toBe(false);
    expect(one.test('SELECT * FROM my_users')).toBe(false);
    expect(variantTablePattern(group, 2)!.source).toContain('users');
    expect(variantTablePattern({ ...group, variants: [{}, {}] } as FleetGroupSpec, 1)).toBeUndefined();
  });

  it.each(['osquery', 'fleetd'] as const)('every answer of the built-in fleet (%s) equals its variant database\'s own', (agent) => {
    const groups = builtinFleet({ agent }).groups;
    const env = osqueryEnvironment();
    const evaluator = new FleetEvaluator(SQL, groups, env);
    const queries = [...policyQueries('cis-like.yml'), ...policyQueries('cross-platform.yml')];
    let shared = 0;
    try {
      groups.forEach((group, g) => {
        const all = [...queries, ...detailQueriesFor(group.platform).flatMap((d) => [d.query, ...(d.discovery ? [d.discovery] : [])])];
        for (let v = 0; v < evaluator.variants(g); v++) {
          const own = buildGroupDatabase(SQL, group, env, v);
          try {
            for (const sql of all) {
              if (v > 0 && !(variantTablePattern(group, v)?.test(sql) ?? false)) shared++;
              const expected = runQuery(own, sql);
              const got = evaluator.answer(g, sql, v);
              expect({ status: got.status, rows: got.rows }, `${group.name} variant ${v}: ${sql.slice(0, 80)}`).toEqual({ status: expected.status, rows: expected.rows });
            }
          } finally {
            own.close();
          }
        }
      });
    } finally {
      evaluator.close();
    }
    // The point of sharing: most answers of variants ≥ 1 come from variant 0.
    expect(shared).toBeGreaterThan(0);
  }, 120_000);
});
