/** fleetd (orbit) and Fleet Desktop: hosts.orbit_node_key and host_device_auth. */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { fleetPlatformOf } from '../../../contract/platforms.js';
import { LONG_AGO, unenrolledNodeKey } from '../common.js';
import type { DeviceAuthToken, Host, HostOrbitInfo, OrbitEnrollResult, OrbitHostIdentity } from '../types.js';
import { type Db, run } from './db.js';
import { isDuplicate } from './errors.js';
import { HOST_SELECT, type HostRow, toHost } from './hosts.js';
import { assertTeam, tx } from './tx.js';

/** Fleet's EnrollOrbit (server/datastore/mysql/hosts.go), in one transaction. */
export async function enrollOrbit(
  db: Db,
  identity: OrbitHostIdentity,
  orbitNodeKey: string,
  teamId: number | null,
  now: Date,
): Promise<OrbitEnrollResult> {
  return run(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await tx(db.pool, (c) => enrollOrbitTx(c, identity, orbitNodeKey, teamId, now));
      } catch (err) {
        // Two enrolls of a new host raced: the loser matches the winner's row.
        if (attempt === 1 && isDuplicate(err, 'idx_osquery_host_id')) continue;
        if (isDuplicate(err, 'idx_hosts_unique_orbit_node_key')) throw osqsimError('STORE_CONFLICT', { what: 'orbit node key' });
        throw err;
      }
    }
  });
}

async function enrollOrbitTx(
  c: PoolConnection,
  identity: OrbitHostIdentity,
  orbitNodeKey: string,
  teamId: number | null,
  now: Date,
): Promise<OrbitEnrollResult> {
  await assertTeam(c, teamId);
  const osqueryHostId = identity.osqueryIdentifier || identity.hardwareUuid;
  // Fleet's matchHostDuringEnrollment: osquery_host_id first, then uuid.
  let [found] = await c.query<RowDataPacket[]>('SELECT id FROM hosts WHERE osquery_host_id = ? FOR UPDATE', [osqueryHostId]);
  if (found.length === 0 && identity.hardwareUuid !== '') {
    [found] = await c.query<RowDataPacket[]>('SELECT id FROM hosts WHERE uuid = ? ORDER BY id LIMIT 1 FOR UPDATE', [
      identity.hardwareUuid,
    ]);
  }
  let hostId: number;
  const match = found[0];
  if (match) {
    hostId = Number(match.id);
    const fields: Record<string, unknown> = { orbit_node_key: orbitNodeKey, updated_at: now };
    if (identity.hardwareUuid !== '') fields['uuid'] = identity.hardwareUuid;
    if (identity.hardwareSerial !== '') fields['hardware_serial'] = identity.hardwareSerial;
    await c.query('UPDATE hosts SET ? WHERE id = ?', [fields, hostId]);
  } else {
    const [result] = await c.query<ResultSetHeader>('INSERT INTO hosts SET ?', [
      {
        osquery_host_id: osqueryHostId,
        node_key: unenrolledNodeKey(),
        orbit_node_key: orbitNodeKey,
        team_id: teamId,
        platform: identity.platform,
        fleet_platform: fleetPlatformOf(identity.platform),
        hostname: identity.hostname,
        uuid: identity.hardwareUuid,
        hardware_serial: identity.hardwareSerial,
        // Due everything once osquery checks in (Fleet: placeholder timestamps, refetch_requested = 1).
        detail_updated_at: LONG_AGO,
        policy_updated_at: LONG_AGO,
        refetch_requested: 1,
        last_enrolled_at: now,
        created_at: now,
        updated_at: now,
      },
    ]);
    hostId = result.insertId;
  }
  const [rows] = await c.query<HostRow[]>(`${HOST_SELECT} WHERE h.id = ?`, [hostId]);
  return { host: toHost(rows[0]!), created: match === undefined };
}

/** Fleet's LoadHostByOrbitNodeKey. */
export async function getHostByOrbitNodeKey(db: Db, orbitNodeKey: string): Promise<Host | undefined> {
  return run(async () => {
    const [rows] = await db.pool.execute<HostRow[]>(`${HOST_SELECT} WHERE h.orbit_node_key = ?`, [orbitNodeKey]);
    return rows[0] && toHost(rows[0]);
  });
}

/**
 * Fleet's SetOrUpdateDeviceAuthToken (server/datastore/mysql/hosts.go): INSERT … ON DUPLICATE KEY
 * UPDATE keyed by host; updated_at is assigned before token so it compares against the old token.
 */
export async function setDeviceAuthToken(db: Db, hostId: number, token: string, now: Date): Promise<Date> {
  return run(async () => {
    try {
      return await tx(db.pool, async (c) => {
        const [host] = await c.query<RowDataPacket[]>('SELECT id FROM hosts WHERE id = ?', [hostId]);
        if (host.length === 0) throw osqsimError('STORE_NOT_FOUND', { what: `host ${hostId}` });
        // ON DUPLICATE KEY UPDATE fires on the token key too (it would rewrite the other host's row):
        // a token held by another host is refused first, as Fleet's ConflictError.
        const [owner] = await c.query<RowDataPacket[]>('SELECT host_id, updated_at FROM host_device_auth WHERE token = ? FOR UPDATE', [token]);
        if (owner[0] && Number(owner[0].host_id) !== hostId) throw osqsimError('STORE_CONFLICT', { what: 'device auth token' });
        if (owner[0]) return new Date(owner[0].updated_at as Date); // the host's token already: Fleet's upsert changes nothing (updated_at stays)
        await c.query(
          `INSERT INTO host_device_auth (host_id, token, created_at, updated_at) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE updated_at = IF(token = VALUES(token), updated_at, VALUES(updated_at)), token = VALUES(token)`,
          [hostId, token, now, now],
        );
        // A new token is a change of the host for the change feed: other instances drop the old one.
        await c.query('UPDATE hosts SET changed_at = CURRENT_TIMESTAMP(3) WHERE id = ?', [hostId]);
        return now;
      });
    } catch (err) {
      if (isDuplicate(err, 'idx_host_device_auth_token')) throw osqsimError('STORE_CONFLICT', { what: 'device auth token' });
      throw err;
    }
  });
}

/** The token's host and time, whatever its age (Store.getDeviceAuthToken). */
export async function getDeviceAuthToken(db: Db, token: string): Promise<DeviceAuthToken | undefined> {
  return run(async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT hda.host_id, hda.updated_at FROM host_device_auth hda JOIN hosts h ON h.id = hda.host_id WHERE hda.token = ?',
      [token],
    );
    const row = rows[0];
    return row === undefined ? undefined : { hostId: Number(row.host_id), updatedAt: new Date(row.updated_at as Date) };
  });
}

/** Fleet's LoadHostByDeviceAuthToken: joins host_device_auth with hosts, tokens set since validSince. */
export async function getHostByDeviceAuthToken(db: Db, token: string, validSince: Date): Promise<Host | undefined> {
  return run(async () => {
    const [rows] = await db.pool.query<HostRow[]>(
      `${HOST_SELECT} JOIN host_device_auth hda ON hda.host_id = h.id WHERE hda.token = ? AND hda.updated_at >= ?`,
      [token, validSince],
    );
    return rows[0] && toHost(rows[0]);
  });
}

/** Fleet's SetOrUpdateHostOrbitInfo: one upsert; a host id that does not exist writes nothing. */
export async function setHostOrbitInfo(db: Db, hostId: number, info: HostOrbitInfo, now: Date): Promise<void> {
  return run(async () => {
    await db.pool.query(
      `INSERT INTO host_orbit_info (host_id, version, desktop_version, scripts_enabled, created_at, updated_at)
       SELECT id, ?, ?, ?, ?, ? FROM hosts WHERE id = ?
       ON DUPLICATE KEY UPDATE version = VALUES(version), desktop_version = VALUES(desktop_version),
         scripts_enabled = VALUES(scripts_enabled), updated_at = VALUES(updated_at)`,
      [info.version, info.desktopVersion, info.scriptsEnabled === null ? null : info.scriptsEnabled ? 1 : 0, now, now, hostId],
    );
  });
}

export async function getHostOrbitInfo(db: Db, hostId: number): Promise<HostOrbitInfo | undefined> {
  return run(async () => {
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT version, desktop_version, scripts_enabled FROM host_orbit_info WHERE host_id = ?',
      [hostId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      version: String(row.version),
      desktopVersion: row.desktop_version === null ? null : String(row.desktop_version),
      scriptsEnabled: row.scripts_enabled === null ? null : Number(row.scripts_enabled) === 1,
    };
  });
}
