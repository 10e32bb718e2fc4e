import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';

import {
  columnsFor,
  createTableSql,
  findTable,
  catalogPlatformOf,
  OSQUERY_TABLES,
  tablesForPlatform,
  type Platform,
} from '../../../simulator/fleet/catalogue.js';

const PLATFORMS: readonly Platform[] = ['darwin', 'windows', 'linux', 'chrome'];

describe('osquery table catalogue', () => {
  it('has unique table names and unique columns per table', () => {
    const names = OSQUERY_TABLES.map((table) => table.name);
    expect(new Set(names).size).toBe(names.length);
    for (const table of OSQUERY_TABLES) {
      for (const platform of table.platforms) {
        const columns = columnsFor(table, platform).map((column) => column.name.toLowerCase());
        expect(new Set(columns).size, `${table.name} on ${platform}`).toBe(columns.length);
        expect(columns.length, `${table.name} on ${platform}`).toBeGreaterThan(0);
      }
    }
  });

  it('puts tables on the platforms osquery ships them for', () => {
    const on = (name: string): readonly Platform[] => findTable(name)?.platforms ?? [];
    expect(on('alf')).toEqual(['darwin']);
    expect(on('bitlocker_info')).toEqual(['windows']);
    expect(on('deb_packages')).toEqual(['linux']);
    expect(on('disk_encryption')).toEqual(['darwin', 'linux']);
    expect(on('os_version')).toEqual(['darwin', 'windows', 'linux', 'chrome']);
    expect(findTable('filevault_status')).toBeUndefined(); // a Fleet extension table, not osquery's
    expect(findTable('OS_VERSION')?.name).toBe('os_version');
  });

  it('keeps platform-only columns to their platform', () => {
    const diskEncryption = findTable('disk_encryption');
    if (!diskEncryption) throw new Error('disk_encryption missing');
    const names = (p: Platform): string[] => columnsFor(diskEncryption, p).map((column) => column.name);
    expect(names('darwin')).toContain('filevault_status');
    expect(names('linux')).not.toContain('filevault_status');
  });

  it('lists the common compliance tables per platform', () => {
    const names = (p: Platform): string[] => tablesForPlatform(p).map((table) => table.name);
    expect(names('darwin')).toEqual(expect.arrayContaining(['alf', 'screenlock', 'sip_config', 'gatekeeper', 'apps', 'disk_encryption', 'managed_policies', 'plist']));
    expect(names('windows')).toEqual(expect.arrayContaining(['bitlocker_info', 'windows_security_center', 'windows_security_products', 'registry', 'programs', 'patches', 'services']));
    expect(names('linux')).toEqual(expect.arrayContaining(['deb_packages', 'rpm_packages', 'iptables', 'shadow', 'augeas', 'sudoers', 'authorized_keys']));
    expect(names('windows')).not.toContain('alf');
    expect(names('chrome').length).toBeGreaterThan(3);
  });

  it('creates every table of every platform in SQLite', async () => {
    const SQL = await initSqlJs();
    for (const platform of PLATFORMS) {
      const db = new SQL.Database();
      for (const table of tablesForPlatform(platform)) db.run(createTableSql(table, platform));
      const [result] = db.exec("select count(*) from sqlite_master where type = 'table'");
      expect(result?.values[0]?.[0]).toBe(tablesForPlatform(platform).length);
      db.close();
    }
  });
});

describe('catalogPlatformOf', () => {
  it('maps osquery platform names to the catalogue platform whose tables a host has', () => {
    expect(catalogPlatformOf('darwin')).toBe('darwin');
    expect(catalogPlatformOf('windows')).toBe('windows');
    expect(catalogPlatformOf('chrome')).toBe('chrome');
    for (const distro of ['ubuntu', 'debian', 'rhel', 'centos', 'sles', 'kali', 'gentoo', 'amzn', 'pop', 'arch', 'linuxmint', 'void', 'nixos', 'endeavouros', 'manjaro', 'opensuse-leap', 'opensuse-tumbleweed', 'tuxedo', 'linux']) {
      expect(catalogPlatformOf(distro), distro).toBe('linux');
    }
    expect(catalogPlatformOf('Ubuntu')).toBe(''); // exact, as Fleet: scenario validation canonicalises first
    expect(catalogPlatformOf('ios')).toBe(''); // a Fleet platform with no simulated tables
    expect(catalogPlatformOf('freebsd')).toBe('');
    expect(catalogPlatformOf('')).toBe('');
  });
});

describe('tablesForPlatform', () => {
  it('gives each table with the columns it has on that platform', () => {
    const darwin = tablesForPlatform('darwin').find((table) => table.name === 'disk_encryption');
    const linux = tablesForPlatform('linux').find((table) => table.name === 'disk_encryption');
    expect(darwin?.columns.map((column) => column.name)).toContain('filevault_status');
    expect(linux?.columns.map((column) => column.name)).not.toContain('filevault_status');
    const windowsOs = tablesForPlatform('windows').find((table) => table.name === 'os_version');
    expect(windowsOs?.columns.map((column) => column.name)).toContain('install_date');
    expect(tablesForPlatform('linux').find((table) => table.name === 'os_version')?.columns.map((column) => column.name)).not.toContain('install_date');
  });
});
