/**
 * The host-vitals ("detail") queries osqsim sends as `fleet_detail_query_<name>`: Fleet's names,
 * platforms and discovery rules (server/service/osquery_utils/queries.go: hostDetailQueries,
 * extraDetailQueries, the software and users queries; reference fleet-host-vitals.md §1.2), over the
 * same osquery tables. The SQL is osqsim's own. Ingestion: ./detail-ingest.ts.
 *
 * Left out (documented in docs/fidelity.md): queries over fleetd or extension tables osqsim's
 * agents never have (munki_info, kubequery_info, google_chrome_profiles, the fleetd
 * software extras), the operating_systems and certificates tables, disk encryption,
 * scheduled_query_stats and windows_update_history.
 */
import { LINUX_PLATFORMS } from '../../contract/platforms.js';
import {
  type IngestContext,
  type ResultRow,
  type VitalsPiece,
  ingestBatteries,
  ingestDiskSpace,
  ingestMdmDarwin,
  ingestMdmWindows,
  ingestNetworkInterface,
  ingestOrbitInfo,
  ingestOsqueryFlags,
  ingestOsqueryInfo,
  ingestOsVersion,
  ingestOsVersionWindows,
  ingestSoftware,
  ingestSystemInfo,
  ingestUptime,
  ingestUsers,
} from './detail-ingest.js';

export { MAX_HOST_FIELD_LENGTH, clipHostField, osVersionName, type ResultRow } from './detail-ingest.js';

export interface DetailQuery {
  readonly name: string;
  /** The SQL for a host of this raw platform (one text for most). */
  readonly query: string | ((platform: string) => string);
  /** Runs only when this returns rows (absent: "SELECT 1"). */
  readonly discovery?: string;
  /** Raw osquery platforms it runs on (Fleet's RunsForPlatform); absent = every platform. */
  readonly platforms?: readonly string[];
  ingest(rows: readonly ResultRow[], context: IngestContext): VitalsPiece;
}

export const DETAIL_QUERY_PREFIX = 'fleet_detail_query_';

const LINUX = LINUX_PLATFORMS;
const UNIX = [...LINUX, 'darwin'];
const NOT_CHROME = [...LINUX, 'darwin', 'windows'];

/** Fleet's discoveryTable: the query runs only where osquery has the table. */
export function discoveryTable(table: string): string {
  return `SELECT 1 FROM osquery_registry WHERE active = 1 AND registry = 'table' AND name = '${table}'`;
}

/**
 * The address and MAC of the interface that carries the default route, private addresses only,
 * lowest metric first, IPv4 before IPv6 (Fleet's networkInterfaceQuery). Unix routes name the
 * interface; Windows routes name the interface's address and have type 'remote'.
 */
function networkInterfaceSql(routeJoin: string, routeType: string): string {
  return `SELECT a.address, d.mac
FROM interface_addresses a
JOIN interface_details d ON d.interface = a.interface
JOIN routes r ON ${routeJoin}
WHERE r.destination IN ('0.0.0.0', '::') AND r.netmask = 0 AND r.type = '${routeType}'
  AND ((inet_aton(a.address) IS NOT NULL AND (split(a.address, '.', 0) = '10'
          OR (split(a.address, '.', 0) = '172' AND (CAST(split(a.address, '.', 1) AS INTEGER) & 240) = 16)
          OR (split(a.address, '.', 0) = '192' AND split(a.address, '.', 1) = '168')))
    OR (inet_aton(a.address) IS NULL AND regex_match(lower(a.address), '^f[cd][0-9a-f]{2}:[0-9a-f:]+', 0) IS NOT NULL))
ORDER BY r.metric ASC, inet_aton(a.address) IS NOT NULL DESC
LIMIT 1`;
}

/** Root-volume space from mounts, in gigabytes of 10^9 bytes (as Fleet's 10e-10 factor). */
const MOUNTS_ROOT_SPACE = `blocks_available * 100 / blocks AS percent_disk_space_available,
  round(blocks_available * blocks_size * 10e-10, 2) AS gigs_disk_space_available,
  round(blocks * blocks_size * 10e-10, 2) AS gigs_total_disk_space`;

/** Real block-device mounts of a Linux host (Fleet's linuxGigsAllDiskSpaceSubQueryConditions, abridged). */
const LINUX_REAL_MOUNTS = `blocks > 0 AND blocks_size > 0
  AND path NOT LIKE '/media%' AND path NOT LIKE '/mnt%' AND path NOT LIKE '/dev%' AND path NOT LIKE '/proc%'
  AND path NOT LIKE '/sys%' AND path NOT LIKE '/run%' AND path NOT LIKE '/var/run%' AND path NOT LIKE '/boot%'
  AND path NOT LIKE '/snap%' AND path NOT LIKE '/var/snap%' AND path NOT LIKE '/var/lib/docker%' AND path NOT LIKE '/var/lib/containers%'
  AND type IN ('ext4', 'ext3', 'ext2', 'xfs', 'btrfs', 'ntfs', 'vfat', 'fuseblk', 'zfs')
  AND (device LIKE '/dev/sd%' OR device LIKE '/dev/hd%' OR device LIKE '/dev/vd%' OR device LIKE '/dev/nvme%'
    OR device LIKE '/dev/mapper%' OR device LIKE '/dev/md%' OR device LIKE '/dev/dm-%')`;

/**
 * Users who can log in: system accounts (no shell, `_` names, machine accounts ending in `$`) are
 * left out, as in Fleet's usersQuery. osquery's users.type exists on Windows only.
 */
function usersSql(platform: string): string {
  const type = platform === 'windows' ? 'u.type' : "''";
  const notSpecial = platform === 'windows' ? "u.type <> 'special' AND " : '';
  return `SELECT u.uid, u.username, ${type} AS type, g.groupname, u.shell
FROM users u LEFT JOIN groups g ON g.gid = u.gid
WHERE ${notSpecial}u.shell NOT LIKE '%/false' AND u.shell NOT LIKE '%/nologin' AND u.shell NOT LIKE '%/shutdown'
  AND u.shell NOT LIKE '%/halt' AND u.username NOT LIKE '%$' AND u.username NOT LIKE '\\_%' ESCAPE '\\'`;
}

/** The software queries' shared column list, in this order for every source. */
function softwareSelect(columns: Partial<Record<'name' | 'version' | 'source' | 'bundle_identifier' | 'extension_id' | 'extension_for' | 'vendor' | 'release' | 'arch' | 'last_opened_at' | 'installed_path', string>>): string {
  const order = ['name', 'version', 'source', 'bundle_identifier', 'extension_id', 'extension_for', 'vendor', 'release', 'arch', 'last_opened_at', 'installed_path'] as const;
  return `SELECT ${order.map((column) => `${columns[column] ?? "''"} AS ${column}`).join(', ')}`;
}

const BROWSER_EXTENSIONS = [
  `${softwareSelect({ name: 'name', version: 'version', source: "'chrome_extensions'", extension_id: 'identifier', extension_for: 'browser_type', installed_path: 'path' })}
FROM cached_users CROSS JOIN chrome_extensions USING (uid)`,
  `${softwareSelect({ name: 'name', version: 'version', source: "'firefox_addons'", extension_id: 'identifier', extension_for: "'firefox'", installed_path: 'path' })}
FROM cached_users CROSS JOIN firefox_addons USING (uid)`,
];

function withUsers(parts: readonly string[]): string {
  return `WITH cached_users AS (SELECT uid FROM users)\n${parts.join('\nUNION\n')}`;
}

/** The osquery tables each Fleet platform's software query reads (the plan counts their rows). */
export const SOFTWARE_TABLES: Readonly<Record<string, readonly string[]>> = {
  darwin: ['apps', 'chrome_extensions', 'firefox_addons', 'safari_extensions', 'homebrew_packages'],
  windows: ['programs', 'chrome_extensions', 'firefox_addons', 'chocolatey_packages'],
  linux: ['deb_packages', 'rpm_packages', 'chrome_extensions', 'firefox_addons'],
  chrome: ['chrome_extensions'],
};

const SOFTWARE_MACOS = withUsers([
  `${softwareSelect({
    // Bundle name, else executable, else the file name without ".app" (Fleet's order).
    name: "COALESCE(NULLIF(bundle_name, ''), NULLIF(bundle_executable, ''), CASE WHEN lower(name) LIKE '%.app' THEN substr(name, 1, length(name) - 4) ELSE name END)",
    version: "COALESCE(NULLIF(bundle_short_version, ''), bundle_version)",
    source: "'apps'",
    bundle_identifier: 'bundle_identifier',
    last_opened_at: 'last_opened_time',
    installed_path: 'path',
  })}
FROM apps`,
  ...BROWSER_EXTENSIONS,
  `${softwareSelect({ name: 'name', version: 'version', source: "'safari_extensions'", installed_path: 'path' })}
FROM safari_extensions`,
  `${softwareSelect({ name: 'name', version: 'version', source: "'homebrew_packages'", installed_path: 'path' })}
FROM homebrew_packages`,
]);

const SOFTWARE_WINDOWS = withUsers([
  `${softwareSelect({ name: 'name', version: 'version', source: "'programs'", vendor: 'publisher', installed_path: 'install_location' })}
FROM programs`,
  ...BROWSER_EXTENSIONS,
  `${softwareSelect({ name: 'name', version: 'version', source: "'chocolatey_packages'", installed_path: 'path' })}
FROM chocolatey_packages`,
]);

const SOFTWARE_LINUX = withUsers([
  `${softwareSelect({ name: 'name', version: 'version', source: "'deb_packages'", arch: 'arch' })}
FROM deb_packages WHERE status LIKE '% ok installed'`,
  `${softwareSelect({ name: 'name', version: 'version', source: "'rpm_packages'", vendor: 'vendor', release: 'release', arch: 'arch' })}
FROM rpm_packages`,
  ...BROWSER_EXTENSIONS,
]);

const SOFTWARE_CHROME = `${softwareSelect({ name: 'name', version: 'version', source: "'chrome_extensions'", extension_id: 'identifier', extension_for: 'browser_type' })}
FROM chrome_extensions`;

export const DETAIL_QUERIES: readonly DetailQuery[] = [
  // --- host columns (Fleet's IngestFuncs) ------------------------------------------------------
  { name: 'network_interface_unix', platforms: UNIX, query: networkInterfaceSql('r.interface = a.interface', 'gateway'), ingest: ingestNetworkInterface },
  { name: 'network_interface_windows', platforms: ['windows'], query: networkInterfaceSql('r.interface = a.address', 'remote'), ingest: ingestNetworkInterface },
  { name: 'network_interface_chrome', platforms: ['chrome'], query: 'SELECT ipv4 AS address, mac FROM network_interfaces LIMIT 1', ingest: ingestNetworkInterface },
  {
    name: 'os_version',
    query: 'SELECT name, version, major, minor, patch, build, platform, platform_like, codename, arch FROM os_version LIMIT 1',
    ingest: ingestOsVersion,
  },
  {
    name: 'os_version_windows',
    platforms: ['windows'],
    // Display version, update build revision and installation type from the registry (absent keys give '').
    query: `SELECT o.name,
  COALESCE((SELECT data FROM registry WHERE path = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\DisplayVersion'), '') AS display_version,
  COALESCE(o.version || '.' || (SELECT data FROM registry WHERE path = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\UBR'), o.version) AS version,
  COALESCE((SELECT data FROM registry WHERE path = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\InstallationType'), '') AS installation_type
FROM os_version o LIMIT 1`,
    ingest: ingestOsVersionWindows,
  },
  {
    name: 'osquery_flags',
    platforms: NOT_CHROME,
    query: "SELECT name, value FROM osquery_flags WHERE name IN ('distributed_interval', 'config_tls_refresh', 'config_refresh', 'logger_tls_period')",
    ingest: ingestOsqueryFlags,
  },
  { name: 'osquery_info', query: 'SELECT version, uuid, instance_id, build_platform, start_time FROM osquery_info LIMIT 1', ingest: ingestOsqueryInfo },
  {
    name: 'system_info',
    query: `SELECT hostname, uuid, cpu_type, cpu_subtype, cpu_brand, cpu_physical_cores, cpu_logical_cores, physical_memory,
  hardware_vendor, hardware_model, hardware_version, hardware_serial, computer_name FROM system_info LIMIT 1`,
    ingest: ingestSystemInfo,
  },
  { name: 'uptime', platforms: NOT_CHROME, query: 'SELECT total_seconds FROM uptime LIMIT 1', ingest: ingestUptime },
  // --- host_disks (DirectIngestFunc) -----------------------------------------------------------
  {
    name: 'disk_space_unix',
    platforms: LINUX,
    query: `SELECT ${MOUNTS_ROOT_SPACE},
  (SELECT round(SUM(blocks * blocks_size) * 10e-10, 2) FROM mounts WHERE ${LINUX_REAL_MOUNTS}) AS gigs_all_disk_space
FROM mounts WHERE path = '/' LIMIT 1`,
    ingest: ingestDiskSpace,
  },
  {
    name: 'disk_space_darwin',
    platforms: ['darwin'],
    discovery: discoveryTable('disk_space'),
    query: `SELECT ROUND(bytes_available * 100.0 / bytes_total, 2) AS percent_disk_space_available,
  ROUND(bytes_available * 10e-10, 2) AS gigs_disk_space_available, ROUND(bytes_total * 10e-10, 2) AS gigs_total_disk_space
FROM disk_space LIMIT 1`,
    ingest: ingestDiskSpace,
  },
  {
    // Plain osquery has no disk_space table (fleetd's): the root mount instead.
    name: 'disk_space_darwin_legacy',
    platforms: ['darwin'],
    discovery: `SELECT 1 WHERE NOT EXISTS (${discoveryTable('disk_space')})`,
    query: `SELECT ${MOUNTS_ROOT_SPACE} FROM mounts WHERE path = '/' LIMIT 1`,
    ingest: ingestDiskSpace,
  },
  {
    name: 'disk_space_windows',
    platforms: ['windows'],
    query: `SELECT ROUND(sum(free_space) * 100.0 / sum(size)) AS percent_disk_space_available,
  ROUND(sum(free_space) * 10e-10) AS gigs_disk_space_available, ROUND(sum(size) * 10e-10) AS gigs_total_disk_space
FROM logical_drives WHERE file_system = 'NTFS' LIMIT 1`,
    ingest: ingestDiskSpace,
  },
  // --- host_mdm, host_batteries ------------------------------------------------------------------
  {
    name: 'mdm',
    platforms: ['darwin'],
    discovery: discoveryTable('mdm'),
    query: 'SELECT enrolled, server_url, installed_from_dep, payload_identifier FROM mdm',
    ingest: ingestMdmDarwin,
  },
  {
    name: 'mdm_windows',
    platforms: ['windows'],
    // One enrollment with a user principal name, preferring one with a discovery URL (Fleet's mdm_windows).
    query: `WITH enrollments AS (
  SELECT MAX(CASE WHEN name = 'UPN' THEN data END) AS upn,
    MAX(CASE WHEN name = 'DiscoveryServiceFullURL' THEN data END) AS discovery_service_url,
    MAX(CASE WHEN name = 'ProviderID' THEN data END) AS provider_id,
    MAX(CASE WHEN name = 'EnrollmentState' THEN data END) AS state,
    MAX(CASE WHEN name = 'AADResourceID' THEN data END) AS aad_resource_id
  FROM registry WHERE path LIKE 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Enrollments\\%' GROUP BY key
), installation AS (
  SELECT data AS installation_type FROM registry
  WHERE path = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\InstallationType' LIMIT 1
)
SELECT e.aad_resource_id, e.discovery_service_url, e.provider_id, i.installation_type
FROM installation i LEFT JOIN enrollments e ON e.upn IS NOT NULL
WHERE COALESCE(e.state, '0') IN ('0', '1', '2', '3')
ORDER BY LENGTH(e.discovery_service_url) DESC LIMIT 1`,
    ingest: ingestMdmWindows,
  },
  {
    name: 'battery',
    platforms: ['windows', 'darwin'],
    discovery: discoveryTable('battery'),
    query: 'SELECT serial_number, cycle_count, designed_capacity, max_capacity FROM battery',
    ingest: ingestBatteries,
  },
  // --- host_orbit_info (fleetd hosts only: orbit's extension provides the table) -------------------
  {
    name: 'orbit_info',
    platforms: [...LINUX, 'darwin', 'windows'],
    discovery: discoveryTable('orbit_info'),
    query: 'SELECT * FROM orbit_info',
    ingest: ingestOrbitInfo,
  },
  // --- host_users, software + host_software ------------------------------------------------------
  { name: 'users', platforms: NOT_CHROME, query: usersSql, ingest: ingestUsers },
  { name: 'users_chrome', platforms: ['chrome'], query: "SELECT uid, username, '' AS type, '' AS groupname, '' AS shell FROM users", ingest: ingestUsers },
  { name: 'software_macos', platforms: ['darwin'], query: SOFTWARE_MACOS, ingest: ingestSoftware },
  { name: 'software_windows', platforms: ['windows'], query: SOFTWARE_WINDOWS, ingest: ingestSoftware },
  { name: 'software_linux', platforms: LINUX, query: SOFTWARE_LINUX, ingest: ingestSoftware },
  { name: 'software_chrome', platforms: ['chrome'], query: SOFTWARE_CHROME, ingest: ingestSoftware },
];

export const DETAIL_QUERIES_BY_NAME: ReadonlyMap<string, DetailQuery> = new Map(
  DETAIL_QUERIES.map((detail) => [`${DETAIL_QUERY_PREFIX}${detail.name}`, detail]),
);

/** Fleet's RunsForPlatform: no platform list means every platform, else the raw platform must be listed. */
export function runsForPlatform(detail: DetailQuery, platform: string): boolean {
  return detail.platforms === undefined || detail.platforms.includes(platform);
}

/** The detail queries for a host of this raw platform, as `name → { query, discovery }`. */
export function detailQueriesFor(platform: string): Array<{ name: string; query: string; discovery: string | undefined }> {
  return DETAIL_QUERIES.filter((detail) => runsForPlatform(detail, platform)).map((detail) => ({
    name: `${DETAIL_QUERY_PREFIX}${detail.name}`,
    query: typeof detail.query === 'string' ? detail.query : detail.query(platform),
    discovery: detail.discovery,
  }));
}
