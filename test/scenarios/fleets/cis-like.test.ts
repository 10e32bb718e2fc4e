import { readFileSync } from 'node:fs';

import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';

import { CIS_CHECKS, cisPolicyName, type CisFamily } from '../../../scenarios/fleets/cis/policies.js';
import { cisRows, complies } from '../../../scenarios/fleets/cis/rows.js';
import { CIS_LIKE_YAML_PATH, renderCisLikeYaml } from '../../../scenarios/fleets/cis/render-yaml.js';
import type { TableRow } from '../../../contract/fleet-spec.js';
import { parsePolicyYaml } from '../../../server/policies/fleetctl-yaml.js';
import { catalogPlatformOf, type Platform } from '../../../simulator/fleet/catalogue.js';
import { BUILTIN_FLEET } from '../../../scenarios/fleets/builtin-fleet.js';
import { hostDatabase, passes } from '../../simulator/fleet/helpers.js';

let SQL: SqlJsStatic;

beforeAll(async () => {
  SQL = await initSqlJs();
});

const FAMILIES: ReadonlyArray<readonly [CisFamily, Platform, TableRow]> = [
  ['darwin', 'darwin', { name: 'macOS', version: '15.1.1', major: 15, minor: 1, patch: 1, platform: 'darwin' }],
  ['windows', 'windows', { name: 'Microsoft Windows 11 Enterprise', version: '10.0.22631', major: 10, minor: 0, build: '22631', platform: 'windows' }],
  ['deb', 'linux', { name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', major: 22, minor: 4, platform: 'ubuntu' }],
  ['rpm', 'linux', { name: 'Red Hat Enterprise Linux', version: '9.4 (Plow)', major: 9, minor: 4, platform: 'rhel' }],
];

describe('CIS-like policies', () => {
  it('cis-like.yml is the generator\'s output (run `npm run gen:cis` after a change)', () => {
    expect(readFileSync(CIS_LIKE_YAML_PATH, 'utf8')).toBe(renderCisLikeYaml());
  });

  it('has a few hundred uniquely named policies over the three platforms, all valid fleetctl YAML', () => {
    const result = parsePolicyYaml(renderCisLikeYaml(), 'cis-like.yml');
    expect(result.errors).toEqual([]);
    expect(result.specs.length).toBe(CIS_CHECKS.length);
    expect(CIS_CHECKS.length).toBeGreaterThanOrEqual(250);
    expect(new Set(CIS_CHECKS.map(cisPolicyName)).size).toBe(CIS_CHECKS.length);
    for (const platform of ['darwin', 'windows', 'linux'] as const) {
      expect(CIS_CHECKS.filter((check) => check.platform === platform).length, platform).toBeGreaterThanOrEqual(50);
    }
  });

  it.each(FAMILIES)('%s: a fully compliant host passes every check and a non-compliant one fails each', (family, platform, osVersion) => {
    const checks = CIS_CHECKS.filter((check) => check.platform === platform);
    const compliant = hostDatabase(SQL, platform, { tables: { ...cisRows(family, 'all-good', 1), os_version: [osVersion] } });
    const failing = hostDatabase(SQL, platform, { tables: { ...cisRows(family, 'all-bad', 0), os_version: [osVersion] } });
    for (const check of checks) {
      expect(passes(compliant, check.query), `${cisPolicyName(check)} on a compliant ${family} host`).toBe(true);
      // OS floors depend on the host's version only; the reference host is current.
      if (check.id.startsWith('1.') && check.platform === 'darwin') continue;
      expect(passes(failing, check.query), `${cisPolicyName(check)} on a non-compliant ${family} host`).toBe(false);
    }
    compliant.close();
    failing.close();
  });

  it('compliance draws are stable and follow the level', () => {
    const draws = CIS_CHECKS.map((check) => complies(check, 'some-group', 0.7));
    expect(CIS_CHECKS.map((check) => complies(check, 'some-group', 0.7))).toEqual(draws);
    const share = draws.filter(Boolean).length / draws.length;
    expect(share).toBeGreaterThan(0.6);
    expect(share).toBeLessThan(0.8);
  });

  it('the default fleet passes 40–90% of the checks on each platform, more in the managed groups', () => {
    for (const platform of ['darwin', 'windows', 'linux'] as const) {
      const checks = CIS_CHECKS.filter((check) => check.platform === platform);
      const shares = new Map<string, number>();
      for (const group of BUILTIN_FLEET.groups.filter((g) => catalogPlatformOf(g.platform) === platform)) {
        const db = hostDatabase(SQL, platform, group);
        shares.set(group.name, checks.filter((check) => passes(db, check.query)).length / checks.length);
        db.close();
      }
      const values = [...shares.values()];
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      expect(mean, platform).toBeGreaterThan(0.4);
      expect(mean, platform).toBeLessThan(0.9);
      const managed = [...shares].find(([name]) => /managed|ubuntu/.test(name))?.[1] ?? 0;
      expect(managed, platform).toBe(Math.max(...values));
    }
  });
});
