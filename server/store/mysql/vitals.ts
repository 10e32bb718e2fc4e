/**
 * Host vitals in Fleet's tables (reference fleet-host-vitals.md §1.3, §1.7): hosts columns,
 * host_disks, host_users, software + host_software (software rows shared between hosts, unique by
 * checksum), host_mdm, host_batteries, host_orbit_info. The writes travel in the ingest batch's transaction
 * (membership.ts recordPolicyResults): `vitalsPreRead` reads, without locks, what the diffs need
 * (the hosts' current software and batteries, which software rows exist), then `vitalsStatements`
 * returns the batch's statements. As in Fleet, an unchanged software list or battery list writes
 * nothing (software.go: "nothing changed" check), users are upserted and those no longer reported
 * get removed_at.
 */
import mysql, { type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { fleetPlatformOf } from '../../../contract/platforms.js';
import type { HostBattery, HostDetailsPatch, HostPolicyResults, HostSoftware, HostVitals, HostVitalsColumns, SoftwareItem, VitalsCounts } from '../types.js';
import { MIN_LAST_OPENED_AT_DIFF_MS, RESTART_MOVE_MS, bySoftwareName, uniqueSoftware } from '../vitals-rules.js';
import { type Db, readRows, run } from './db.js';
import { BULK_ROWS, chunks, sqlDatetime } from './sql.js';
import { HOST_PATCH_COLUMNS } from './host-columns.js';

/** hosts columns of HostDetailsPatch & HostVitalsColumns. */
const HOST_COLUMNS: Record<keyof (HostDetailsPatch & HostVitalsColumns), string> = {
  ...HOST_PATCH_COLUMNS,
  platformLike: 'platform_like',
  codeName: 'code_name',
  build: 'build',
  memory: 'memory',
  cpuType: 'cpu_type',
  cpuSubtype: 'cpu_subtype',
  cpuBrand: 'cpu_brand',
  cpuPhysicalCores: 'cpu_physical_cores',
  cpuLogicalCores: 'cpu_logical_cores',
  hardwareVendor: 'hardware_vendor',
  hardwareModel: 'hardware_model',
  hardwareVersion: 'hardware_version',
  computerName: 'computer_name',
  primaryIp: 'primary_ip',
  primaryMac: 'primary_mac',
  publicIp: 'public_ip',
  lastRestartedAt: 'last_restarted_at',
};

/** The migration-9 columns of hosts, as they are read back. */
const VITALS_COLUMNS: ReadonlyArray<keyof HostVitalsColumns> = [
  'platformLike', 'codeName', 'build', 'memory', 'cpuType', 'cpuSubtype', 'cpuBrand', 'cpuPhysicalCores', 'cpuLogicalCores',
  'hardwareVendor', 'hardwareModel', 'hardwareVersion', 'computerName', 'primaryIp', 'primaryMac', 'publicIp', 'lastRestartedAt',
];

function value(v: unknown): string {
  if (v instanceof Date) return `'${sqlDatetime(v)}'`;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v === null || v === undefined) return 'NULL';
  return mysql.escape(v as string | number);
}

function hex(checksum: string): string {
  return `UNHEX('${checksum}')`;
}

/** What the diffs need to know, read before the batch's transaction. */
export interface VitalsPreRead {
  /** host id → checksum → { software id, last_opened_at }. */
  readonly software: Map<number, Map<string, { id: number; lastOpenedAt: Date | null }>>;
  /** Checksums of software rows that exist. */
  readonly knownSoftware: Set<string>;
  /** host id → its stored batteries, as "serial\0cycles\0health" keys. */
  readonly batteries: Map<number, Set<string>>;
  /** The batch's hosts with vitals that exist (vitals of an unknown host are not stored). */
  readonly hosts: Set<number>;
  /** SELECTs the pre-read sent (for the statements metric). */
  readonly statements: number;
}

const batteryKey = (b: HostBattery): string => `${b.serialNumber}\u0000${b.cycleCount}\u0000${b.health}`;

export async function vitalsPreRead(conn: PoolConnection, batch: readonly HostPolicyResults[]): Promise<VitalsPreRead | undefined> {
  const vitalsHosts = [...new Set(batch.filter((e) => e.vitals).map((e) => e.hostId))].sort((a, b) => a - b);
  if (vitalsHosts.length === 0) return undefined;
  const softwareHosts = [...new Set(batch.filter((e) => e.vitals?.software).map((e) => e.hostId))].sort((a, b) => a - b);
  const batteryHosts = [...new Set(batch.filter((e) => e.vitals?.batteries).map((e) => e.hostId))].sort((a, b) => a - b);
  const reported = new Set<string>();
  for (const entry of batch) for (const checksum of uniqueSoftware(entry.vitals?.software ?? []).keys()) reported.add(checksum);
  const pre: { -readonly [K in keyof VitalsPreRead]: VitalsPreRead[K] } = { software: new Map(), knownSoftware: new Set(), batteries: new Map(), hosts: new Set(), statements: 0 };
  for (const id of softwareHosts) pre.software.set(id, new Map());
  for (const id of batteryHosts) pre.batteries.set(id, new Set());
  const queries: string[] = [`SELECT id FROM hosts WHERE id IN (${vitalsHosts.join(',')})`];
  if (softwareHosts.length > 0) {
    queries.push(`SELECT hs.host_id, LOWER(HEX(s.checksum)) AS checksum, hs.software_id, hs.last_opened_at
      FROM host_software hs JOIN software s ON s.id = hs.software_id WHERE hs.host_id IN (${softwareHosts.join(',')})`);
  }
  const checksums = [...reported].sort();
  for (const chunk of chunks(checksums, BULK_ROWS)) {
    queries.push(`SELECT LOWER(HEX(checksum)) AS checksum FROM software WHERE checksum IN (${chunk.map(hex).join(',')})`);
  }
  if (batteryHosts.length > 0) {
    queries.push(`SELECT host_id, serial_number, cycle_count, health FROM host_batteries WHERE host_id IN (${batteryHosts.join(',')})`);
  }
  pre.statements = queries.length;
  const [results] = await conn.query<RowDataPacket[][]>(queries.join(';\n'));
  const sets = (queries.length === 1 ? [results] : results) as unknown as RowDataPacket[][];
  let i = 0;
  for (const r of sets[i++]!) pre.hosts.add(Number(r.id));
  if (softwareHosts.length > 0) {
    for (const r of sets[i++]!) {
      pre.software.get(Number(r.host_id))!.set(String(r.checksum), { id: Number(r.software_id), lastOpenedAt: (r.last_opened_at as Date | null) ?? null });
      pre.knownSoftware.add(String(r.checksum));
    }
  }
  for (const _ of chunks(checksums, BULK_ROWS)) for (const r of sets[i++]!) pre.knownSoftware.add(String(r.checksum));
  if (batteryHosts.length > 0) {
    for (const r of sets[i++]!) {
      pre.batteries.get(Number(r.host_id))!.add(batteryKey({ serialNumber: String(r.serial_number), cycleCount: Number(r.cycle_count), health: String(r.health) }));
    }
  }
  return pre;
}

export interface VitalsStatements {
  /** UPDATE hosts …: sent right after the batch's own hosts UPDATE (hosts rows are locked first). */
  readonly hostUpdates: string[];
  /** Everything else, after the membership statements. */
  readonly rest: string[];
}

/** The batch's vitals statements, in host order; entries of one host apply in arrival order. */
export function vitalsStatements(batch: readonly HostPolicyResults[], pre: VitalsPreRead | undefined): VitalsStatements {
  const hostUpdates: string[] = [];
  const rest: string[] = [];
  const disks: string[] = [];
  const mdm: string[] = [];
  const users: string[] = [];
  const userCleanups: string[] = [];
  const newSoftware = new Map<string, SoftwareItem>();
  const softwareWrites: string[] = [];
  const batteryWrites: string[] = [];
  const orbitInfo: string[] = [];
  const entries = batch.filter((e) => e.vitals !== undefined).map((e, order) => ({ e, order }));
  entries.sort((a, b) => a.e.hostId - b.e.hostId || a.order - b.order);
  for (const { e } of entries) {
    if (!pre?.hosts.has(e.hostId)) continue;
    const v = e.vitals!;
    const hostId = e.hostId;
    const at = `'${sqlDatetime(e.reportedAt)}'`;
    if (v.host) hostUpdates.push(hostUpdateSql(hostId, v.host, e.reportedAt));
    if (v.diskSpace) {
      const d = v.diskSpace;
      disks.push(`(${hostId},${value(d.gigsAvailable)},${value(d.percentAvailable)},${value(d.gigsTotal)},${value(d.gigsAll)},${at},${at})`);
    }
    if (v.mdm) {
      const m = v.mdm;
      mdm.push(`(${hostId},${value(m.enrolled)},${value(m.serverUrl)},${value(m.installedFromDep)},${value(m.isServer)},${value(m.name)},${at})`);
    }
    if (v.users && v.users.length > 0) {
      for (const u of v.users) users.push(`(${hostId},${value(u.uid)},${value(u.username)},${value(u.groupname)},${value(u.type)},${value(u.shell)})`);
      userCleanups.push(
        `UPDATE host_users SET removed_at = ${at} WHERE host_id = ${hostId} AND removed_at IS NULL AND (uid, username) NOT IN (${v.users
          .map((u) => `(${value(u.uid)},${value(u.username)})`)
          .join(',')})`,
      );
    }
    if (v.software) softwareWrites.push(...softwareSql(hostId, v.software, pre, newSoftware));
    if (v.batteries) batteryWrites.push(...batterySql(hostId, v.batteries, pre, at));
    if (v.orbitInfo) {
      const o = v.orbitInfo;
      orbitInfo.push(`(${hostId},${value(o.version)},${value(o.desktopVersion)},${value(o.scriptsEnabled)},${at},${at})`);
    }
  }
  // Shared software rows first, in checksum order (concurrent batches take the unique index in one order).
  const inserts = [...newSoftware].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const chunk of chunks(inserts, BULK_ROWS)) {
    rest.push(
      `INSERT IGNORE INTO software (checksum, name, version, source, bundle_identifier, \`release\`, arch, vendor, extension_id, extension_for) VALUES ${chunk
        .map(([checksum, s]) => `(${hex(checksum)},${[s.name, s.version, s.source, s.bundleIdentifier, s.release, s.arch, s.vendor, s.extensionId, s.extensionFor].map(value).join(',')})`)
        .join(',')}`,
    );
  }
  rest.push(...softwareWrites);
  for (const chunk of chunks(disks, BULK_ROWS)) {
    rest.push(`INSERT INTO host_disks (host_id, gigs_disk_space_available, percent_disk_space_available, gigs_total_disk_space, gigs_all_disk_space, created_at, updated_at)
      VALUES ${chunk.join(',')} ON DUPLICATE KEY UPDATE gigs_disk_space_available = VALUES(gigs_disk_space_available),
      percent_disk_space_available = VALUES(percent_disk_space_available), gigs_total_disk_space = VALUES(gigs_total_disk_space),
      gigs_all_disk_space = VALUES(gigs_all_disk_space), updated_at = VALUES(updated_at)`);
  }
  for (const chunk of chunks(users, BULK_ROWS)) {
    rest.push(`INSERT INTO host_users (host_id, uid, username, groupname, user_type, shell) VALUES ${chunk.join(',')}
      ON DUPLICATE KEY UPDATE groupname = VALUES(groupname), user_type = VALUES(user_type), shell = VALUES(shell), removed_at = NULL`);
  }
  rest.push(...userCleanups);
  for (const chunk of chunks(mdm, BULK_ROWS)) {
    rest.push(`INSERT INTO host_mdm (host_id, enrolled, server_url, installed_from_dep, is_server, name, updated_at) VALUES ${chunk.join(',')}
      ON DUPLICATE KEY UPDATE enrolled = VALUES(enrolled), server_url = VALUES(server_url), installed_from_dep = VALUES(installed_from_dep),
      is_server = VALUES(is_server), name = VALUES(name), updated_at = VALUES(updated_at)`);
  }
  rest.push(...batteryWrites);
  // Fleet's SetOrUpdateHostOrbitInfo (server/datastore/mysql/hosts.go): one upsert per host.
  for (const chunk of chunks(orbitInfo, BULK_ROWS)) {
    rest.push(`INSERT INTO host_orbit_info (host_id, version, desktop_version, scripts_enabled, created_at, updated_at) VALUES ${chunk.join(',')}
      ON DUPLICATE KEY UPDATE version = VALUES(version), desktop_version = VALUES(desktop_version),
      scripts_enabled = VALUES(scripts_enabled), updated_at = VALUES(updated_at)`);
  }
  return { hostUpdates, rest };
}

function hostUpdateSql(hostId: number, patch: HostDetailsPatch & HostVitalsColumns, at: Date): string {
  const sets: string[] = [];
  for (const [key, column] of Object.entries(HOST_COLUMNS) as Array<[keyof typeof HOST_COLUMNS, string]>) {
    const v = patch[key];
    if (v === undefined || key === 'lastRestartedAt') continue;
    sets.push(`${column} = ${value(v)}`);
  }
  if (patch.platform !== undefined) sets.push(`fleet_platform = ${value(fleetPlatformOf(patch.platform))}`);
  if (patch.lastRestartedAt !== undefined) {
    // Moved only by more than 30 s (uptime is reported in whole seconds, at a jittered time).
    const t = value(patch.lastRestartedAt);
    sets.push(`last_restarted_at = IF(last_restarted_at IS NULL OR ABS(TIMESTAMPDIFF(MICROSECOND, last_restarted_at, ${t})) > ${RESTART_MOVE_MS * 1000}, ${t}, last_restarted_at)`);
  }
  sets.push(`updated_at = '${sqlDatetime(at)}'`);
  return `UPDATE hosts SET ${sets.join(', ')} WHERE id = ${hostId}`;
}

/** Fleet's software diff: nothing when the set is the same and no last_opened_at moved ≥ 1 h. */
function softwareSql(
  hostId: number,
  items: readonly SoftwareItem[],
  pre: VitalsPreRead,
  newSoftware: Map<string, SoftwareItem>,
): string[] {
  const current = pre.software.get(hostId) ?? new Map<string, { id: number; lastOpenedAt: Date | null }>();
  const reported = uniqueSoftware(items);
  const removed = [...current].filter(([checksum]) => !reported.has(checksum)).map(([, row]) => row.id).sort((a, b) => a - b);
  const added = [...reported].filter(([checksum]) => !current.has(checksum));
  const moved = [...reported].filter(([checksum, item]) => {
    const row = current.get(checksum);
    return row !== undefined && item.lastOpenedAt !== null && (row.lastOpenedAt === null || item.lastOpenedAt.getTime() - row.lastOpenedAt.getTime() >= MIN_LAST_OPENED_AT_DIFF_MS);
  });
  const out: string[] = [];
  for (const chunk of chunks(removed.filter((id) => id !== 0), BULK_ROWS)) {
    out.push(`DELETE FROM host_software WHERE host_id = ${hostId} AND software_id IN (${chunk.join(',')})`);
  }
  // Added by an earlier entry of this host in the same batch (id not known yet): by checksum.
  const removedNew = [...current].filter(([checksum, row]) => row.id === 0 && !reported.has(checksum)).map(([checksum]) => hex(checksum));
  if (removedNew.length > 0) {
    out.push(`DELETE hs FROM host_software hs JOIN software s ON s.id = hs.software_id WHERE hs.host_id = ${hostId} AND s.checksum IN (${removedNew.join(',')})`);
  }
  for (const [checksum, item] of added) if (!pre.knownSoftware.has(checksum)) newSoftware.set(checksum, item);
  for (const chunk of chunks(added, BULK_ROWS)) {
    const opened = chunk.filter(([, item]) => item.lastOpenedAt !== null);
    const openedSql = opened.length === 0 ? 'NULL' : `CASE s.checksum ${opened.map(([c, item]) => `WHEN ${hex(c)} THEN ${value(item.lastOpenedAt)}`).join(' ')} END`;
    out.push(`INSERT IGNORE INTO host_software (host_id, software_id, last_opened_at) SELECT ${hostId}, s.id, ${openedSql} FROM software s WHERE s.checksum IN (${chunk.map(([c]) => hex(c)).join(',')})`);
  }
  for (const chunk of chunks(moved, BULK_ROWS)) {
    out.push(`UPDATE host_software SET last_opened_at = CASE software_id ${chunk
      .map(([c, item]) => `WHEN ${current.get(c)!.id} THEN ${value(item.lastOpenedAt)}`)
      .join(' ')} END WHERE host_id = ${hostId} AND software_id IN (${chunk.map(([c]) => current.get(c)!.id).join(',')})`);
  }
  // A later entry of the same host in this batch diffs against this one. New software ids are not
  // known yet: such an entry re-adds them with INSERT IGNORE, which is harmless.
  const next = new Map<string, { id: number; lastOpenedAt: Date | null }>();
  for (const [checksum, item] of reported) next.set(checksum, current.get(checksum) ?? { id: 0, lastOpenedAt: item.lastOpenedAt });
  pre.software.set(hostId, next);
  for (const [checksum] of added) pre.knownSoftware.add(checksum);
  return out;
}

function batterySql(hostId: number, batteries: readonly HostBattery[], pre: VitalsPreRead, at: string): string[] {
  const stored = pre.batteries.get(hostId) ?? new Set<string>();
  const reported = new Set(batteries.map(batteryKey));
  if (stored.size === reported.size && [...reported].every((key) => stored.has(key))) return [];
  pre.batteries.set(hostId, reported);
  const out = [
    batteries.length === 0
      ? `DELETE FROM host_batteries WHERE host_id = ${hostId}`
      : `DELETE FROM host_batteries WHERE host_id = ${hostId} AND serial_number NOT IN (${batteries.map((b) => value(b.serialNumber)).join(',')})`,
  ];
  if (batteries.length > 0) {
    out.push(`INSERT INTO host_batteries (host_id, serial_number, cycle_count, health, created_at, updated_at) VALUES ${batteries
      .map((b) => `(${hostId},${value(b.serialNumber)},${value(b.cycleCount)},${value(b.health)},${at},${at})`)
      .join(',')} ON DUPLICATE KEY UPDATE cycle_count = VALUES(cycle_count), health = VALUES(health), updated_at = VALUES(updated_at)`);
  }
  return out;
}

/** Rows of a deleted host (Fleet's hostRefs), inside deleteHost's transaction. */
export const DELETE_HOST_VITALS: readonly string[] = ['host_disks', 'host_users', 'host_software', 'host_mdm', 'host_batteries'].map(
  (table) => `DELETE FROM ${table} WHERE host_id = ?`,
);

function columnName(key: keyof HostVitalsColumns): string {
  return HOST_COLUMNS[key];
}

export async function getHostVitals(db: Db, hostId: number): Promise<HostVitals | undefined> {
  return run(async () => {
    const [results] = await db.pool.query<RowDataPacket[][]>(
      `SELECT ${VITALS_COLUMNS.map(columnName).join(', ')} FROM hosts WHERE id = ?;
       SELECT gigs_disk_space_available, percent_disk_space_available, gigs_total_disk_space, gigs_all_disk_space FROM host_disks WHERE host_id = ?;
       SELECT uid, username, user_type, groupname, shell FROM host_users WHERE host_id = ? AND removed_at IS NULL ORDER BY uid, username;
       SELECT s.id, s.name, s.version, s.source, s.bundle_identifier, s.\`release\`, s.arch, s.vendor, s.extension_id, s.extension_for, hs.last_opened_at
         FROM host_software hs JOIN software s ON s.id = hs.software_id WHERE hs.host_id = ?;
       SELECT enrolled, server_url, installed_from_dep, is_server, name FROM host_mdm WHERE host_id = ?;
       SELECT serial_number, cycle_count, health FROM host_batteries WHERE host_id = ? ORDER BY serial_number`,
      [hostId, hostId, hostId, hostId, hostId, hostId],
    );
    const [hostRows, diskRows, userRows, softwareRows, mdmRows, batteryRows] = results as unknown as RowDataPacket[][];
    const host = hostRows![0];
    if (!host) return undefined;
    const columns: Record<string, unknown> = {};
    for (const key of VITALS_COLUMNS) {
      const v = host[columnName(key)];
      if (v === null || v === undefined) continue;
      columns[key] = key === 'memory' || key === 'cpuPhysicalCores' || key === 'cpuLogicalCores' ? Number(v) : v;
    }
    const disk = diskRows![0];
    const mdm = mdmRows![0];
    const software: HostSoftware[] = softwareRows!.map((r) => ({
      id: Number(r.id), name: r.name, version: r.version, source: r.source, bundleIdentifier: r.bundle_identifier, release: r.release,
      arch: r.arch, vendor: r.vendor, extensionId: r.extension_id, extensionFor: r.extension_for, lastOpenedAt: (r.last_opened_at as Date | null) ?? null,
    }));
    software.sort(bySoftwareName);
    return {
      columns: columns as HostVitalsColumns,
      diskSpace: disk
        ? {
            gigsAvailable: Number(disk.gigs_disk_space_available),
            percentAvailable: Number(disk.percent_disk_space_available),
            gigsTotal: Number(disk.gigs_total_disk_space),
            gigsAll: disk.gigs_all_disk_space === null ? null : Number(disk.gigs_all_disk_space),
          }
        : undefined,
      users: userRows!.map((r) => ({ uid: Number(r.uid), username: r.username, type: r.user_type, groupname: r.groupname, shell: r.shell })),
      software,
      mdm: mdm
        ? { enrolled: mdm.enrolled === 1, serverUrl: mdm.server_url, installedFromDep: mdm.installed_from_dep === 1, isServer: mdm.is_server === null ? null : mdm.is_server === 1, name: mdm.name }
        : undefined,
      batteries: batteryRows!.map((r) => ({ serialNumber: r.serial_number, cycleCount: Number(r.cycle_count), health: r.health })),
    };
  });
}

export async function countVitals(db: Db): Promise<VitalsCounts> {
  return run(async () => {
    const rows = await readRows(
      db,
      `SELECT (SELECT COUNT(*) FROM software) AS software, (SELECT COUNT(*) FROM host_software) AS host_software,
        (SELECT COUNT(*) FROM host_users) AS host_users, (SELECT COUNT(*) FROM host_disks) AS host_disks,
        (SELECT COUNT(*) FROM host_mdm) AS host_mdm, (SELECT COUNT(*) FROM host_batteries) AS host_batteries`,
    );
    const r = rows[0]!;
    return {
      software: Number(r.software), hostSoftware: Number(r.host_software), hostUsers: Number(r.host_users),
      hostDisks: Number(r.host_disks), hostMdm: Number(r.host_mdm), hostBatteries: Number(r.host_batteries),
    };
  });
}
