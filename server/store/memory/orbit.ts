/** fleetd (orbit) and Fleet Desktop: orbit node keys on hosts and device auth tokens. */
import { osqsimError } from '../../../lib/errors.js';
import { LONG_AGO, unenrolledNodeKey } from '../common.js';
import type { DeviceAuthToken, Host, HostOrbitInfo, OrbitEnrollResult, OrbitHostIdentity } from '../types.js';
import { noteHostChanged } from './feed.js';
import { type MemoryState, assertTeam } from './state.js';

/** Fleet's EnrollOrbit (server/datastore/mysql/hosts.go): match by osquery_host_id, then uuid. */
export function enrollOrbit(
  state: MemoryState,
  identity: OrbitHostIdentity,
  orbitNodeKey: string,
  teamId: number | null,
  now: Date,
): OrbitEnrollResult {
  assertTeam(state, teamId);
  const osqueryHostId = identity.osqueryIdentifier || identity.hardwareUuid;
  let matchId = state.hostsByOsqueryId.get(osqueryHostId);
  if (matchId === undefined && identity.hardwareUuid !== '') {
    for (const host of state.hosts.values()) {
      if (host.uuid === identity.hardwareUuid) {
        matchId = host.id;
        break;
      }
    }
  }
  const keyOwner = state.hostsByOrbitKey.get(orbitNodeKey);
  if (keyOwner !== undefined && keyOwner !== matchId) throw osqsimError('STORE_CONFLICT', { what: 'orbit node key' });
  if (matchId !== undefined) {
    const old = state.hosts.get(matchId)!;
    const host: Host = {
      ...old,
      uuid: identity.hardwareUuid || old.uuid,
      hardwareSerial: identity.hardwareSerial || old.hardwareSerial,
      updatedAt: now,
    };
    state.hosts.set(host.id, host);
    setOrbitKey(state, host.id, orbitNodeKey);
    noteHostChanged(state, host.id);
    return { host, created: false };
  }
  const nodeKey = unenrolledNodeKey();
  const host: Host = {
    id: state.nextHostId++,
    osqueryHostId,
    nodeKey,
    teamId,
    platform: identity.platform,
    hostname: identity.hostname,
    uuid: identity.hardwareUuid,
    hardwareSerial: identity.hardwareSerial,
    osVersion: '',
    osqueryVersion: '',
    uptimeSeconds: 0,
    // Due everything once osquery checks in, as a host osquery enrolled (Fleet: 1970-01-02, refetch_requested = 1).
    detailUpdatedAt: LONG_AGO,
    policyUpdatedAt: LONG_AGO,
    refetchRequested: true,
    distributedInterval: 0,
    loggerTlsPeriod: 0,
    configTlsRefresh: 0,
    lastEnrolledAt: now,
    createdAt: now,
    updatedAt: now,
    seenTime: null,
  };
  state.hosts.set(host.id, host);
  state.hostsByNodeKey.set(nodeKey, host.id);
  state.hostsByOsqueryId.set(osqueryHostId, host.id);
  setOrbitKey(state, host.id, orbitNodeKey);
  noteHostChanged(state, host.id);
  return { host, created: true };
}

function setOrbitKey(state: MemoryState, hostId: number, orbitNodeKey: string): void {
  const previous = state.orbitKeyByHost.get(hostId);
  if (previous !== undefined) state.hostsByOrbitKey.delete(previous);
  state.orbitKeyByHost.set(hostId, orbitNodeKey);
  state.hostsByOrbitKey.set(orbitNodeKey, hostId);
}

export function getHostByOrbitNodeKey(state: MemoryState, orbitNodeKey: string): Host | undefined {
  const id = state.hostsByOrbitKey.get(orbitNodeKey);
  return id === undefined ? undefined : state.hosts.get(id);
}

export function setDeviceAuthToken(state: MemoryState, hostId: number, token: string, now: Date): Date {
  if (!state.hosts.has(hostId)) throw osqsimError('STORE_NOT_FOUND', { what: `host ${hostId}` });
  const owner = state.hostsByDeviceToken.get(token);
  if (owner !== undefined && owner !== hostId) throw osqsimError('STORE_CONFLICT', { what: 'device auth token' });
  const current = state.deviceTokenByHost.get(hostId);
  if (current?.token === token) return current.updatedAt; // ON DUPLICATE KEY UPDATE with the same token: updated_at stays.
  if (current !== undefined) state.hostsByDeviceToken.delete(current.token);
  state.deviceTokenByHost.set(hostId, { token, updatedAt: now });
  state.hostsByDeviceToken.set(token, hostId);
  noteHostChanged(state, hostId); // other instances' orbit auth caches drop the old token
  return now;
}

export function getDeviceAuthToken(state: MemoryState, token: string): DeviceAuthToken | undefined {
  const id = state.hostsByDeviceToken.get(token);
  const entry = id === undefined ? undefined : state.deviceTokenByHost.get(id);
  return id === undefined || entry === undefined || !state.hosts.has(id) ? undefined : { hostId: id, updatedAt: entry.updatedAt };
}

export function getHostByDeviceAuthToken(state: MemoryState, token: string, validSince: Date): Host | undefined {
  const id = state.hostsByDeviceToken.get(token);
  if (id === undefined) return undefined;
  const entry = state.deviceTokenByHost.get(id);
  if (entry === undefined || entry.updatedAt.getTime() < validSince.getTime()) return undefined;
  return state.hosts.get(id);
}

/** A deleted host's orbit node key and device token go with it (Fleet's DeleteHost, hostRefs). */
export function forgetOrbitHost(state: MemoryState, hostId: number): void {
  const orbitKey = state.orbitKeyByHost.get(hostId);
  if (orbitKey !== undefined) state.hostsByOrbitKey.delete(orbitKey);
  state.orbitKeyByHost.delete(hostId);
  const device = state.deviceTokenByHost.get(hostId);
  if (device !== undefined) state.hostsByDeviceToken.delete(device.token);
  state.deviceTokenByHost.delete(hostId);
  state.orbitInfo.delete(hostId);
}

export function setHostOrbitInfo(state: MemoryState, hostId: number, info: HostOrbitInfo): void {
  if (!state.hosts.has(hostId)) return;
  state.orbitInfo.set(hostId, { version: info.version, desktopVersion: info.desktopVersion, scriptsEnabled: info.scriptsEnabled });
}

export function getHostOrbitInfo(state: MemoryState, hostId: number): HostOrbitInfo | undefined {
  return state.orbitInfo.get(hostId);
}
