/**
 * The rows of data/settings.json a group of the built-in fleet reports: per setting a stable draw
 * from the group name against its compliance level decides whether the group complies (the
 * compliant rows) or not (the other rows, or none: a profile or policy that is not deployed leaves
 * no row). Tables only orbit's extension provides are left out for groups that do not run fleetd.
 */
import { hashString } from '../../lib/rng.js';
import type { TableRow } from '../../contract/fleet-spec.js';
import { FLEETD_TABLES } from '../../simulator/fleet/catalogue.js';
import type { CisFamily } from './cis/policies.js';
import { fleetData, type RowSetting } from './data/load.js';

const FLEETD_ONLY: ReadonlySet<string> = new Set(FLEETD_TABLES.map((t) => t.name));

/** Whether the group complies with a setting: a stable draw per (setting, group) against `level`. */
function complies(key: string, group: string, level: number): boolean {
  return hashString(`setting\u0000${key}\u0000${group}`) / 0x100000000 < level;
}

const MANAGED_UUID = '0F9D3C1A-5B2E-4A7C-8E6D-2B1F0A9C8D7E';

function macManagedRows(group: string, level: number): TableRow[] {
  return fleetData().settings.managed_policies.flatMap(([domain, name, value, otherwise]) => {
    const chosen = complies(`${domain}/${name}`, group, level) ? value : otherwise;
    return chosen === undefined ? [] : [{ domain, uuid: MANAGED_UUID, name, value: chosen, username: '', manual: 0 }];
  });
}

function registryRows(group: string, level: number): TableRow[] {
  return fleetData().settings.registry.flatMap(([path, data, type, otherwise]) => {
    const chosen = complies(path, group, level) ? data : otherwise;
    if (chosen === undefined) return [];
    const cut = path.lastIndexOf('\\');
    return [{ key: path.slice(0, cut), path, name: path.slice(cut + 1), type, data: chosen, mtime: 1730000000 }];
  });
}

function rowSettings(settings: readonly RowSetting[], group: string, level: number, fleetd: boolean): Record<string, TableRow[]> {
  const tables: Record<string, TableRow[]> = {};
  settings.forEach((setting, i) => {
    if (!fleetd && FLEETD_ONLY.has(setting.table)) return;
    const rows = complies(`${setting.table}#${i}`, group, level) ? setting.comply : setting.otherwise ?? [];
    if (rows.length > 0) (tables[setting.table] ??= []).push(...rows);
  });
  return tables;
}

/** The settings rows of a group of this platform family at this compliance level. */
export function settingsRows(family: CisFamily, group: string, level: number, fleetd: boolean): Record<string, TableRow[]> {
  switch (family) {
    case 'darwin':
      return { managed_policies: macManagedRows(group, level), ...rowSettings(fleetData().settings.rows.darwin, group, level, fleetd) };
    case 'windows':
      return { registry: registryRows(group, level), ...rowSettings(fleetData().settings.rows.windows, group, level, fleetd) };
    default:
      return rowSettings(fleetData().settings.rows.linux, group, level, fleetd);
  }
}

/**
 * What makes two rows the same setting on one host (a registry value has one path, a profile key
 * one value, …): rows of data/settings.json whose key a group already reports (from its own settings
 * or the CIS-like checks) are left out, so a host never reports one setting twice.
 */
const SETTING_KEYS: Readonly<Record<string, readonly string[]>> = {
  registry: ['path'],
  managed_policies: ['domain', 'name', 'username'],
  plist: ['path', 'key', 'subkey'],
  system_controls: ['name'],
  systemd_units: ['id'],
  mounts: ['path'],
  file_lines: ['path'],
  file: ['path'],
  cis_audit: ['item'],
  mdm_bridge: ['mdm_command_input'],
};

export function settingKey(table: string, row: TableRow): string {
  const columns = SETTING_KEYS[table];
  // One-row tables (nvram_info, pwd_policy, mdm, …): the table itself is the setting.
  if (!columns) return table;
  return `${table}\u0000${columns.map((c) => String(row[c] ?? '')).join('\u0000')}`;
}
