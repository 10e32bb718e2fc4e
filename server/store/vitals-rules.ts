/**
 * The host-vitals write rules both stores share (Fleet: server/datastore/mysql/software.go,
 * hosts.go SaveHostUsers, host_batteries; reference fleet-host-vitals.md §1.3, §1.7).
 */
import { createHash } from 'node:crypto';
import type { HostSoftware, SoftwareItem } from './types.js';

/**
 * A software row's identity: MD5 over name, version, source, bundle identifier, release, arch,
 * vendor, extension_for and extension_id (Fleet's software.checksum, UNIQUE). Hosts that report the
 * same identity share one software row.
 */
export function softwareChecksum(item: SoftwareItem): string {
  return createHash('md5')
    .update([item.name, item.version, item.source, item.bundleIdentifier, item.release, item.arch, item.vendor, item.extensionFor, item.extensionId].join('\u0000'))
    .digest('hex');
}

/** Fleet's osquery.min_software_last_opened_at_diff default: a later last_opened_at is stored only when it moved this much. */
export const MIN_LAST_OPENED_AT_DIFF_MS = 60 * 60 * 1000;

/** Whether a reported last_opened_at replaces the stored one. */
export function lastOpenedMoved(stored: Date | null, reported: Date | null): boolean {
  if (reported === null) return false;
  if (stored === null) return true;
  return reported.getTime() - stored.getTime() >= MIN_LAST_OPENED_AT_DIFF_MS;
}

/** Fleet keeps last_restarted_at unless the new value moved by more than 30 s (uptime jitter). */
export const RESTART_MOVE_MS = 30_000;

export function restartMoved(stored: Date | null | undefined, reported: Date): boolean {
  return stored == null || Math.abs(reported.getTime() - stored.getTime()) > RESTART_MOVE_MS;
}

/** Reported software deduplicated by identity (a host listing an item twice keeps the later row). */
export function uniqueSoftware(items: readonly SoftwareItem[]): Map<string, SoftwareItem> {
  const out = new Map<string, SoftwareItem>();
  for (const item of items) out.set(softwareChecksum(item), item);
  return out;
}

/** The host columns of a host no detail query has reported yet (the MySQL column defaults). */
export const DEFAULT_VITALS_COLUMNS = {
  platformLike: '', codeName: '', build: '', memory: 0, cpuType: '', cpuSubtype: '', cpuBrand: '', cpuPhysicalCores: 0, cpuLogicalCores: 0,
  hardwareVendor: '', hardwareModel: '', hardwareVersion: '', computerName: '', primaryIp: '', primaryMac: '', publicIp: '',
} as const;

/** The order both stores list a host's software in: name, version, source (code-point order), id. */
export function bySoftwareName(a: HostSoftware, b: HostSoftware): number {
  return cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.source, b.source) || a.id - b.id;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
