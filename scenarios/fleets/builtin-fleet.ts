/**
 * The built-in mixed fleet used when `osqsim simulate --hosts N` runs without a scenario, and by
 * `fleet: builtin`.
 *
 * About 45% macOS, 40% Windows and 15% Linux, in three groups per platform: a well-managed group
 * that passes the hardening policies of scenarios/policies/, and two groups that each fail a
 * different, realistic subset of them (an unmanaged/out-of-date group and a developer or contractor
 * group). Every policy fixture therefore has passing and failing hosts, for a reason a reader can
 * find in the data.
 *
 * All of it is data (scenarios/fleets/data/*.json, docs/scenarios.md "The built-in fleet"):
 * groups.json (the groups, their host settings and profiles), settings.json, software.json,
 * vitals.json and variety.json. This file only assembles it: host-tables.ts turns a group's host
 * settings into osquery's rows, settings-rows.ts / cis/rows.ts add the hardening settings at the
 * group's compliance level, software-rows.ts its software, and variants give a group's hosts their
 * own hardware, disks, accounts, uptime and software (a stable draw per (seed, host):
 * simulator/identity.ts variantOf).
 *
 * The groups use `weight`, so the fleet scales to any host count.
 */
import type { FleetGroupSpec, FleetSpec, FleetVariantSpec, HostAgent, TableRow } from '../../contract/fleet-spec.js';
import { linuxTables, macTables, windowsTables, type LinuxOptions, type MacOptions, type Tables, type WindowsOptions } from './host-tables.js';
import { cisRows } from './cis/rows.js';
import { softwareTables } from './software-rows.js';
import { orbitInfo } from './fleetd-tables.js';
import { settingKey, settingsRows } from './settings-rows.js';
import { fleetData, type GroupData, type PlatformVariety } from './data/load.js';

/** The built-in groups' mean compliance level: `compliance` moves every group by its difference. */
export const DEFAULT_COMPLIANCE = 0.68;

export interface BuiltinFleetOptions {
  /**
   * The fleet's compliance level, 0..1 (scenario key `fleet.compliance`): each group keeps its
   * offset from the default (managed groups comply more than unmanaged ones), clamped to 0..1.
   */
  compliance?: number;
  /**
   * What runs on the hosts (scenario key `fleet.agent`): `osquery` (the default, as a scenario group)
   * or `fleetd`. Only fleetd hosts report orbit's tables (orbit_info, pwd_policy, mdm, cis_audit, …:
   * simulator/fleet/catalogue.ts FLEETD_TABLES) and send orbit's requests.
   */
  agent?: HostAgent;
}

function hostTables(group: GroupData): Tables {
  const baseline = group.host.baseline === undefined ? {} : fleetData().groups.baselines[group.host.baseline];
  if (baseline === undefined) throw new Error(`built-in fleet: group ${group.name} names unknown baseline ${group.host.baseline}`);
  // JSON has no undefined: null in groups.json means "not set" (e.g. no screen lock timeout).
  const options = Object.fromEntries(Object.entries({ ...baseline, ...group.host.options }).filter(([, v]) => v !== null));
  switch (group.host.kind) {
    case 'mac':
      return macTables(options as unknown as MacOptions);
    case 'windows':
      return windowsTables(options as unknown as WindowsOptions);
    case 'linux':
      return linuxTables(options as unknown as LinuxOptions);
  }
}

/** Adds `extra` to `tables`, leaving out rows whose setting the tables already report (settings-rows.ts settingKey). */
function addSettings(tables: Tables, extra: Record<string, TableRow[]>): void {
  for (const [table, rows] of Object.entries(extra)) {
    const have = new Set((tables[table] ?? []).map((row) => settingKey(table, row)));
    tables[table] = [...(tables[table] ?? []), ...rows.filter((row) => !have.has(settingKey(table, row)))];
  }
}

/** The software tables for one draw (`salt`), without repeating a name the group's own tables list (policy fixtures look for them). */
function software(group: GroupData, own: Tables, salt: string): Tables {
  const out: Tables = {};
  for (const [table, rows] of Object.entries(softwareTables(group.profile.software, salt, group.profile.softwareOptions))) {
    const named = new Set((own[table] ?? []).map((row) => String(row['name'])));
    out[table] = [...(own[table] ?? []), ...rows.filter((row) => !named.has(String(row['name'])))];
  }
  return out;
}

const SYSTEM_DISK = new Set(['/', '/System/Volumes/Data']);

/**
 * A group's variants: the tables that differ between its hosts. Variant v has its own software draw,
 * hardware (system_info), free disk space, uptime and extra accounts (data/variety.json).
 */
function variants(group: GroupData, own: Tables, tables: Tables, platform: 'darwin' | 'windows' | 'linux'): FleetVariantSpec[] {
  const variety: PlatformVariety = fleetData().variety.platforms[platform];
  const count = fleetData().variety.variants;
  return Array.from({ length: count }, (_, v) => {
    const pick = <T>(list: readonly T[]): T => list[v % list.length]!;
    const free = pick(variety.disk_free);
    const uptimeFactor = pick(variety.uptime_factor);
    const out: Tables = v === 0 ? {} : software(group, own, `${group.name}#${v}`);
    out['system_info'] = (tables['system_info'] ?? []).map((row) => ({ ...row, ...pick(variety.hardware) }));
    out['uptime'] = (tables['uptime'] ?? []).map((row) => {
      const total = Math.round(Number(row['total_seconds']) * uptimeFactor);
      return { days: Math.floor(total / 86400), hours: Math.floor((total % 86400) / 3600), minutes: Math.floor((total % 3600) / 60), seconds: total % 60, total_seconds: total };
    });
    if (tables['mounts']) {
      out['mounts'] = tables['mounts'].map((row) => {
        if (!SYSTEM_DISK.has(String(row['path']))) return row;
        const blocks = Number(row['blocks']);
        const freeBlocks = Math.round(blocks * free);
        return { ...row, blocks_free: freeBlocks, blocks_available: Math.round(freeBlocks * 0.95) };
      });
    }
    if (tables['logical_drives']) {
      out['logical_drives'] = tables['logical_drives'].map((row) => ({ ...row, free_space: Math.round(Number(row['size']) * free) }));
    }
    if (tables['battery']) {
      out['battery'] = tables['battery'].map((row) => ({ ...row, cycle_count: Math.round(Number(row['cycle_count']) * (0.3 + uptimeFactor)) }));
    }
    out['users'] = [...(tables['users'] ?? []), ...pick(variety.extra_users)];
    return { tables: out };
  });
}

function buildGroup(group: GroupData, compliance: number, fleetd: boolean): FleetGroupSpec {
  const level = Math.min(1, Math.max(0, group.profile.level + compliance - DEFAULT_COMPLIANCE));
  const tables: Tables = { ...hostTables(group) };
  for (const [table, rows] of Object.entries(cisRows(group.profile.cis, group.name, level))) tables[table] = [...(tables[table] ?? []), ...rows];
  // settings.json adds only settings the group does not already report (file_lines: whole files).
  addSettings(tables, settingsRows(group.profile.cis, group.name, level, fleetd));
  // The software lists add to the apps / programs / packages the group already names (its own
  // settings and the CIS-like checks: policy fixtures look for them).
  const ownSoftware: Tables = {};
  for (const table of Object.keys(softwareTables(group.profile.software, group.name, group.profile.softwareOptions))) ownSoftware[table] = tables[table] ?? [];
  Object.assign(tables, software(group, ownSoftware, group.name));
  if (fleetd) tables['orbit_info'] = [orbitInfo(group.platform)];
  const platform = group.host.kind === 'mac' ? 'darwin' : group.host.kind;
  return {
    name: group.name, weight: group.weight, platform: group.platform, os_version: group.os_version, osquery_version: group.osquery_version,
    agent: fleetd ? 'fleetd' : 'osquery', tables, variants: variants(group, ownSoftware, tables, platform),
  };
}

/** The built-in fleet: 45% macOS, 40% Windows, 15% Linux by weight. */
export function builtinFleet(options: BuiltinFleetOptions = {}): FleetSpec {
  const compliance = options.compliance ?? DEFAULT_COMPLIANCE;
  if (!(compliance >= 0 && compliance <= 1)) throw new Error(`builtin fleet: compliance must be between 0 and 1, got ${compliance}`);
  const fleetd = (options.agent ?? 'osquery') === 'fleetd';
  return { groups: fleetData().groups.groups.map((group) => buildGroup(group, compliance, fleetd)) };
}

/** The built-in fleet at its default compliance level, plain osquery. */
export const BUILTIN_FLEET: FleetSpec = builtinFleet();
