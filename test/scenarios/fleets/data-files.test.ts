/**
 * The built-in fleet's data lives in scenarios/fleets/data/*.json (issue 12: "data, not code"):
 * every file is read, ships in the npm package, and its rows use the columns osquery (or orbit's
 * extension) has for that table on that platform, as a real host reports them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinFleet } from '../../../scenarios/fleets/builtin-fleet.js';
import { fleetData, fleetDataDir } from '../../../scenarios/fleets/data/load.js';
import { columnsFor, FLEETD_TABLES, OSQUERY_TABLES, type Platform } from '../../../simulator/fleet/catalogue.js';

const ROOT = join(fleetDataDir(), '..', '..', '..');

function columnsOf(table: string, platform: Platform): Set<string> | undefined {
  const spec = [...OSQUERY_TABLES, ...FLEETD_TABLES].find((t) => t.name === table && t.platforms.includes(platform));
  return spec ? new Set(columnsFor(spec, platform).map((c) => c.name)) : undefined;
}

describe('the built-in fleet\'s data files', () => {
  it('are JSON files the package ships, and no data module is left in TypeScript', () => {
    const files = readdirSync(fleetDataDir()).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(['groups.json', 'settings.json', 'software.json', 'variety.json', 'vitals.json']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('scenarios/fleets/data/*.json');
    expect(readdirSync(fleetDataDir()).filter((f) => f.endsWith('.ts'))).toEqual(['load.ts']);
    const data = fleetData();
    expect(data.groups.groups.map((g) => g.name)).toEqual(builtinFleet().groups.map((g) => g.name));
    expect(data.variety.variants).toBe(builtinFleet().groups[0]!.variants!.length);
  });

  it('hold rows whose columns the table has on that platform (osquery, or orbit for fleetd tables)', () => {
    const { settings, vitals, variety } = fleetData();
    const problems: string[] = [];
    const check = (platform: Platform, table: string, row: Record<string, unknown>, where: string): void => {
      const columns = columnsOf(table, platform);
      if (!columns) return void problems.push(`${where}: ${table} is not a ${platform} table`);
      for (const column of Object.keys(row)) if (!columns.has(column)) problems.push(`${where}: ${table}.${column} is not a column on ${platform}`);
    };
    for (const platform of ['darwin', 'windows', 'linux'] as const) {
      settings.rows[platform].forEach((setting, i) => {
        for (const row of [...setting.comply, ...(setting.otherwise ?? [])]) check(platform, setting.table, row, `settings.rows.${platform}[${i}]`);
      });
      for (const [table, rows] of Object.entries(vitals[platform])) for (const row of rows) check(platform, table, row, `vitals.${platform}`);
      variety.platforms[platform].hardware.forEach((row, v) => check(platform, 'system_info', row, `variety.${platform}.hardware[${v}]`));
      variety.platforms[platform].extra_users.forEach((rows, v) => rows.forEach((row) => check(platform, 'users', row, `variety.${platform}.extra_users[${v}]`)));
    }
    expect(problems).toEqual([]);
  });
});
