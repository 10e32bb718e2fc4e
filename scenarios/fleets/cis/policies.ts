/**
 * The CIS-like policies: each row of the check tables (cis/checks.ts) becomes a check with its
 * osquery SQL, its texts for people, and the osquery rows of a host that complies or does not, so
 * the built-in fleet (scenarios/fleets/builtin-fleet.ts) can hold realistic state for every check
 * and each policy has passing and failing hosts. scenarios/policies/cis-like.yml is rendered from
 * these checks (cis/render-yaml.ts; `npm run gen:cis` rewrites it).
 */
import type { TableRow } from '../../../contract/fleet-spec.js';
import {
  FILE_MODES, LINUX_MODULES, LINUX_PACKAGES, LINUX_SYSCTL, LINUX_UNITS, MAC_APPS, MAC_MANAGED, MAC_OS_FLOORS, MOUNT_OPTIONS,
  SSHD_OPTIONS, WINDOWS_PROGRAMS, WINDOWS_REGISTRY, WINDOWS_SERVICES,
  type AppFloor, type ManagedSetting, type RegistrySetting,
} from './checks.js';

/** The platform families the checks distinguish (Linux splits by package format). */
export type CisFamily = 'darwin' | 'windows' | 'deb' | 'rpm';

export interface CisCheck {
  /** Benchmark-style section number, unique per platform, e.g. "2.3.1". */
  id: string;
  platform: 'darwin' | 'windows' | 'linux';
  title: string;
  query: string;
  description: string;
  resolution: string;
  critical?: boolean;
  /** Rows (table → rows) of a host that complies / does not comply, per platform family. */
  rows(family: CisFamily, compliant: boolean): Record<string, TableRow[]>;
}

const q = (text: string): string => `'${text.replace(/'/g, "''")}'`;

// --- macOS -----------------------------------------------------------------------------------

function managedCheck(setting: ManagedSetting, index: number): CisCheck {
  const base = `SELECT 1 FROM managed_policies WHERE domain = ${q(setting.domain)} AND name = ${q(setting.name)}`;
  const value = setting.value;
  let query: string;
  let good: string;
  let bad: string | undefined;
  if (typeof value === 'string') {
    query = `${base} AND value = ${q(value)} LIMIT 1;`;
    good = value;
    bad = value === '1' ? '0' : '1';
  } else if ('max' in value) {
    query = `${base} AND CAST(value AS INTEGER) BETWEEN 1 AND ${value.max} LIMIT 1;`;
    good = String(value.good);
    bad = String(value.bad);
  } else {
    query = `${base} AND value != '' LIMIT 1;`;
    good = value.present;
    bad = undefined;
  }
  const row = (v: string): TableRow => ({ domain: setting.domain, uuid: '2F1E3D4C-5B6A-4798-8A1B-C2D3E4F5A6B7', name: setting.name, value: v, username: '', manual: 0 });
  return {
    id: `2.${Math.floor(index / 10) + 1}.${(index % 10) + 1}`,
    platform: 'darwin',
    title: setting.title,
    query,
    description: `${setting.why} Checks the ${setting.domain} ${setting.name} setting of the installed configuration profiles.`,
    resolution: `Deploy a configuration profile with the ${setting.domain} payload setting ${setting.name} to ${good}.`,
    rows: (_family, compliant) => ({ managed_policies: compliant ? [row(good)] : bad === undefined ? [] : [row(bad)] }),
  };
}

function macAppCheck(app: AppFloor, index: number): CisCheck {
  const row = (version: string): TableRow => ({
    name: `${app.name}.app`, path: `/Applications/${app.name}.app`, bundle_identifier: app.bundle, bundle_name: app.name,
    bundle_short_version: version, bundle_version: version, bundle_package_type: 'APPL', minimum_system_version: '11.0', last_opened_time: 1732200000,
  });
  return {
    id: `6.1.${index + 1}`,
    platform: 'darwin',
    title: `${app.name} is ${app.floor} or later`,
    query: `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM apps WHERE bundle_identifier = ${q(app.bundle)} AND version_compare(bundle_short_version, ${q(app.floor)}) < 0);`,
    description: `Checks that an installed ${app.name} is not older than ${app.floor}, which fixes publicly known vulnerabilities.`,
    resolution: `Update ${app.name} from its built-in updater or your software catalogue, then relaunch it.`,
    rows: (_family, compliant) => ({ apps: [row(compliant ? app.good : app.bad)] }),
  };
}

function macOsFloorCheck([major, floor]: readonly [number, string], index: number): CisCheck {
  return {
    id: `1.${index + 1}`,
    platform: 'darwin',
    title: `macOS ${major} is at ${floor} or later`,
    query: `SELECT 1 FROM os_version WHERE major != ${major} OR version_compare(version, ${q(floor)}) >= 0;`,
    description: `Checks that a Mac on macOS ${major} has at least the ${floor} security release.`,
    resolution: 'Open System Settings > General > Software Update and install the latest update for this macOS version.',
    // The OS version is the group's own: these checks need no rows.
    rows: () => ({}),
  };
}

// --- Windows ---------------------------------------------------------------------------------

function registryCheck(setting: RegistrySetting, index: number): CisCheck {
  const slash = setting.path.lastIndexOf('\\');
  const key = setting.path.slice(0, slash);
  const name = setting.path.slice(slash + 1);
  const rule = setting.rule;
  let condition: string;
  let good: string;
  let bad: string | undefined;
  let type = 'REG_DWORD';
  if ('eq' in rule) {
    condition = `data = ${q(rule.eq)}`;
    good = rule.eq;
    bad = rule.bad;
  } else if ('gte' in rule) {
    condition = `CAST(data AS INTEGER) >= ${rule.gte}`;
    good = String(rule.good);
    bad = String(rule.bad);
  } else if ('lte' in rule) {
    condition = `CAST(data AS INTEGER) BETWEEN ${rule.lte === 1 ? 0 : 1} AND ${rule.lte}`;
    good = String(rule.good);
    bad = String(rule.bad);
  } else {
    condition = "data != ''";
    good = rule.present;
    bad = undefined;
    type = 'REG_SZ';
  }
  const row = (data: string): TableRow => ({ key, path: setting.path, name, type, data, mtime: 1729500000 });
  return {
    id: `${setting.level === 2 ? 18 : 2}.${Math.floor(index / 10) + 1}.${(index % 10) + 1}`,
    platform: 'windows',
    title: setting.title,
    query: `SELECT 1 FROM registry WHERE path = ${q(setting.path)} AND ${condition};`,
    description: `${setting.level === 2 ? '(Level 2) ' : ''}Checks the ${name} value under ${key.replace('HKEY_LOCAL_MACHINE', 'HKLM')}.`,
    resolution: `Set ${name} to ${good} through Group Policy or your MDM (the value lives at ${setting.path}).`,
    rows: (_family, compliant) => ({ registry: compliant ? [row(good)] : bad === undefined ? [] : [row(bad)] }),
  };
}

function serviceCheck([name, display]: readonly [string, string], index: number): CisCheck {
  const row = (startType: string): TableRow => ({
    name, service_type: 'SHARE_PROCESS', display_name: display, status: startType === 'DISABLED' ? 'STOPPED' : 'RUNNING', pid: startType === 'DISABLED' ? 0 : 2200 + index,
    start_type: startType, win32_exit_code: 0, service_exit_code: 0, path: 'C:\\Windows\\System32\\svchost.exe -k netsvcs -p', module_path: '', description: '', user_account: 'LocalSystem',
  });
  return {
    id: `5.${index + 1}`,
    platform: 'windows',
    title: `${display} (${name}) disabled`,
    query: `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM services WHERE name = ${q(name)} AND start_type != 'DISABLED');`,
    description: `Checks that the ${display} service is not installed or cannot start; it widens the attack surface of a workstation.`,
    resolution: `Run \`Set-Service ${name} -StartupType Disabled\` or set the service to Disabled through Group Policy.`,
    rows: (_family, compliant) => ({ services: [row(compliant ? 'DISABLED' : index % 2 === 0 ? 'AUTO_START' : 'DEMAND_START')] }),
  };
}

function programCheck([name, floor, good, bad, publisher]: readonly [string, string, string, string, string], index: number): CisCheck {
  const row = (version: string): TableRow => ({ name: `${name} ${version}`, version, install_location: `C:\\Program Files\\${name}`, install_source: '', language: '', publisher, uninstall_string: '', install_date: '20241001', identifying_number: '' });
  return {
    id: `19.${index + 1}`,
    platform: 'windows',
    title: `${name} is ${floor} or later`,
    query: `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM programs WHERE name LIKE ${q(`${name}%`)} AND version_compare(version, ${q(floor)}) < 0);`,
    description: `Checks that an installed ${name} is not older than ${floor}, which fixes publicly known vulnerabilities.`,
    resolution: `Update ${name} through your software deployment tool or its own updater.`,
    rows: (_family, compliant) => ({ programs: [row(compliant ? good : bad)] }),
  };
}

// --- Linux -----------------------------------------------------------------------------------

function sysctlCheck([name, good, bad, what]: readonly [string, string, string, string], index: number): CisCheck {
  const row = (value: string): TableRow => ({ name, oid: '', subsystem: name.split('.')[0] ?? '', current_value: value, config_value: value, type: 'int' });
  return {
    id: `3.${Math.floor(index / 10) + 1}.${(index % 10) + 1}`,
    platform: 'linux',
    title: `${what} (${name} = ${good})`,
    query: `SELECT 1 FROM system_controls WHERE name = ${q(name)} AND current_value = ${q(good)};`,
    description: `Checks the running kernel parameter ${name}. ${what}.`,
    resolution: `Set \`${name} = ${good}\` in a file under /etc/sysctl.d/ and run \`sysctl --system\`.`,
    rows: (_family, compliant) => ({ system_controls: [row(compliant ? good : bad)] }),
  };
}

function sshdCheck(option: (typeof SSHD_OPTIONS)[number], index: number): CisCheck {
  const path = '/etc/ssh/sshd_config';
  const row = (value: string): TableRow => ({ node: `/files${path}/${option.label}`, value, label: option.label, path });
  return {
    id: `5.2.${index + 1}`,
    platform: 'linux',
    title: option.title,
    query: `SELECT 1 FROM augeas WHERE path = ${q(path)} AND label = ${q(option.label)} AND ${option.condition};`,
    description: `Checks the ${option.label} option of the SSH server configuration.`,
    resolution: `Set \`${option.label} ${option.good}\` in /etc/ssh/sshd_config and reload sshd.`,
    rows: (_family, compliant) => ({ augeas: [row(compliant ? option.good : option.bad)] }),
  };
}

function moduleCheck([name, what]: readonly [string, string], index: number): CisCheck {
  return {
    id: `1.1.${index + 1}`,
    platform: 'linux',
    title: `${what} module not loaded`,
    query: `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM kernel_modules WHERE name = ${q(name)});`,
    description: `Checks that the ${name} kernel module (${what}) is not loaded; unused kernel code only adds attack surface.`,
    resolution: `Add \`install ${name} /bin/false\` and \`blacklist ${name}\` to /etc/modprobe.d/${name}.conf and run \`modprobe -r ${name}\`.`,
    rows: (_family, compliant) => ({ kernel_modules: compliant ? [] : [{ name, size: 65536, used_by: '-', status: 'Live', address: '0x0000000000000000' }] }),
  };
}

function packageCheck([debName, rpmName, what]: readonly [string, string, string], index: number): CisCheck {
  return {
    id: `2.2.${index + 1}`,
    platform: 'linux',
    title: `${what} not installed`,
    query: `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM deb_packages WHERE name = ${q(debName)}) AND NOT EXISTS (SELECT 1 FROM rpm_packages WHERE name = ${q(rpmName)});`,
    description: `Checks that the ${what} package is not installed unless the host's role needs it.`,
    resolution: `Remove it with \`apt purge ${debName}\` or \`dnf remove ${rpmName}\`.`,
    rows: (family, compliant): Record<string, TableRow[]> => {
      if (compliant) return {};
      return family === 'rpm'
        ? { rpm_packages: [{ name: rpmName, version: '1.0', release: '1.el8', source: '', size: 409600, sha1: '', arch: 'x86_64', epoch: 0, install_time: 1720000000, vendor: 'Red Hat, Inc.', package_group: 'Unspecified' }] }
        : { deb_packages: [{ name: debName, version: '1.0-1', source: '', size: 400, arch: 'amd64', revision: '1', status: 'install ok installed', maintainer: 'Debian', section: 'net', priority: 'optional', admindir: '/var/lib/dpkg' }] };
    },
  };
}

function unitCheck(unit: (typeof LINUX_UNITS)[number], index: number): CisCheck {
  const ids = unit.deb === unit.rpm ? q(unit.deb) : `${q(unit.deb)}, ${q(unit.rpm)}`;
  const query = unit.active
    ? `SELECT 1 FROM systemd_units WHERE id IN (${ids}) AND active_state = 'active';`
    : `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM systemd_units WHERE id IN (${ids}) AND active_state = 'active');`;
  const row = (id: string, active: boolean): TableRow => ({
    id, description: unit.title.replace(/ (not )?running$/, ''), load_state: 'loaded', active_state: active ? 'active' : 'inactive', sub_state: active ? 'running' : 'dead',
    following: '', object_path: `/org/freedesktop/systemd1/unit/${id.replace(/[.-]/g, '_')}`, job_id: 0, job_type: '', job_path: '/', fragment_path: `/lib/systemd/system/${id}`, user: '', source_path: '',
  });
  return {
    id: `4.${index + 1}`,
    platform: 'linux',
    title: unit.title,
    query,
    description: `Checks that ${unit.active ? 'the service is active' : 'the service is not active'} (${unit.deb === unit.rpm ? unit.deb : `${unit.deb} or ${unit.rpm}`}).`,
    resolution: unit.active
      ? `Install the package if needed and run \`systemctl enable --now ${unit.deb}\` (${unit.rpm} on RHEL).`
      : `Run \`systemctl disable --now ${unit.deb}\`, or remove the package if nothing needs it.`,
    rows: (family, compliant) => ({ systemd_units: [row(family === 'rpm' ? unit.rpm : unit.deb, compliant === unit.active)] }),
  };
}

function mountCheck([path, option]: readonly [string, string], index: number): CisCheck {
  return {
    id: `1.2.${index + 1}`,
    platform: 'linux',
    title: `${path} is mounted ${option}`,
    query: `SELECT 1 FROM mounts WHERE path = ${q(path)} AND flags LIKE ${q(`%${option}%`)};`,
    description: `Checks that ${path} is a separate mount with the ${option} option.`,
    resolution: `Add ${option} to the options of ${path} in /etc/fstab and run \`mount -o remount ${path}\`.`,
    // Mount rows are built per path from all of the path's options: see mountRows().
    rows: () => ({}),
  };
}

function fileModeCheck(entry: (typeof FILE_MODES)[number], index: number): CisCheck {
  const slash = entry.path.lastIndexOf('/');
  const row = (mode: string): TableRow => ({
    path: entry.path, directory: entry.path.slice(0, slash), filename: entry.path.slice(slash + 1), inode: 1310720 + index, uid: 0, gid: entry.gid ?? 0, mode,
    device: 0, size: 1024 + index * 37, block_size: 4096, atime: 1732000000, mtime: 1725000000, ctime: 1725000000, btime: 0, hard_links: 1, symlink: 0, type: 'regular',
  });
  return {
    id: `7.1.${index + 1}`,
    platform: 'linux',
    title: `${entry.path} is owned by root with mode ${entry.modes[0]}`,
    query: `SELECT 1 FROM file WHERE path = ${q(entry.path)} AND uid = 0 AND mode IN (${entry.modes.map(q).join(', ')});`,
    description: `Checks the owner and permissions of ${entry.path}.`,
    resolution: `Run \`chown root ${entry.path} && chmod ${entry.modes[0]?.slice(1)} ${entry.path}\`.`,
    rows: (_family, compliant) => ({ file: [row(compliant ? (entry.modes[0] ?? '0600') : entry.bad)] }),
  };
}

// --- the checks ------------------------------------------------------------------------------

export const MOUNT_CHECKS: readonly CisCheck[] = MOUNT_OPTIONS.map(mountCheck);

export const CIS_CHECKS: readonly CisCheck[] = [
  ...MAC_OS_FLOORS.map(macOsFloorCheck),
  ...MAC_MANAGED.map(managedCheck),
  ...MAC_APPS.map(macAppCheck),
  ...WINDOWS_REGISTRY.filter((s) => s.level !== 2).map(registryCheck),
  ...WINDOWS_REGISTRY.filter((s) => s.level === 2).map(registryCheck),
  ...WINDOWS_SERVICES.map(serviceCheck),
  ...WINDOWS_PROGRAMS.map(programCheck),
  ...MOUNT_CHECKS,
  ...LINUX_MODULES.map(moduleCheck),
  ...LINUX_PACKAGES.map(packageCheck),
  ...LINUX_SYSCTL.map(sysctlCheck),
  ...LINUX_UNITS.map(unitCheck),
  ...SSHD_OPTIONS.map(sshdCheck),
  ...FILE_MODES.map(fileModeCheck),
];

const PLATFORM_LABEL = { darwin: 'macOS', windows: 'Windows', linux: 'Linux' } as const;

/** The policy name of a check, e.g. "CIS-like Windows 2.1.3 - Only NTLMv2 is sent…". */
export function cisPolicyName(check: CisCheck): string {
  return `CIS-like ${PLATFORM_LABEL[check.platform]} ${check.id} - ${check.title}`;
}
