/**
 * The built-in fleet answers policy libraries the way real hosts do (issue 12, "A realistic default
 * fleet"): ≥ 90 % of the in-scope policies get pass or fail, and the unknown ones are those a real
 * host would also fail to run. Checked on osqsim's generated CIS-like library (`npm run gen:cis`)
 * and on a hand-written library in the style of Fleet's (fixtures/fleet-style-policies.yml).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { policyLibraryBench } from '../../../bench/policy-library.js';
import { EXIT } from '../../../lib/exit-codes.js';
import { BUILTIN_FLEET, builtinFleet } from '../../../scenarios/fleets/builtin-fleet.js';
import { CIS_LIKE_YAML_PATH } from '../../../scenarios/fleets/cis/render-yaml.js';
import { checkLibraries, classifyError, type LibraryResult } from '../../../scenarios/fleets/library-check.js';
import { FLEETD_TABLES } from '../../../simulator/fleet/catalogue.js';
import { osqueryEnvironment } from '../../../simulator/fleet/environment.js';
import { FleetEvaluator, loadSqlJs } from '../../../simulator/fleet/evaluator.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'fleet-style-policies.yml');
let SQL: SqlJsStatic;

beforeAll(async () => {
  SQL = await loadSqlJs();
});

const library = (path: string): { name: string; text: string } => ({ name: path.split('/').pop()!, text: readFileSync(path, 'utf8') });

describe('policy libraries on the built-in fleet', () => {
  let results: LibraryResult[];
  beforeAll(async () => {
    // The fixtures are written for fleetd hosts, as Fleet's own libraries are.
    results = await checkLibraries(builtinFleet({ agent: 'fleetd' }), 400, [library(FIXTURE), library(CIS_LIKE_YAML_PATH)], SQL);
  });

  it('answers ≥ 90 % of a Fleet-style library; the unknown ones are errors a real host gives too', () => {
    const fleetStyle = results[0]!;
    expect(fleetStyle.inScope).toBe(fleetStyle.policies);
    expect(fleetStyle.answeredPct).toBeGreaterThanOrEqual(90);
    const unknown = fleetStyle.outcomes.filter((o) => o.unknown > 0).map((o) => [o.name, o.reason]);
    // bitlocker_info is a Windows table: osquery on Linux has no such table.
    expect(unknown).toEqual([['Linux - BitLocker on (wrong platform on purpose)', 'missing table']]);
    // A realistic mix: most policies pass somewhere, and fail somewhere else.
    const mixed = fleetStyle.outcomes.filter((o) => o.unknown === 0 && o.pass > 0 && o.fail > 0).length;
    expect(mixed / fleetStyle.answered).toBeGreaterThan(0.5);
    // A policy for every platform reaches all 400 hosts.
    const everywhere = fleetStyle.outcomes.find((o) => o.name === 'All - osquery 5.10 or later')!;
    expect(everywhere.pass + everywhere.fail + everywhere.unknown).toBe(400);
  });

  it('answers ≥ 90 % of the generated CIS-like library', () => {
    const cis = results[1]!;
    expect(cis.policies).toBeGreaterThan(300);
    expect(cis.answeredPct).toBeGreaterThanOrEqual(90);
  });

  it('answers orbit\'s tables only on fleetd hosts: plain osquery groups give "no such table" as a real host does', async () => {
    // The built-in fleet under plain osquery (its default, as a scenario's groups): no orbit tables.
    const plain = BUILTIN_FLEET;
    expect(plain.groups.every((g) => g.agent === 'osquery' && !('orbit_info' in g.tables))).toBe(true);
    const [result] = await checkLibraries(plain, 400, [library(FIXTURE)], SQL);
    const fleetdOnly = result!.outcomes.filter((o) => o.reason === 'fleetd-only table').map((o) => o.name);
    expect(fleetdOnly).toEqual(expect.arrayContaining(['macOS - AMFI enabled (fleetd)', 'Windows - force logoff when logon hours expire (fleetd)', 'All - sshd allows 4 tries at most (fleetd)']));
    expect(result!.answeredPct).toBeLessThan(90);
  });

  it('counts only policies some host is in scope of (a chrome-only policy is out of scope here)', async () => {
    const text = [
      'apiVersion: v1\nkind: policy\nspec:\n  name: Chrome only\n  platform: chrome\n  query: SELECT 1;\n',
      'apiVersion: v1\nkind: policy\nspec:\n  name: Everywhere\n  query: SELECT 1 FROM os_version;\n',
    ].join('---\n');
    const [result] = await checkLibraries(BUILTIN_FLEET, 100, [{ name: 'scoped.yml', text }], SQL);
    expect(result).toMatchObject({ policies: 2, inScope: 1, answered: 1, withPass: 1, answeredPct: 100 });
    expect(result!.outcomes[0]).toMatchObject({ name: 'Everywhere', pass: 100, fail: 0, unknown: 0 });
  });

  it('rejects a file that is not a fleetctl policy file, with the file named', async () => {
    await expect(checkLibraries(BUILTIN_FLEET, 10, [{ name: 'bad.yml', text: 'apiVersion: v1\nkind: policy\nspec:\n  query: SELECT 1;\n' }], SQL)).rejects.toThrow(/bad\.yml[\s\S]*spec\.name/);
  });
});

describe('classifyError', () => {
  it('tells a missing table, an orbit-only table, a missing column and other SQL errors apart', () => {
    expect(classifyError('no such table: bitlocker_info')).toBe('missing table');
    expect(classifyError('no such table: main.cis_audit')).toBe('fleetd-only table');
    expect(classifyError('no such column: foo')).toBe('missing column');
    expect(classifyError('near "SELEC": syntax error')).toBe('SQL error');
  });
});

describe('the built-in fleet\'s data', () => {
  const SOFTWARE: Record<string, string> = { darwin: 'apps', windows: 'programs', ubuntu: 'deb_packages', debian: 'deb_packages', rhel: 'rpm_packages' };

  it('gives every group a software list of a hundred or more rows, different per group and the same every time', () => {
    const again = builtinFleet();
    for (const [i, group] of BUILTIN_FLEET.groups.entries()) {
      const rows = group.tables[SOFTWARE[group.platform]!] ?? [];
      expect(rows.length, group.name).toBeGreaterThanOrEqual(90);
      expect(rows.length + (group.tables['python_packages']?.length ?? 0), `${group.name}: software rows`).toBeGreaterThanOrEqual(130);
      expect(new Set(rows.map((r) => r['name'])).size, `${group.name}: names are unique`).toBe(rows.length);
      expect(again.groups[i]!.tables, group.name).toEqual(group.tables);
    }
    const names = (g: string): string[] => (BUILTIN_FLEET.groups.find((x) => x.name === g)!.tables['apps'] ?? []).map((r) => String(r['name'])).sort();
    expect(names('macos-sonoma-managed')).not.toEqual(names('macos-sequoia-developers'));
  });

  it('answers orbit_info on every group under fleetd, and on none under plain osquery', () => {
    const fleetd = builtinFleet({ agent: 'fleetd' }).groups;
    const evaluator = new FleetEvaluator(SQL, [...fleetd, ...BUILTIN_FLEET.groups], osqueryEnvironment());
    try {
      fleetd.forEach((group, i) => {
        expect(group.agent, group.name).toBe('fleetd');
        expect(evaluator.answer(i, 'SELECT version FROM orbit_info').rows, group.name).toEqual([{ version: '1.36.0' }]);
      });
      BUILTIN_FLEET.groups.forEach((group, i) => {
        expect(evaluator.answer(fleetd.length + i, 'SELECT version FROM orbit_info').message, group.name).toBe('no such table: orbit_info');
        expect(evaluator.answer(fleetd.length + i, 'SELECT * FROM pwd_policy').message, group.name).toBe('no such table: pwd_policy');
      });
    } finally {
      evaluator.close();
    }
  });

  it('an `agent: osquery` group never answers orbit\'s tables, even when it lists their rows', () => {
    // Before: any group listing orbit_info rows was taken for fleetd (the built-in fleet always did).
    const withOrbitRows = builtinFleet({ agent: 'fleetd' }).groups[0]!;
    const osquery = { ...withOrbitRows, agent: 'osquery' as const };
    const unnamed = { ...withOrbitRows, agent: undefined };
    const evaluator = new FleetEvaluator(SQL, [osquery, unnamed], osqueryEnvironment());
    try {
      expect(evaluator.answer(0, 'SELECT version FROM orbit_info').message).toBe('no such table: orbit_info');
      expect(evaluator.answer(0, 'SELECT * FROM nvram_info').message).toBe('no such table: nvram_info');
      expect(evaluator.answer(0, 'SELECT 1 FROM os_version').status).toBe(0);
      // A group that names no agent keeps the old rule: orbit_info rows mean fleetd.
      expect(evaluator.answer(1, 'SELECT version FROM orbit_info').rows).toEqual([{ version: '1.36.0' }]);
    } finally {
      evaluator.close();
    }
  });

  it('complies with more hardening settings at a higher compliance level', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const passing = async (compliance: number): Promise<number> => {
      const [r] = await checkLibraries(builtinFleet({ compliance }), 400, [{ name: 'f.yml', text }], SQL);
      expect(r!.hostPassPct).toBeCloseTo((100 * r!.outcomes.reduce((s, o) => s + o.pass, 0)) / r!.outcomes.reduce((s, o) => s + o.pass + o.fail, 0), 1);
      return r!.hostPassPct;
    };
    expect(await passing(0.2)).toBeLessThan(await passing(0.68));
    expect(await passing(0.68)).toBeLessThan(await passing(1));
    expect(() => builtinFleet({ compliance: 1.2 })).toThrow(/compliance must be between 0 and 1/);
  });

  it('Macs answer extended_attributes (osquery core, posix) and report world-writable /Library folders per compliance', async () => {
    // The shape of the check in Fleet's macOS 15 CIS library ("No World Writable Folders Exist in the
    // Library Folder"): a world-writable folder under /Library fails unless its sticky bit is set or it
    // carries the com.apple.rootless xattr. The SQL here is ours.
    const text = [
      'apiVersion: v1', 'kind: policy', 'spec:', '  name: macOS - no world-writable /Library folder', '  platform: darwin', '  query: |',
      "    SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM file f WHERE f.path LIKE '/Library/%' AND f.type = 'directory'",
      "      AND substr(f.mode, -1) IN ('2', '3', '6', '7') AND f.mode NOT LIKE '1%'",
      "      AND NOT EXISTS (SELECT 1 FROM extended_attributes ea WHERE ea.path = f.path AND ea.key = 'com.apple.rootless'));",
      '---', 'apiVersion: v1', 'kind: policy', 'spec:', '  name: macOS - /Library/Caches is sticky and world-writable', '  platform: darwin', '  query: |',
      "    SELECT 1 FROM file WHERE path = '/Library/Caches' AND mode = '1777' AND type = 'directory';",
    ].join('\n');
    const outcome = async (agent: 'fleetd' | 'osquery', compliance: number) => {
      const [r] = await checkLibraries(builtinFleet({ agent, compliance }), 400, [{ name: 'lib.yml', text }], SQL);
      expect(r!.unknown).toBe(0); // file and extended_attributes are osquery core tables: no orbit needed
      return r!.outcomes;
    };
    const [low, sticky] = await outcome('osquery', 0.1);
    expect(low!.fail).toBeGreaterThan(0); // a group that does not comply has a 0777 folder
    expect(low!.pass).toBeGreaterThan(0);
    expect(sticky!.fail).toBe(0); // every Mac has /Library/Caches drwxrwxrwt, compliant or not
    const [all] = await outcome('fleetd', 1);
    expect(all!.fail).toBe(0);
  });
});

describe('bench/policy-library.ts', () => {
  const out = (): { lines: string[]; output: { stdout(t: string): void; stderr(t: string): void } } => {
    const lines: string[] = [];
    return { lines, output: { stdout: (t) => void lines.push(t), stderr: () => undefined } };
  };

  it('prints one JSON document with the per-library counts and exits 0 at ≥ 90 %', async () => {
    const o = out();
    expect(await policyLibraryBench.execute(['--library', FIXTURE, '--hosts', '50', '--json'], o.output)).toBe(EXIT.OK);
    const doc = JSON.parse(o.lines.join('')) as { bench: string; params: { hosts: number }; results: LibraryResult[] };
    expect(doc.bench).toBe('policy-library');
    expect(doc.params.hosts).toBe(50);
    expect(doc.results[0]).toMatchObject({ library: 'fleet-style-policies.yml', unknown: 1 });
    expect(doc.results[0]!.outcomes.map((x) => x.reason)).toEqual(['missing table']);
  });

  it('exits 3 when a library falls under 90 %, and lists the unknown policies with their reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-lib-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'apiVersion: v1\nkind: policy\nspec:\n  name: Nope\n  query: SELECT 1 FROM no_such_table;\n');
    const o = out();
    expect(await policyLibraryBench.execute(['--library', file, '--hosts', '20'], o.output)).toBe(EXIT.THRESHOLDS_FAILED);
    expect(o.lines.join('')).toMatch(/\[missing table\] Nope — .*no such table: no_such_table/);
  });

  it('refuses a compliance level outside 0..1', async () => {
    const o = out();
    expect(await policyLibraryBench.execute(['--library', FIXTURE, '--compliance', '2'], o.output)).toBe(EXIT.INVALID_INPUT);
  });
});
