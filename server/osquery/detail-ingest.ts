/**
 * How the rows of each detail query become host vitals (Fleet: the IngestFunc and DirectIngestFunc
 * functions of server/service/osquery_utils/queries.go). Each function is pure: it returns the part
 * of the host's vitals the rows say, or throws DetailIngestError when the rows are not what the
 * query returns (a count other than one for a single-row query, a number that does not parse).
 * The caller logs the error and stores nothing from that query, as Fleet logs and skips it; the
 * rest of the write (other detail queries, policy results) is stored.
 */
import type { HostBattery, HostDetailsPatch, HostDiskSpace, HostMdmInfo, HostOrbitInfo, HostUser, HostVitalsColumns, SoftwareItem } from '../store/store.js';

export type ResultRow = Readonly<Record<string, string>>;

/** What one detail query's rows change (merged into the write's HostVitalsReport). */
export interface VitalsPiece {
  host?: HostDetailsPatch & HostVitalsColumns;
  diskSpace?: HostDiskSpace;
  users?: HostUser[];
  software?: SoftwareItem[];
  mdm?: HostMdmInfo;
  batteries?: HostBattery[];
  orbitInfo?: HostOrbitInfo;
}

/** What an ingest function may need besides the rows. */
export interface IngestContext {
  /** The host's raw platform as known before this write. */
  readonly platform: string;
  /** The client address of the request ('' when unknown). */
  readonly publicIp: string;
  readonly now: Date;
}

export class DetailIngestError extends Error {}

/**
 * Host columns are VARCHAR(255) (as Fleet's). Longer values an agent reports are clipped rather than
 * failing the write that carries them: Fleet logs ingestion problems and still stores the rest of
 * the request, so policy results in the same write must not be lost over a hostname.
 */
export const MAX_HOST_FIELD_LENGTH = 255;

export function clipHostField(value: string): string {
  return value.length > MAX_HOST_FIELD_LENGTH ? value.slice(0, MAX_HOST_FIELD_LENGTH) : value;
}

function text(row: ResultRow, column: string): string {
  const value: unknown = row[column];
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' ? clipHostField(value.trim()) : '';
}

/**
 * Ranges the stored columns hold: a value outside its column's range is refused like a value that
 * does not parse (else one host's answer would fail the whole batch's transaction).
 */
export const LIMITS = {
  /** INT columns (cores, intervals, cycle counts). */
  int: 2_147_483_647,
  /** BIGINT columns (memory, uids): what a double holds exactly. */
  bigint: Number.MAX_SAFE_INTEGER,
  /** DECIMAL(10,2) columns (disk space). */
  decimal: 99_999_999.99,
  /** Epoch seconds up to 9999-12-31 (DATETIME). */
  epochSeconds: 253_402_300_799,
} as const;

/** Fleet's EmptyToZero + strconv: '' is 0, anything else must be a number within ±max. */
function numberOf(row: ResultRow, column: string, integer: boolean, max: number): number {
  const cell: unknown = row[column];
  const raw = typeof cell === 'string' ? cell.trim() : cell === undefined || cell === null ? '' : String(cell);
  if (raw === '') return 0;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new DetailIngestError(`${column}: not a number: ${JSON.stringify(raw.slice(0, 40))}`);
  }
  if (Math.abs(value) > max) throw new DetailIngestError(`${column}: out of range: ${raw.slice(0, 40)}`);
  return value;
}

/** The one row of a single-row query (Fleet logs "expected single result got N" and ignores the answer). */
export function single(rows: readonly ResultRow[]): ResultRow {
  if (rows.length !== 1) throw new DetailIngestError(`expected a single row, got ${rows.length}`);
  return rows[0]!;
}

/** "Ubuntu 22.04.3 LTS"-style name from an os_version row (enroll uses it too). */
export function osVersionName(row: Readonly<Record<string, string | undefined>>): string {
  const name = (row.name ?? '').trim();
  const version = (row.version ?? '').trim();
  if (!name) return version;
  if (!version || name.includes(version)) return name;
  return `${name} ${version}`;
}

export function ingestOsVersion(rows: readonly ResultRow[]): VitalsPiece {
  const row = single(rows);
  let platform = text(row, 'platform');
  // osquery leaves platform empty on CentOS 6 (Fleet works around it the same way).
  if (platform === '' && text(row, 'name').toLowerCase().includes('centos')) platform = 'centos';
  const host: VitalsPiece['host'] = { platform, platformLike: text(row, 'platform_like'), codeName: text(row, 'codename') };
  if (row.build !== undefined) host.build = text(row, 'build');
  // Windows' os_version is set by os_version_windows (display version and UBR).
  if (platform !== 'windows') host.osVersion = clipHostField(osVersionName(row));
  return { host };
}

export function ingestOsVersionWindows(rows: readonly ResultRow[]): VitalsPiece {
  const row = single(rows);
  let name = `${text(row, 'name')} ${text(row, 'display_version')}`.replace('Microsoft Windows', 'Windows').trim();
  if (text(row, 'installation_type').toLowerCase() === 'server core') name += ' (Server Core)';
  return { host: { osVersion: clipHostField(`${name} ${text(row, 'version')}`.trim()) } };
}

export function ingestOsqueryFlags(rows: readonly ResultRow[]): VitalsPiece {
  const host: VitalsPiece['host'] = {};
  let tlsRefresh: number | undefined;
  let refresh: number | undefined;
  for (const row of rows) {
    const name = row.name ?? '';
    if (name === 'distributed_interval') host.distributedInterval = numberOf(row, 'value', true, LIMITS.int);
    else if (name === 'logger_tls_period') host.loggerTlsPeriod = numberOf(row, 'value', true, LIMITS.int);
    else if (name === 'config_tls_refresh') tlsRefresh = numberOf(row, 'value', true, LIMITS.int);
    else if (name === 'config_refresh') refresh = numberOf(row, 'value', true, LIMITS.int);
  }
  // config_tls_refresh is the pre-2.4.6 name; Fleet prefers it and falls back to config_refresh.
  const configTlsRefresh = tlsRefresh ?? refresh;
  if (configTlsRefresh !== undefined) host.configTlsRefresh = configTlsRefresh;
  return { host };
}

export function ingestOsqueryInfo(rows: readonly ResultRow[]): VitalsPiece {
  return { host: { osqueryVersion: text(single(rows), 'version') } };
}

/** Serials Fleet blanks as placeholders (invalidHardwareSerialRegexp) or ignores ("-1"). */
const PLACEHOLDER_SERIAL = /default|serial|string/i;

export function ingestSystemInfo(rows: readonly ResultRow[]): VitalsPiece {
  const row = single(rows);
  const host: VitalsPiece['host'] = {
    memory: numberOf(row, 'physical_memory', true, LIMITS.bigint),
    hostname: text(row, 'hostname'),
    uuid: text(row, 'uuid'),
    cpuType: text(row, 'cpu_type'),
    cpuSubtype: text(row, 'cpu_subtype'),
    cpuBrand: text(row, 'cpu_brand'),
    cpuPhysicalCores: numberOf(row, 'cpu_physical_cores', true, LIMITS.int),
    cpuLogicalCores: numberOf(row, 'cpu_logical_cores', true, LIMITS.int),
    hardwareVendor: text(row, 'hardware_vendor'),
    hardwareModel: text(row, 'hardware_model'),
    hardwareVersion: text(row, 'hardware_version'),
    computerName: text(row, 'computer_name'),
  };
  const serial = text(row, 'hardware_serial');
  if (PLACEHOLDER_SERIAL.test(serial)) host.hardwareSerial = '';
  else if (serial !== '-1') host.hardwareSerial = serial;
  return { host };
}

/** Fleet moves last_restarted_at only when it moved by more than this (maybeUpdateLastRestartedAt). */
export const RESTART_TOLERANCE_MS = 30_000;

export function ingestUptime(rows: readonly ResultRow[], context: IngestContext): VitalsPiece {
  const seconds = numberOf(single(rows), 'total_seconds', true, LIMITS.int);
  if (seconds < 0) throw new DetailIngestError(`total_seconds: negative: ${seconds}`);
  // last_restarted_at = now − uptime; the store keeps the old value when it moved by ≤ 30 s.
  return { host: { uptimeSeconds: seconds, lastRestartedAt: new Date(context.now.getTime() - seconds * 1000) } };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;

function isIpAddress(value: string): boolean {
  if (value.length > 45) return false;
  return (IPV4.test(value) && value.split('.').every((part) => Number(part) <= 255)) || (value.includes(':') && IPV6.test(value));
}

export function ingestNetworkInterface(rows: readonly ResultRow[], context: IngestContext): VitalsPiece {
  // The public IP comes from the request, whatever the rows say; an unusable one is stored as ''.
  const host: VitalsPiece['host'] = { publicIp: isIpAddress(context.publicIp) ? context.publicIp : '' };
  if (rows.length > 1) throw new DetailIngestError(`expected at most one row, got ${rows.length}`);
  if (rows.length === 1) {
    host.primaryIp = text(rows[0]!, 'address').slice(0, 45);
    host.primaryMac = text(rows[0]!, 'mac').slice(0, 17);
  }
  return { host };
}

export function ingestDiskSpace(rows: readonly ResultRow[], context: IngestContext): VitalsPiece {
  const row = single(rows);
  const diskSpace: HostDiskSpace = {
    gigsAvailable: numberOf(row, 'gigs_disk_space_available', false, LIMITS.decimal),
    percentAvailable: numberOf(row, 'percent_disk_space_available', false, LIMITS.decimal),
    gigsTotal: numberOf(row, 'gigs_total_disk_space', false, LIMITS.decimal),
    // Linux only; blank means the sub-query found nothing, stored as NULL rather than 0.
    gigsAll: context.platform !== 'darwin' && context.platform !== 'windows' && (row.gigs_all_disk_space ?? '').trim() !== ''
      ? numberOf(row, 'gigs_all_disk_space', false, LIMITS.decimal)
      : null,
  };
  return { diskSpace };
}

export function ingestUsers(rows: readonly ResultRow[]): VitalsPiece {
  const users: HostUser[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const username = text(row, 'username');
    const uid = numberOf(row, 'uid', true, LIMITS.bigint);
    const key = `${uid}\u0000${username}`;
    if (username === '' || seen.has(key)) continue;
    seen.add(key);
    users.push({ uid, username, type: text(row, 'type'), groupname: text(row, 'groupname'), shell: text(row, 'shell') });
  }
  return { users };
}

/** Software column limits of Fleet's software table (name 255, version 255, source 64, …). */
function clip(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

export function ingestSoftware(rows: readonly ResultRow[]): VitalsPiece {
  const software: SoftwareItem[] = [];
  for (const row of rows) {
    const name = text(row, 'name');
    const source = text(row, 'source');
    if (name === '' || source === '') continue; // Fleet skips rows it cannot key
    const opened = numberOf(row, 'last_opened_at', false, LIMITS.epochSeconds);
    software.push({
      name,
      version: text(row, 'version'),
      source: clip(source, 64),
      bundleIdentifier: text(row, 'bundle_identifier'),
      release: clip(text(row, 'release'), 64),
      arch: clip(text(row, 'arch'), 16),
      vendor: text(row, 'vendor'),
      extensionId: text(row, 'extension_id'),
      extensionFor: clip(text(row, 'extension_for'), 64),
      lastOpenedAt: opened > 0 ? new Date(Math.floor(opened) * 1000) : null,
    });
  }
  return { software };
}

/** MDM solution names Fleet deduces from the server URL (server/fleet/mdm.go MDMNameFromServerURL, abridged). */
const MDM_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/fleetdm\.com|\/api\/mdm\/apple\/mdm/i, 'Fleet'],
  [/microsoft\.com|manage\.microsoft/i, 'Intune'],
  [/jamf/i, 'Jamf'],
  [/kandji/i, 'Kandji'],
  [/simplemdm/i, 'SimpleMDM'],
  [/airwatch|awmdm/i, 'VMware Workspace ONE'],
];

export function mdmNameOf(serverUrl: string): string {
  for (const [pattern, name] of MDM_NAMES) if (pattern.test(serverUrl)) return name;
  return '';
}

/** The URL without its query string, as Fleet stores it. */
function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

function truthy(value: string): boolean {
  return value === '1' || value.toLowerCase() === 'true';
}

export function ingestMdmDarwin(rows: readonly ResultRow[]): VitalsPiece {
  const row = single(rows);
  const serverUrl = withoutQuery(text(row, 'server_url'));
  const enrolled = truthy(text(row, 'enrolled'));
  return { mdm: { enrolled, serverUrl, installedFromDep: truthy(text(row, 'installed_from_dep')), isServer: null, name: enrolled ? mdmNameOf(serverUrl) : '' } };
}

export function ingestMdmWindows(rows: readonly ResultRow[]): VitalsPiece {
  // No rows: stored as not enrolled (Fleet's directIngestMDMWindows).
  if (rows.length === 0) return { mdm: { enrolled: false, serverUrl: '', installedFromDep: false, isServer: null, name: '' } };
  const row = single(rows);
  const serverUrl = withoutQuery(text(row, 'discovery_service_url'));
  const enrolled = serverUrl !== '';
  return {
    mdm: {
      enrolled,
      serverUrl,
      // "automatic" when an Azure AD resource id exists.
      installedFromDep: enrolled && text(row, 'aad_resource_id') !== '',
      isServer: text(row, 'installation_type').toLowerCase().includes('server'),
      name: enrolled ? mdmNameOf(serverUrl) || text(row, 'provider_id') : '',
    },
  };
}

/** Fleet's battery health: "Service recommended" at ≥ 1000 cycles or below 80 % of design capacity. */
export function batteryHealth(cycleCount: number, designed: number, max: number): string {
  if (designed <= 0 || max <= 0) return 'Unknown';
  return cycleCount >= 1000 || max / designed < 0.8 ? 'Service recommended' : 'Normal';
}

export function ingestBatteries(rows: readonly ResultRow[]): VitalsPiece {
  const batteries: HostBattery[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const serialNumber = text(row, 'serial_number');
    if (serialNumber === '' || seen.has(serialNumber)) continue;
    seen.add(serialNumber);
    const cycleCount = numberOf(row, 'cycle_count', true, LIMITS.int);
    batteries.push({ serialNumber, cycleCount, health: batteryHealth(cycleCount, numberOf(row, 'designed_capacity', false, LIMITS.bigint), numberOf(row, 'max_capacity', false, LIMITS.bigint)) });
  }
  return { batteries };
}

/**
 * Fleet's directIngestOrbitInfo (server/service/osquery_utils/queries.go): exactly one row, else the
 * answer is ignored; `version` as reported ('' when absent); desktop_version is NULL only when the
 * column is absent (an empty value is kept); scripts_enabled is true only for "1", NULL when absent.
 * The row goes to host_orbit_info (SetOrUpdateHostOrbitInfo), not to the hosts columns, so it does
 * not move detail_updated_at (a DirectIngestFunc). A version longer than the VARCHAR(50) columns is
 * refused (Fleet's upsert fails on it, and the error is logged).
 */
export const MAX_ORBIT_VERSION_LENGTH = 50;

export function ingestOrbitInfo(rows: readonly ResultRow[]): VitalsPiece {
  const row = single(rows);
  const cell = (column: string): string | undefined => {
    const value: unknown = row[column];
    if (value === undefined || value === null) return undefined;
    const text = String(value);
    if (column !== 'scripts_enabled' && text.length > MAX_ORBIT_VERSION_LENGTH) {
      throw new DetailIngestError(`${column}: longer than ${MAX_ORBIT_VERSION_LENGTH} characters`);
    }
    return text;
  };
  const desktopVersion = cell('desktop_version');
  const scriptsEnabled = cell('scripts_enabled');
  return {
    orbitInfo: {
      version: cell('version') ?? '',
      desktopVersion: desktopVersion ?? null,
      scriptsEnabled: scriptsEnabled === undefined ? null : scriptsEnabled === '1',
    },
  };
}

/** Adds one query's piece to the write's vitals: host columns merge, software lists add up, the rest replace. */
export function mergePiece(into: VitalsPiece, piece: VitalsPiece): void {
  if (piece.host) into.host = { ...into.host, ...piece.host };
  if (piece.diskSpace) into.diskSpace = piece.diskSpace;
  if (piece.users) into.users = piece.users;
  if (piece.software) into.software = [...(into.software ?? []), ...piece.software];
  if (piece.mdm) into.mdm = piece.mdm;
  if (piece.batteries) into.batteries = piece.batteries;
  if (piece.orbitInfo) into.orbitInfo = piece.orbitInfo;
}

export function isEmptyPiece(piece: VitalsPiece): boolean {
  return Object.values(piece).every((value) => value === undefined);
}
