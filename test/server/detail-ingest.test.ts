/** The pure ingest rules of the host-vitals queries (server/osquery/detail-ingest.ts), and the query catalogue. */
import { describe, expect, it } from 'vitest';
import {
  DetailIngestError,
  batteryHealth,
  ingestMdmDarwin,
  ingestMdmWindows,
  ingestNetworkInterface,
  ingestOrbitInfo,
  ingestOsqueryFlags,
  ingestOsVersion,
  ingestOsVersionWindows,
  ingestSoftware,
  ingestSystemInfo,
  ingestUptime,
} from '../../server/osquery/detail-ingest.js';
import { DETAIL_QUERIES, SOFTWARE_TABLES, detailQueriesFor } from '../../server/osquery/detail-queries.js';

const context = { platform: 'ubuntu', publicIp: '203.0.113.7', now: new Date('2026-12-05T12:00:00Z') };

describe('detail ingest rules (Fleet queries.go)', () => {
  it('single-row queries refuse 0 or 2 rows; numbers must parse', () => {
    expect(() => ingestSystemInfo([])).toThrow(DetailIngestError);
    expect(() => ingestUptime([{ total_seconds: '1' }, { total_seconds: '2' }], context)).toThrow(/expected a single row, got 2/);
    expect(() => ingestSystemInfo([{ physical_memory: 'lots' }])).toThrow(/physical_memory: not a number/);
    expect(() => ingestSoftware([{ name: 'a', source: 'apps', last_opened_at: 'never' }])).toThrow(/last_opened_at/);
  });

  it('values outside their column\'s range are refused, so one host\'s answer cannot fail a batch; JSON numbers are read as text', () => {
    expect(() => ingestSystemInfo([{ physical_memory: '1e30' }])).toThrow(/physical_memory: out of range/);
    expect(() => ingestSystemInfo([{ cpu_logical_cores: '4294967296' }])).toThrow(/out of range/);
    expect(() => ingestUptime([{ total_seconds: '99999999999' }], context)).toThrow(/out of range/);
    expect(() => ingestSoftware([{ name: 'a', source: 'apps', last_opened_at: '1e15' }])).toThrow(/last_opened_at: out of range/);
    expect(ingestSystemInfo([{ physical_memory: 17179869184 as unknown as string, hostname: 42 as unknown as string }]).host).toMatchObject({ memory: 17179869184, hostname: '42' });
  });

  it('system_info: placeholder serials are blanked, "-1" is ignored, empty numbers are 0', () => {
    expect(ingestSystemInfo([{ hardware_serial: 'To Be Filled By O.E.M. Default string' }]).host).toMatchObject({ hardwareSerial: '', memory: 0, cpuLogicalCores: 0 });
    expect(ingestSystemInfo([{ hardware_serial: '-1' }]).host?.hardwareSerial).toBeUndefined();
    expect(ingestSystemInfo([{ hardware_serial: 'C02XK1ZJJG5J' }]).host?.hardwareSerial).toBe('C02XK1ZJJG5J');
  });

  it('os_version: Windows names come from os_version_windows; CentOS 6 gets its platform back', () => {
    expect(ingestOsVersion([{ name: 'Microsoft Windows 11 Pro', version: '10.0.22631', platform: 'windows' }]).host?.osVersion).toBeUndefined();
    expect(ingestOsVersion([{ name: 'CentOS release 6.10', version: '6.10', platform: '' }]).host?.platform).toBe('centos');
    expect(ingestOsVersionWindows([{ name: 'Microsoft Windows 11 Pro', display_version: '23H2', version: '10.0.22631.3007', installation_type: 'Client' }]).host?.osVersion)
      .toBe('Windows 11 Pro 23H2 10.0.22631.3007');
    expect(ingestOsVersionWindows([{ name: 'Microsoft Windows Server 2022', display_version: '', version: '10.0.20348.1', installation_type: 'Server Core' }]).host?.osVersion)
      .toBe('Windows Server 2022 (Server Core) 10.0.20348.1');
  });

  it('osquery_flags: config_tls_refresh wins over config_refresh', () => {
    expect(ingestOsqueryFlags([{ name: 'config_refresh', value: '60' }, { name: 'config_tls_refresh', value: '30' }]).host?.configTlsRefresh).toBe(30);
    expect(ingestOsqueryFlags([{ name: 'config_refresh', value: '60' }]).host?.configTlsRefresh).toBe(60);
    expect(ingestOsqueryFlags([]).host).toEqual({});
  });

  it('network interface: the public IP comes from the request (unusable → ""); no row keeps the primary IP', () => {
    expect(ingestNetworkInterface([], context).host).toEqual({ publicIp: '203.0.113.7' });
    expect(ingestNetworkInterface([{ address: '10.0.0.2', mac: 'aa:bb:cc:dd:ee:ff' }], { ...context, publicIp: 'proxy' }).host)
      .toEqual({ publicIp: '', primaryIp: '10.0.0.2', primaryMac: 'aa:bb:cc:dd:ee:ff' });
    expect(() => ingestNetworkInterface([{ address: 'a' }, { address: 'b' }], context)).toThrow(DetailIngestError);
  });

  it('uptime sets last_restarted_at = now − uptime', () => {
    expect(ingestUptime([{ total_seconds: '3600' }], context).host).toEqual({ uptimeSeconds: 3600, lastRestartedAt: new Date('2026-12-05T11:00:00Z') });
  });

  it('MDM: macOS from the mdm table (URL without its query); Windows: no enrollment = not enrolled, AAD = automatic', () => {
    expect(ingestMdmDarwin([{ enrolled: 'true', server_url: 'https://jamf.example/mdm?token=x', installed_from_dep: 'false' }]).mdm)
      .toEqual({ enrolled: true, serverUrl: 'https://jamf.example/mdm', installedFromDep: false, isServer: null, name: 'Jamf' });
    expect(ingestMdmWindows([]).mdm).toMatchObject({ enrolled: false });
    expect(ingestMdmWindows([{ discovery_service_url: 'https://enrollment.manage.microsoft.com/x', aad_resource_id: 'r', installation_type: 'Client' }]).mdm)
      .toEqual({ enrolled: true, serverUrl: 'https://enrollment.manage.microsoft.com/x', installedFromDep: true, isServer: false, name: 'Intune' });
  });

  it('battery health: "Service recommended" at ≥ 1000 cycles or < 80 % of design capacity', () => {
    expect(batteryHealth(999, 100, 80)).toBe('Normal');
    expect(batteryHealth(1000, 100, 100)).toBe('Service recommended');
    expect(batteryHealth(10, 100, 79)).toBe('Service recommended');
    expect(batteryHealth(10, 0, 79)).toBe('Unknown');
  });

  it('software: rows without a name or source are skipped; last_opened_at in epoch seconds', () => {
    const piece = ingestSoftware([{ name: '', source: 'apps' }, { name: 'Slack', source: 'apps', version: '4.41', last_opened_at: '1764892800.5' }]);
    expect(piece.software).toEqual([expect.objectContaining({ name: 'Slack', version: '4.41', lastOpenedAt: new Date('2025-12-05T00:00:00Z') })]);
  });
});

describe('orbit_info ingest (Fleet directIngestOrbitInfo)', () => {
  it('one row; desktop_version NULL only when the column is absent; scripts_enabled true only for "1"', () => {
    expect(ingestOrbitInfo([{ version: '1.36.0', desktop_version: '1.36.0', scripts_enabled: '1' }])).toEqual({
      orbitInfo: { version: '1.36.0', desktopVersion: '1.36.0', scriptsEnabled: true },
    });
    expect(ingestOrbitInfo([{ version: '1.36.0', desktop_version: '', scripts_enabled: 'true' }])).toEqual({
      orbitInfo: { version: '1.36.0', desktopVersion: '', scriptsEnabled: false },
    });
    expect(ingestOrbitInfo([{ version: '1.20.0' }])).toEqual({ orbitInfo: { version: '1.20.0', desktopVersion: null, scriptsEnabled: null } });
    expect(() => ingestOrbitInfo([])).toThrow(/expected a single row, got 0/);
    expect(() => ingestOrbitInfo([{ version: '1' }, { version: '2' }])).toThrow(DetailIngestError);
    // host_orbit_info.version is VARCHAR(50): a longer value is refused, not clipped.
    expect(() => ingestOrbitInfo([{ version: 'x'.repeat(51) }])).toThrow(/version: longer than 50/);
  });

  it('is sent to Linux, macOS and Windows hosts only, behind discovery of the orbit_info table', () => {
    for (const platform of ['ubuntu', 'rhel', 'darwin', 'windows']) {
      const query = detailQueriesFor(platform).find((q) => q.name === 'fleet_detail_query_orbit_info');
      expect(query, platform).toEqual({
        name: 'fleet_detail_query_orbit_info',
        query: 'SELECT * FROM orbit_info',
        discovery: "SELECT 1 FROM osquery_registry WHERE active = 1 AND registry = 'table' AND name = 'orbit_info'",
      });
    }
    expect(detailQueriesFor('chrome').map((q) => q.name)).not.toContain('fleet_detail_query_orbit_info');
  });
});

describe('detail query catalogue', () => {
  it('each software query reads exactly the tables SOFTWARE_TABLES lists for its platform (the plan counts them)', () => {
    const platformOf: Record<string, string> = { software_macos: 'darwin', software_windows: 'windows', software_linux: 'linux', software_chrome: 'chrome' };
    for (const detail of DETAIL_QUERIES.filter((d) => d.name.startsWith('software_'))) {
      const sql = typeof detail.query === 'string' ? detail.query : detail.query('');
      const tables = new Set([...sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/gi)].map((m) => m[1]!).filter((t) => t !== 'users' && t !== 'cached_users'));
      expect([...tables].sort(), detail.name).toEqual([...SOFTWARE_TABLES[platformOf[detail.name]!]!].sort());
    }
  });

  it('names are unique and every platform gets os_version, osquery_info and system_info', () => {
    expect(new Set(DETAIL_QUERIES.map((d) => d.name)).size).toBe(DETAIL_QUERIES.length);
    for (const platform of ['darwin', 'windows', 'ubuntu', 'chrome', '']) {
      const names = detailQueriesFor(platform).map((d) => d.name);
      expect(names, platform).toEqual(expect.arrayContaining(['fleet_detail_query_os_version', 'fleet_detail_query_osquery_info', 'fleet_detail_query_system_info']));
    }
    // A host whose platform is not known yet gets only the queries for every platform.
    expect(detailQueriesFor('').length).toBe(3);
  });
});
