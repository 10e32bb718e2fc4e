import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';

import { validateFleet } from '../../scenarios/schema/scenario.js';
import { readOnlyProblem } from '../../server/api/validate.js';
import { parsePolicyYaml, type PolicySpecDoc } from '../../server/policies/fleetctl-yaml.js';
import { columnsFor, findTable, catalogPlatformOf, FLEETD_TABLES, type Platform } from '../../simulator/fleet/catalogue.js';
import { runsFleetd } from '../../simulator/fleet/evaluator.js';
import { BUILTIN_FLEET } from '../../scenarios/fleets/builtin-fleet.js';
import { hostDatabase, passes } from '../simulator/fleet/helpers.js';

const POLICY_DIR = join(import.meta.dirname, '../../scenarios/policies');

interface Fixture {
  file: string;
  spec: PolicySpecDoc;
  platforms: Platform[];
}

function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const file of readdirSync(POLICY_DIR).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    const result = parsePolicyYaml(readFileSync(join(POLICY_DIR, file), 'utf8'), file);
    if (result.errors.length > 0) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
    for (const spec of result.specs) {
      const platforms = (spec.platform ? spec.platform.split(',') : ['darwin', 'windows', 'linux']) as Platform[];
      fixtures.push({ file, spec, platforms });
    }
  }
  return fixtures;
}

/** Table names after FROM / JOIN (fixtures use no table-valued functions or quoted names). */
function referencedTables(sql: string): string[] {
  const names = new Set<string>();
  for (const match of sql.matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)) names.add((match[1] ?? '').toLowerCase());
  return [...names];
}

const fixtures = loadFixtures();
/** The hand-written fixtures; cis-like.yml is generated and tested in cis-like.test.ts. */
const handWritten = fixtures.filter((fixture) => fixture.file !== 'cis-like.yml');
let SQL: SqlJsStatic;

beforeAll(async () => {
  SQL = await initSqlJs();
});

describe('policy fixtures (scenarios/policies)', () => {
  it('hold at least 40 hand-written policies, with unique names, covering macOS, Windows and Linux', () => {
    expect(handWritten.length).toBeGreaterThanOrEqual(40);
    const names = fixtures.map((fixture) => fixture.spec.name);
    expect(new Set(names).size).toBe(names.length);
    for (const platform of ['darwin', 'windows', 'linux'] as const) {
      expect(handWritten.filter((fixture) => fixture.platforms.includes(platform)).length, platform).toBeGreaterThanOrEqual(10);
    }
  });

  it.each(fixtures.map((fixture) => [fixture.spec.name, fixture] as const))('%s: well-formed, read-only, over tables of its platforms', (_name, fixture) => {
    expect(fixture.spec.description.length).toBeGreaterThan(10);
    expect(fixture.spec.resolution.length).toBeGreaterThan(10);
    expect(readOnlyProblem(fixture.spec.query)).toBeUndefined();
    const tables = referencedTables(fixture.spec.query);
    expect(tables.length).toBeGreaterThan(0);
    for (const platform of fixture.platforms) {
      for (const table of tables) {
        expect(findTable(table)?.platforms, `${table} on ${platform}`).toContain(platform);
      }
    }
  });

  it('run without error on an empty host of each of their platforms (an empty table fails the policy)', () => {
    for (const platform of ['darwin', 'windows', 'linux'] as const) {
      const db = hostDatabase(SQL, platform);
      for (const fixture of fixtures.filter((f) => f.platforms.includes(platform))) {
        expect(() => db.exec(fixture.spec.query), `${fixture.spec.name} on ${platform}`).not.toThrow();
      }
      db.close();
    }
  });

  it('error with "no such table" on a platform osquery does not have the table for', () => {
    const db = hostDatabase(SQL, 'windows');
    const fileVault = fixtures.find((fixture) => fixture.spec.name === 'macOS - FileVault enabled');
    expect(() => db.exec(fileVault?.spec.query ?? '')).toThrow(/no such table: disk_encryption/);
    db.close();
  });
});

describe('the built-in fleet (BUILTIN_FLEET)', () => {
  const groups = BUILTIN_FLEET.groups;

  it('is a valid fleet section, about 45% macOS, 40% Windows and 15% Linux', () => {
    expect(() => validateFleet(BUILTIN_FLEET)).not.toThrow();
    const weight = (platform: Platform): number =>
      groups.filter((group) => catalogPlatformOf(group.platform) === platform).reduce((sum, group) => sum + (group.weight ?? 0), 0);
    const total = weight('darwin') + weight('windows') + weight('linux');
    expect(weight('darwin') / total).toBeCloseTo(0.45, 2);
    expect(weight('windows') / total).toBeCloseTo(0.4, 2);
    expect(weight('linux') / total).toBeCloseTo(0.15, 2);
    for (const platform of ['darwin', 'windows', 'linux'] as const) {
      expect(groups.filter((group) => catalogPlatformOf(group.platform) === platform).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('uses only osquery tables and columns of each group\'s platform, consistent with its versions', () => {
    for (const group of groups) {
      const platform = catalogPlatformOf(group.platform);
      expect(platform, group.name).not.toBe('');
      if (platform === '') continue;
      for (const [name, rows] of Object.entries(group.tables)) {
        // orbit's extension tables exist on the groups that run fleetd (they report orbit_info).
        const table = findTable(name) ?? (runsFleetd(group) ? FLEETD_TABLES.find((t) => t.name === name) : undefined);
        expect(table?.platforms, `${group.name}: ${name}`).toContain(platform);
        if (!table) continue;
        const columns = new Set(columnsFor(table, platform).map((column) => column.name));
        for (const row of rows) for (const column of Object.keys(row)) expect(columns.has(column), `${group.name}: ${name}.${column}`).toBe(true);
      }
      expect(group.tables['osquery_info']?.[0]?.['version'], group.name).toBe(group.osquery_version);
      expect(String(group.tables['os_version']?.[0]?.['version'] ?? ''), group.name).toContain(group.os_version.split('.')[0] ?? '');
    }
  });

  it('gives every hand-written policy passing and failing groups, for a reason in the group\'s tables', () => {
    const outcomes = new Map<string, { pass: string[]; fail: string[] }>();
    for (const group of groups) {
      const platform = catalogPlatformOf(group.platform) as Platform;
      const db = hostDatabase(SQL, platform, group);
      for (const fixture of handWritten.filter((f) => f.platforms.includes(platform))) {
        const outcome = outcomes.get(fixture.spec.name) ?? { pass: [], fail: [] };
        (passes(db, fixture.spec.query) ? outcome.pass : outcome.fail).push(group.name);
        outcomes.set(fixture.spec.name, outcome);
      }
      db.close();
    }
    for (const fixture of handWritten) {
      const outcome = outcomes.get(fixture.spec.name);
      expect(outcome?.pass.length, `${fixture.spec.name} passes somewhere`).toBeGreaterThan(0);
      expect(outcome?.fail.length, `${fixture.spec.name} fails somewhere`).toBeGreaterThan(0);
    }
    // The managed groups are the compliant baseline: they pass every policy of their platform.
    for (const managed of ['macos-sonoma-managed', 'windows-11-managed', 'ubuntu-22.04-servers']) {
      const failing = handWritten.filter((fixture) => outcomes.get(fixture.spec.name)?.fail.includes(managed)).map((fixture) => fixture.spec.name);
      expect(failing, managed).toEqual([]);
    }
  });
});

describe('the simulator evaluator on BUILTIN_FLEET', () => {
  it('answers the fixtures as SQLite does here: no errors, same pass/fail', async () => {
    const { FleetEvaluator } = await import('../../simulator/fleet/evaluator.js');
    const { osqueryEnvironment } = await import('../../simulator/fleet/environment.js');
    const evaluator = new FleetEvaluator(SQL, BUILTIN_FLEET.groups, await osqueryEnvironment());
    BUILTIN_FLEET.groups.forEach((group, index) => {
      const platform = catalogPlatformOf(group.platform) as Platform;
      const db = hostDatabase(SQL, platform, group);
      for (const fixture of fixtures.filter((f) => f.platforms.includes(platform))) {
        const answer = evaluator.answer(index, fixture.spec.query);
        expect(answer.status, `${group.name}: ${fixture.spec.name}: ${answer.message}`).toBe(0);
        expect(answer.rowCount > 0, `${group.name}: ${fixture.spec.name}`).toBe(passes(db, fixture.spec.query));
      }
      db.close();
    });
    evaluator.close();
  });
});
