/**
 * Host vitals in memory (the MySQL store's vitals.ts holds the same rows in Fleet's tables): host
 * columns, disk space, users, software shared between hosts, MDM, batteries and orbit info.
 */
import type { HostSoftware, HostVitals, HostVitalsColumns, HostVitalsReport, SoftwareItem, VitalsCounts } from '../types.js';
import { DEFAULT_VITALS_COLUMNS, bySoftwareName, lastOpenedMoved, restartMoved, uniqueSoftware } from '../vitals-rules.js';
import { updateHostDetails } from './hosts.js';
import { setHostOrbitInfo } from './orbit.js';
import type { HostVitalsState, MemoryState } from './state.js';

function vitalsOf(state: MemoryState, hostId: number): HostVitalsState {
  let vitals = state.vitals.get(hostId);
  if (!vitals) {
    vitals = { columns: {}, users: new Map(), software: new Map(), batteries: [] };
    state.vitals.set(hostId, vitals);
  }
  return vitals;
}

const CORE_KEYS = new Set([
  'platform', 'hostname', 'uuid', 'hardwareSerial', 'osVersion', 'osqueryVersion', 'uptimeSeconds', 'detailUpdatedAt',
  'refetchRequested', 'distributedInterval', 'loggerTlsPeriod', 'configTlsRefresh',
]);

/** Applies one write's vitals (called inside recordPolicyResults, so with the same all-or-nothing batch). Unknown host: nothing. */
export function recordHostVitals(state: MemoryState, hostId: number, report: HostVitalsReport, now: Date): void {
  if (!state.hosts.has(hostId)) return;
  const vitals = vitalsOf(state, hostId);
  if (report.host) {
    const core: Record<string, unknown> = {};
    const columns: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(report.host)) {
      if (value === undefined) continue;
      (CORE_KEYS.has(key) ? core : columns)[key] = value;
    }
    if (columns.lastRestartedAt instanceof Date && !restartMoved(vitals.columns.lastRestartedAt, columns.lastRestartedAt)) {
      delete columns.lastRestartedAt;
    }
    vitals.columns = { ...vitals.columns, ...(columns as HostVitalsColumns) };
    updateHostDetails(state, hostId, core);
  }
  if (report.diskSpace) vitals.diskSpace = report.diskSpace;
  if (report.users && report.users.length > 0) {
    const reported = new Set<string>();
    for (const user of report.users) {
      const key = `${user.uid}\u0000${user.username}`;
      reported.add(key);
      vitals.users.set(key, { user, removedAt: null });
    }
    for (const [key, entry] of vitals.users) if (!reported.has(key) && entry.removedAt === null) entry.removedAt = now;
  }
  if (report.software) recordSoftware(state, vitals, report.software);
  if (report.mdm) vitals.mdm = report.mdm;
  if (report.batteries) vitals.batteries = [...report.batteries];
  if (report.orbitInfo) setHostOrbitInfo(state, hostId, report.orbitInfo);
}

function recordSoftware(state: MemoryState, vitals: HostVitalsState, items: readonly SoftwareItem[]): void {
  const catalogue = state.software;
  const reported = new Map<number, Date | null>();
  for (const [checksum, item] of uniqueSoftware(items)) {
    let id = catalogue.byChecksum.get(checksum);
    if (id === undefined) {
      id = catalogue.nextId++;
      catalogue.byChecksum.set(checksum, id);
      catalogue.byId.set(id, { ...item, lastOpenedAt: null });
    }
    reported.set(id, item.lastOpenedAt);
  }
  for (const id of [...vitals.software.keys()]) if (!reported.has(id)) vitals.software.delete(id);
  for (const [id, opened] of reported) {
    if (!vitals.software.has(id)) vitals.software.set(id, opened);
    else if (lastOpenedMoved(vitals.software.get(id)!, opened)) vitals.software.set(id, opened);
  }
}

export function getHostVitals(state: MemoryState, hostId: number): HostVitals | undefined {
  if (!state.hosts.has(hostId)) return undefined;
  const vitals = state.vitals.get(hostId);
  if (!vitals) return { columns: { ...DEFAULT_VITALS_COLUMNS }, diskSpace: undefined, users: [], software: [], mdm: undefined, batteries: [] };
  const users = [...vitals.users.values()].filter((entry) => entry.removedAt === null).map((entry) => entry.user);
  users.sort((a, b) => a.uid - b.uid || a.username.localeCompare(b.username));
  const software: HostSoftware[] = [...vitals.software].map(([id, lastOpenedAt]) => ({ ...state.software.byId.get(id)!, id, lastOpenedAt }));
  software.sort(bySoftwareName);
  const batteries = [...vitals.batteries].sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
  return { columns: { ...DEFAULT_VITALS_COLUMNS, ...vitals.columns }, diskSpace: vitals.diskSpace, users, software, mdm: vitals.mdm, batteries };
}

export function countVitals(state: MemoryState): VitalsCounts {
  let hostSoftware = 0;
  let hostUsers = 0;
  let hostDisks = 0;
  let hostMdm = 0;
  let hostBatteries = 0;
  for (const vitals of state.vitals.values()) {
    hostSoftware += vitals.software.size;
    hostUsers += vitals.users.size;
    if (vitals.diskSpace) hostDisks++;
    if (vitals.mdm) hostMdm++;
    hostBatteries += vitals.batteries.length;
  }
  return { software: state.software.byId.size, hostSoftware, hostUsers, hostDisks, hostMdm, hostBatteries };
}
