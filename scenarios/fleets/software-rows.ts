/**
 * osquery software rows for a group of the built-in fleet, from the lists in data/software.ts:
 * `apps` (+ `homebrew_packages`) on macOS, `programs` on Windows, `deb_packages` / `rpm_packages`
 * on Linux, and `python_packages` everywhere — hundreds of rows, as a real host reports (Fleet's software_* detail queries read
 * them). Which optional items a group has and the package versions are stable draws from the group
 * name, so groups differ but a run is reproducible. Rows are built once per group, not per host:
 * every host of a group answers from the same tables (simulator/fleet/evaluator.ts).
 */
import { hashString } from '../../lib/rng.js';
import type { TableRow } from '../../contract/fleet-spec.js';
import { DEB_PACKAGES, HOMEBREW, MAC_APPS, MAC_SYSTEM_APPS, PYTHON_PACKAGES, RPM_PACKAGES, WINDOWS_COMPONENTS, WINDOWS_PROGRAMS } from './data/software.js';

export type SoftwareFamily = 'darwin' | 'windows' | 'deb' | 'rpm';

export interface SoftwareOptions {
  /** Share of the optional (third-party) items the group has, 0..1. */
  share: number;
  /** Homebrew formulae on macOS (developer machines). */
  homebrew?: boolean;
  /** Distribution suffix of deb versions, e.g. `ubuntu0.22.04` or `+deb12u`; rpm release suffix, e.g. `el8`. */
  distro?: string;
}

const lines = (text: string): string[][] => text.trim().split('\n').map((line) => line.split('|').map((f) => f.trim()));
const draw = (group: string, item: string, salt: string): number => hashString(`${salt}\u0000${group}\u0000${item}`) / 0x100000000;

function macApps(group: string, o: SoftwareOptions): TableRow[] {
  const row = ([name = '', version = '', id = '']: string[], system: boolean): TableRow => {
    const dir = system ? '/System/Applications' : '/Applications';
    return {
      name: `${name}.app`, path: `${dir}/${name}.app`, bundle_executable: name, bundle_identifier: id, bundle_name: name,
      bundle_short_version: version, bundle_version: version, bundle_package_type: 'APPL', environment: '', element: '', compiler: '',
      development_region: 'en', display_name: name, info_string: '', minimum_system_version: system ? '13.0' : '11.0', category: '',
      applescript_enabled: '1', copyright: '', last_opened_time: 1732000000 + Math.floor(draw(group, name, 'opened') * 400000),
    };
  };
  return [
    ...lines(MAC_SYSTEM_APPS).map((f) => row(f, true)),
    ...lines(MAC_APPS).filter((f) => draw(group, f[0]!, 'has') < o.share).map((f) => row(f, false)),
  ];
}

function homebrew(group: string, o: SoftwareOptions): TableRow[] {
  return HOMEBREW.trim().split(/\s+/).filter((entry) => draw(group, entry, 'brew') < Math.max(o.share, 0.5)).map((entry) => {
    const [name = '', version = ''] = entry.split('|');
    return { name, path: `/opt/homebrew/Cellar/${name}/${version}`, version };
  });
}

function windowsPrograms(group: string, o: SoftwareOptions): TableRow[] {
  return [...lines(WINDOWS_PROGRAMS), ...lines(WINDOWS_COMPONENTS)]
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
  return PYTHON_PACKAGES.trim().split(/\s+/).filter((entry, i) => i < 12 || draw(group, entry, 'py') < o.share).map((entry) => {
    const [name = '', version = ''] = entry.split('|');
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
  return DEB_PACKAGES.trim().split(/\s+/).filter((name, i) => i < 150 || draw(group, name, 'has') < o.share).map((name) => {
    const [upstream, release] = packageVersion(name, distro);
    const version = distro.startsWith('+') ? `${upstream}-${release}${distro}1` : `${upstream}-${release}${distro}.1`;
    return { name, version, source: name, size: 100 + (hashString(name) % 20000), arch: name.startsWith('lib') ? 'amd64' : 'amd64', revision: `${release}${distro}.1`, status: 'install ok installed', maintainer: distro.startsWith('+') ? 'Debian Developers' : 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>', section: name.startsWith('lib') ? 'libs' : name.startsWith('python3') ? 'python' : 'admin', priority: 'optional', admindir: '/var/lib/dpkg' };
  });
}

function rpmPackages(group: string, o: SoftwareOptions): TableRow[] {
  const distro = o.distro ?? 'el8';
  return RPM_PACKAGES.trim().split(/\s+/).filter((name, i) => i < 150 || draw(group, name, 'has') < o.share).map((name) => {
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
