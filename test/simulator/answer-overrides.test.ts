import { beforeAll, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { AnswerModel, normalizeQuery, policyIdOf } from '../../simulator/fleet/answers.js';
import { FleetEvaluator, loadSqlJs } from '../../simulator/fleet/evaluator.js';
import { ANSWER_FAIL, ANSWER_PASS, ANSWER_UNKNOWN, GroundTruth } from '../../simulator/fleet/truth.js';
import { validateFleet } from '../../scenarios/schema/scenario.js';
import { type PolicySpec } from '../../contract/fleet-spec.js';
import { environment } from './fixtures/environment.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

const HOSTS = 2000;
const QUERY = 'SELECT 1 FROM disk_encryption WHERE encrypted = 1';

function model(fleetExtra: Record<string, unknown>, policies: PolicySpec[], seed = 1, names = new Map<number, string>()) {
  const fleet = validateFleet({
    groups: [{ name: 'mac', count: HOSTS, platform: 'darwin', os_version: '14', tables: { disk_encryption: [{ name: 'd', encrypted: 1 }] } }],
    ...fleetExtra,
  });
  return new AnswerModel(new FleetEvaluator(SQL, fleet.groups, environment), fleet, policies, seed, names);
}

function passRate(m: AnswerModel, truth: GroundTruth, run: number, sinceMs = 0, name = 'fleet_policy_query_5', sql = QUERY): number {
  let pass = 0;
  for (let h = 0; h < HOSTS; h++) if (m.answer(0, h, h, name, sql, run, sinceMs, truth).code === ANSWER_PASS) pass++;
  return pass / HOSTS;
}

test('policy names and normalised query text', () => {
  expect(policyIdOf('fleet_policy_query_42')).toBe(42);
  expect(policyIdOf('fleet_detail_query_os_version')).toBe(-1);
  expect(normalizeQuery('  SELECT 1\n  FROM x;  ')).toBe('SELECT 1 FROM x');
});

test('fail_rate matched by query text fails that share of hosts, the same hosts on every run', () => {
  const m = model({}, [{ name: 'Disk encrypted', query: `${QUERY};`, fail_rate: 0.3 }]);
  const truth = new GroundTruth(HOSTS);
  expect(passRate(m, truth, 1)).toBeGreaterThan(0.66);
  expect(passRate(m, truth, 1)).toBeLessThan(0.74);
  const first = Array.from({ length: 50 }, (_, h) => m.answer(0, h, h, 'fleet_policy_query_5', QUERY, 1, 0, truth).code);
  const later = Array.from({ length: 50 }, (_, h) => m.answer(0, h, h, 'fleet_policy_query_5', QUERY, 9, 0, truth).code);
  expect(later).toEqual(first);
});

test('fail_rate matched by policy name when the id → name map is known', () => {
  const m = model({}, [{ name: 'Firewall', fail_rate: 1 }], 1, new Map([[7, 'Firewall']]));
  const truth = new GroundTruth(HOSTS);
  expect(passRate(m, truth, 1, 0, 'fleet_policy_query_7', 'SELECT 1')).toBe(0);
  expect(passRate(m, truth, 1, 0, 'fleet_policy_query_8', 'SELECT 1')).toBe(1);
});

test('query_error_rate makes that share of executions error (status 1)', () => {
  const m = model({ query_error_rate: 0.2 }, []);
  const truth = new GroundTruth(HOSTS);
  let errors = 0;
  for (let h = 0; h < HOSTS; h++) {
    const a = m.answer(0, h, h, 'fleet_policy_query_5', QUERY, 1, 0, truth);
    if (a.code === ANSWER_UNKNOWN) {
      errors++;
      expect(a.status).toBe(1);
    }
  }
  expect(errors / HOSTS).toBeGreaterThan(0.16);
  expect(errors / HOSTS).toBeLessThan(0.24);
});

test('drift flips answers at the configured rate per hour and flipped hosts stay flipped', () => {
  const m = model({ drift: { flip_rate_per_hour: 0.5 } }, []);
  const truth = new GroundTruth(HOSTS);
  expect(passRate(m, truth, 1, 0)).toBe(1);
  // One hour of exposure at 0.5/h: P(odd number of flips) = (1 − e^−1)/2 ≈ 0.316.
  const after = passRate(m, truth, 2, 3_600_000);
  expect(1 - after).toBeGreaterThan(0.27);
  expect(1 - after).toBeLessThan(0.36);
  // No time passes: nobody flips back.
  expect(passRate(m, truth, 3, 0)).toBe(after);
});

test('ground truth counts follow acknowledged reports and forget re-enrolled hosts', () => {
  const truth = new GroundTruth(3);
  truth.report(1, 'q', 0, ANSWER_PASS);
  truth.report(1, 'q', 1, ANSWER_FAIL);
  truth.report(1, 'q', 2, ANSWER_UNKNOWN);
  truth.report(1, 'q', 1, ANSWER_PASS);
  expect(truth.snapshot()).toEqual([{ id: 1, query: 'q', counts: { passing: 2, failing: 0, unknown: 1 } }]);
  truth.forgetHost(0);
  expect(truth.snapshot()[0]!.counts).toEqual({ passing: 1, failing: 0, unknown: 1 });
});
