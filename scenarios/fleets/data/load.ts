/**
 * The built-in fleet's data files (this folder, documented in docs/scenarios.md "The built-in
 * fleet"): plain JSON read once at start. They ship with the package (package.json `files`:
 * scenarios/fleets/data/*.json); from a build (dist/scenarios/fleets/data/) they are found in the
 * package's own scenarios/fleets/data/, as scenarios/builtin.ts finds the scenario YAML.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TableRow } from '../../../contract/fleet-spec.js';

/** The folder that holds the data files (the source folder, or the package's from a build). */
export function fleetDataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [here, resolve(here, '..', '..', '..', '..', 'scenarios', 'fleets', 'data')]) {
    if (existsSync(join(candidate, 'groups.json'))) return candidate;
  }
  throw new Error(`built-in fleet data not found next to ${here} (scenarios/fleets/data/*.json)`);
}

function readData<T>(file: string): T {
  const path = join(fleetDataDir(), file);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`built-in fleet data ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export type Tables = Record<string, TableRow[]>;

/** A configuration-profile key (`managed_policies`): domain, name, compliant value, and the value an unmanaged-but-set host reports (absent = no row). */
export type ManagedSetting = readonly [domain: string, name: string, value: string, otherwise?: string];
/** A registry value: full path, compliant data, type, and the data of a host that does not comply (absent = no value). */
export type RegistrySetting = readonly [path: string, data: string, type: string, otherwise?: string];
/** Rows of any table: the rows a complying host reports and, optionally, those of a host that does not. */
export interface RowSetting {
  table: string;
  comply: readonly TableRow[];
  otherwise?: readonly TableRow[];
}

/** settings.json: hardening settings, the rows of a host that complies and of one that does not. */
export interface SettingsData {
  managed_policies: readonly ManagedSetting[];
  registry: readonly RegistrySetting[];
  rows: Readonly<Record<'darwin' | 'windows' | 'linux', readonly RowSetting[]>>;
}

/** software.json: the software lists (`name|version|…` rows as arrays; package names for deb/rpm). */
export interface SoftwareData {
  /** [name, version, bundle identifier] */
  mac_system_apps: readonly (readonly string[])[];
  mac_apps: readonly (readonly string[])[];
  /** [formula, version] */
  homebrew: readonly (readonly string[])[];
  /** [display name, version, publisher] */
  windows_programs: readonly (readonly string[])[];
  windows_components: readonly (readonly string[])[];
  deb_packages: readonly string[];
  rpm_packages: readonly string[];
  /** [name, version] */
  python_packages: readonly (readonly string[])[];
}

/** vitals.json: per platform, rows of the tables Fleet's host-vitals queries read (interfaces, routes, disks, batteries). */
export type VitalsData = Readonly<Record<'darwin' | 'windows' | 'linux', Tables>>;

/** variety.json: what differs between hosts of one group (variants: hardware, disks, extra users, uptime). */
export interface VarietyData {
  variants: number;
  platforms: Readonly<Record<'darwin' | 'windows' | 'linux', PlatformVariety>>;
}
export interface PlatformVariety {
  /** Per variant: system_info columns that differ (hardware model, CPU, memory). */
  hardware: readonly Readonly<Record<string, string | number>>[];
  /** Per variant: the share of the system disk that is free, 0..1. */
  disk_free: readonly number[];
  /** Per variant: uptime as a multiple of the group's. */
  uptime_factor: readonly number[];
  /** Per variant: extra local accounts (users rows), beyond the group's. */
  extra_users: readonly (readonly TableRow[])[];
}

/** groups.json: the built-in groups (see builtin-fleet.ts for what each field means). */
export interface GroupsData {
  baselines: Readonly<Record<string, Record<string, unknown>>>;
  groups: readonly GroupData[];
}
export interface GroupData {
  name: string;
  weight: number;
  platform: string;
  os_version: string;
  osquery_version: string;
  comment?: string;
  host: { kind: 'mac' | 'windows' | 'linux'; baseline?: string; options: Record<string, unknown> };
  profile: { cis: 'darwin' | 'windows' | 'deb' | 'rpm'; level: number; software: 'darwin' | 'windows' | 'deb' | 'rpm'; softwareOptions: { share: number; homebrew?: boolean; distro?: string } };
}

let cache: { settings: SettingsData; software: SoftwareData; vitals: VitalsData; variety: VarietyData; groups: GroupsData } | undefined;

/** Every data file, read once. */
export function fleetData(): NonNullable<typeof cache> {
  cache ??= {
    settings: readData<SettingsData>('settings.json'),
    software: readData<SoftwareData>('software.json'),
    vitals: readData<VitalsData>('vitals.json'),
    variety: readData<VarietyData>('variety.json'),
    groups: readData<GroupsData>('groups.json'),
  };
  return cache;
}
