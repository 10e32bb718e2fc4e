/**
 * osquery software rows for a group of the built-in fleet, from the lists in data/software.json:
 * `apps` (+ `homebrew_packages`) on macOS, `programs` on Windows, `deb_packages` / `rpm_packages`
 * on Linux, and `python_packages` everywhere — hundreds of rows, as a real host reports (Fleet's software_* detail queries read
 * them). Which optional items a group has and the package versions are stable draws from the group
 * name (and variant: builtin-fleet.ts gives each of a group's variants its own draw), so groups and
 * a group's hosts differ but a run is reproducible.
 */
import { hashString } from '../../lib/rng.js';
import type { TableRow } from '../../contract/fleet-spec.js';
import { fleetData } from './data/load.js';

export type SoftwareFamily = 'darwin' | 'windows' | 'deb' | 'rpm';

export interface SoftwareOptions {
  /** Share of the optional (third-party) items the group has, 0..1. */
  share: number;
  /** Homebrew formulae on macOS (developer machines). */
  homebrew?: boolean;
  /** Distribution suffix of deb versions, e.g. `ubuntu0.22.04` or `+deb12u`; rpm release suffix, e.g. `el8`. */
  distro?: string;
}

const draw = (group: string, item: string, salt: string): number => hashString(`${salt}\u0000${group}\u0000${item}`) / 0x100000000;

function macApps(group: string, o: SoftwareOptions): TableRow[] {
  const row = ([name = '', version = '', id = '']: readonly string[], system: boolean): TableRow => {
    const dir = system ? '/System/Applications' : '/Applications';
    return {
      name: `${name}.app`, path: `${dir}/${name}.app`, bundle_executable: name, bundle_identifier: id, bundle_name: name,
      bundle_short_version: version, bundle_version: version, bundle_package_type: 'APPL', environment: '', element: '', compiler: '',
      development_region: 'en', display_name: name, info_string: '', minimum_system_version: system ? '13.0' : '11.0', category: '',
      applescript_enabled: '1', copyright: '', last_opened_time: 1732000000 + Math.floor(draw(group, name, 'opened') * 400000),
    };
  };
  return [
    ...fleetData().software.mac_system_apps.map((f) => row(f, true)),
    ...fleetData().software.mac_apps.filter((f) => draw(group, f[0]!, 'has') < o.share).map((f) => row(f, false)),
  ];
}

function homebrew(group: string, o: SoftwareOptions): TableRow[] {
  return fleetData().software.homebrew.filter((entry) => draw(group, entry.join('|'), 'brew') < Math.max(o.share, 0.5)).map(([name = '', version = '']) => {
    return { name, path: `/opt/homebrew/Cellar/${name}/${version}`, version };
  });
}

function windowsPrograms(group: string, o: SoftwareOptions): TableRow[] {
  return [...fleetData().software.windows_programs, ...fleetData().software.windows_components]
    .filter(([name = '']) => name.startsWith('Microsoft') || draw(group, name, 'has') < o.share)
    .map(([name = '', version = '', publisher = '']) => ({
      name, version, install_location: '', install_source: '', language: '1033', publisher, uninstall_string: '',
      install_date: `2024${String(1 + Math.floor(draw(group, name, 'm') * 11)).padStart(2, '0')}${String(1 + Math.floor(draw(group, name, 'd') * 27)).padStart(2, '0')}`,
      identifying_number: `{${(hashString(name) >>> 0).toString(16).toUpperCase().padStart(8, '0')}-0000-4000-8000-${(hashString(`${name}!`) >>> 0).toString(16).toUpperCase().padStart(12, '0')}}`,
    }));
}

/** Python packages where the platform's Python keeps them. */
function pythonPackages(family: SoftwareFamily, group: string, o: SoftwareOptions): TableRow[] {
  const directory: Record<SoftwareFamily, string> = {
    darwin: '/Library/Frameworks/Python.framework/Versions/3.12/lib/python3.12/site-packages',
    windows: 'C:\\Program Files\\Python312\\Lib\\site-packages',
    deb: '/usr/lib/python3/dist-packages',
    rpm: '/usr/lib/python3.6/site-packages',
  };
  return fleetData().software.python_packages.filter((entry, i) => i < 12 || draw(group, entry.join('|'), 'py') < o.share).map(([name = '', version = '']) => {
    return { name, version, summary: '', author: '', license: '', path: `${directory[family]}/${name}-${version}.dist-info/`, directory: directory[family] };
  });
}

/** A package version of the usual shape, stable per (name, distro). */
function packageVersion(name: string, distro: string): [string, string] {
  const h = hashString(`${name}\u0000${distro}`);
  const upstream = `${1 + (h % 9)}.${(h >>> 4) % 24}.${(h >>> 9) % 12}`;
  const release = `${1 + ((h >>> 13) % 6)}`;
  return [upstream, release];
}

function debPackages(group: string, o: SoftwareOptions): TableRow[] {
  const distro = o.distro ?? 'ubuntu0.22.04';
  return fleetData().software.deb_packages.filter((name, i) => i < 150 || draw(group, name, 'has') < o.share).map((name) => {
    const [upstream, release] = packageVersion(name, distro);
    const version = distro.startsWith('+') ? `${upstream}-${release}${distro}1` : `${upstream}-${release}${distro}.1`;
    return { name, version, source: name, size: 100 + (hashString(name) % 20000), arch: name.startsWith('lib') ? 'amd64' : 'amd64', revision: `${release}${distro}.1`, status: 'install ok installed', maintainer: distro.startsWith('+') ? 'Debian Developers' : 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>', section: name.startsWith('lib') ? 'libs' : name.startsWith('python3') ? 'python' : 'admin', priority: 'optional', admindir: '/var/lib/dpkg' };
  });
}

function rpmPackages(group: string, o: SoftwareOptions): TableRow[] {
  const distro = o.distro ?? 'el8';
  return fleetData().software.rpm_packages.filter((name, i) => i < 150 || draw(group, name, 'has') < o.share).map((name) => {
    const [version, release] = packageVersion(name, distro);
    return { name, version, release: `${release}.${distro}`, source: `${name}-${version}-${release}.${distro}.src.rpm`, size: 1000 + (hashString(name) % 5000000), sha1: '', arch: 'x86_64', epoch: 0, install_time: 1725000000 + (hashString(name) % 5000000), vendor: 'Red Hat, Inc.', package_group: 'Unspecified' };
  });
}

/** The software tables of a group: table name → rows. */
export function softwareTables(family: SoftwareFamily, group: string, o: SoftwareOptions): Record<string, TableRow[]> {
  switch (family) {
    case 'darwin':
      return { apps: macApps(group, o), python_packages: pythonPackages(family, group, o), ...(o.homebrew ? { homebrew_packages: homebrew(group, o) } : {}) };
    case 'windows':
      return { programs: windowsPrograms(group, o), python_packages: pythonPackages(family, group, o) };
    case 'deb':
      return { deb_packages: debPackages(group, o), python_packages: pythonPackages(family, group, o) };
    case 'rpm':
      return { rpm_packages: rpmPackages(group, o), python_packages: pythonPackages(family, group, o) };
  }
}
