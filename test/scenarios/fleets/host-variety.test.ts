/**
 * Hosts of one built-in group differ from each other, from the seed (issue 12: "varying per host
 * from the seed"): each host answers from one of its group's variants (simulator/identity.ts
 * variantOf), with its own hardware, free disk, uptime, accounts and software; the same seed gives
 * every host the same rows again.
 */
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinFleet } from '../../../scenarios/fleets/builtin-fleet.js';
import { validateFleet } from '../../../scenarios/schema/scenario.js';
import { AnswerModel } from '../../../simulator/fleet/answers.js';
import { osqueryEnvironment } from '../../../simulator/fleet/environment.js';
import { FleetEvaluator, loadSqlJs } from '../../../simulator/fleet/evaluator.js';
import { ANSWER_FAIL, ANSWER_PASS, GroundTruth } from '../../../simulator/fleet/truth.js';
import { variantOf } from '../../../simulator/identity.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

const HARDWARE = 'SELECT hardware_model, physical_memory FROM system_info';
const SOFTWARE = { darwin: 'SELECT name FROM apps ORDER BY name', windows: 'SELECT name FROM programs ORDER BY name', ubuntu: 'SELECT name FROM deb_packages ORDER BY name' } as const;
const DISK = { darwin: "SELECT blocks_free FROM mounts WHERE path = '/'", windows: "SELECT free_space FROM logical_drives WHERE device_id = 'C:'", ubuntu: "SELECT blocks_free FROM mounts WHERE path = '/'" } as const;

describe('hosts of one built-in group', () => {
  it('differ in hardware, software, free disk and uptime when their variants differ', () => {
    const fleet = builtinFleet();
    const evaluator = new FleetEvaluator(SQL, fleet.groups, osqueryEnvironment());
    try {
      for (const platform of ['darwin', 'windows', 'ubuntu'] as const) {
        const g = fleet.groups.findIndex((group) => group.platform === platform);
        expect(evaluator.variants(g), fleet.groups[g]!.name).toBe(4);
        const rows = (sql: string, v: number): string => JSON.stringify(evaluator.answer(g, sql, v).rows);
        for (const [a, b] of [[0, 1], [1, 2], [2, 3]] as const) {
          expect(rows(HARDWARE, a), `${platform} hardware ${a}/${b}`).not.toBe(rows(HARDWARE, b));
          expect(rows(SOFTWARE[platform], a), `${platform} software ${a}/${b}`).not.toBe(rows(SOFTWARE[platform], b));
          expect(rows(DISK[platform], a), `${platform} disk ${a}/${b}`).not.toBe(rows(DISK[platform], b));
          expect(rows('SELECT total_seconds FROM uptime', a), `${platform} uptime ${a}/${b}`).not.toBe(rows('SELECT total_seconds FROM uptime', b));
        }
        // A real host's software list on every variant (apps alone on a Mac: ~90; programs, packages: more).
        for (let v = 0; v < 4; v++) expect(evaluator.answer(g, SOFTWARE[platform], v).rowCount, `${platform} variant ${v}`).toBeGreaterThanOrEqual(80);
      }
    } finally {
      evaluator.close();
    }
  });

  it('take their variant from (seed, host): the same seed gives the same hosts the same rows, another seed reshuffles them', () => {
    const hosts = Array.from({ length: 400 }, (_, i) => i);
    const seven = hosts.map((h) => variantOf(7, h, 4));
    expect(hosts.map((h) => variantOf(7, h, 4))).toEqual(seven);
    expect(hosts.map((h) => variantOf(8, h, 4))).not.toEqual(seven);
    // Every variant is used, in roughly equal shares.
    for (let v = 0; v < 4; v++) expect(seven.filter((x) => x === v).length).toBeGreaterThan(70);
    expect(variantOf(7, 3, 1)).toBe(0);
    // The data itself is the same every time it is built.
    expect(builtinFleet()).toEqual(builtinFleet());
  });

  it('answer a policy differently when their own rows differ (a second local account on some Macs)', () => {
    const fleet = validateFleet(JSON.parse(JSON.stringify(builtinFleet())) as Record<string, unknown>);
    const g = fleet.groups.findIndex((group) => group.platform === 'darwin');
    const evaluator = new FleetEvaluator(SQL, fleet.groups, osqueryEnvironment());
    const seed = 11;
    const model = new AnswerModel(evaluator, fleet, [], seed);
    const truth = new GroundTruth(64);
    const sql = "SELECT 1 FROM users WHERE username = 'sam'";
    try {
      const codes = Array.from({ length: 64 }, (_, h) => model.answer(g, h, h, 'fleet_policy_query_9', sql, 0, 0, truth).code);
      // Exactly the hosts whose variant has the extra account pass (data/variety.json: variant 1).
      codes.forEach((code, h) => expect(code, `host ${h}`).toBe(variantOf(seed, h, 4) === 1 ? ANSWER_PASS : ANSWER_FAIL));
      expect(codes).toContain(ANSWER_PASS);
      expect(codes).toContain(ANSWER_FAIL);
    } finally {
      evaluator.close();
    }
  });
});
