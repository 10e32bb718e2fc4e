/**
 * Hosts (Fleet: server/datastore/mysql/hosts.go): enroll, reads, detail updates, team moves,
 * deletes and the batched last-seen upsert. Every writer of a host's membership rows locks the
 * hosts row first.
 */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { fleetPlatformOf } from '../../../contract/platforms.js';
import { LONG_AGO } from '../common.js';
import type { EnrollResult } from '../store.js';
import type { Host, HostDetailsPatch, HostIdentity, HostListFilter, MembershipChange } from '../types.js';
import { type Db, exec, readRows, run } from './db.js';
import { isDuplicate } from './errors.js';
import { BULK_ROWS, type CellRow, chunks, ids, sqlDatetime, toPasses } from './sql.js';
import { deleteHostQueryResultsTx } from './queries.js';
import { cellKeysCondition, cellsOfRows } from './cell-keys.js';
import { assertTeam, tx } from './tx.js';
import { DELETE_HOST_VITALS } from './vitals.js';
import { HOST_PATCH_COLUMNS } from './host-columns.js';

const HOST_COLUMNS = `h.id, h.osquery_host_id, h.node_key, h.team_id, h.platform, h.hostname, h.uuid,
  h.hardware_serial, h.os_version, h.osquery_version, h.uptime_seconds, h.detail_updated_at, h.policy_updated_at, h.label_updated_at,
  h.refetch_requested, h.distributed_interval, h.logger_tls_period, h.config_tls_refresh, h.last_enrolled_at,
  h.created_at, h.updated_at, s.seen_time`;
const HOST_FROM = 'FROM hosts h LEFT JOIN host_seen_times s ON s.host_id = h.id';
export const HOST_SELECT = `SELECT ${HOST_COLUMNS} ${HOST_FROM}`;

export interface HostRow extends RowDataPacket {
  id: number;
  osquery_host_id: string;
  node_key: string;
  team_id: number | null;
  platform: string;
  hostname: string;
  uuid: string;
  hardware_serial: string;
  os_version: string;
  osquery_version: string;
  uptime_seconds: number;
  detail_updated_at: Date;
  policy_updated_at: Date;
  label_updated_at: Date;
  refetch_requested: number;
  distributed_interval: number;
  logger_tls_period: number;
  config_tls_refresh: number;
  last_enrolled_at: Date;
  created_at: Date;
  updated_at: Date;
  seen_time: Date | null;
}


export function toHost(r: HostRow): Host {
  return {
    id: r.id,
    osqueryHostId: r.osquery_host_id,
    nodeKey: r.node_key,
    teamId: r.team_id,
    platform: r.platform,
    hostname: r.hostname,
    uuid: r.uuid,
    hardwareSerial: r.hardware_serial,
    osVersion: r.os_version,
    osqueryVersion: r.osquery_version,
    uptimeSeconds: Number(r.uptime_seconds),
    detailUpdatedAt: r.detail_updated_at,
    policyUpdatedAt: r.policy_updated_at,
    labelUpdatedAt: r.label_updated_at,
    refetchRequested: r.refetch_requested === 1,
    distributedInterval: r.distributed_interval,
    loggerTlsPeriod: r.logger_tls_period,
    configTlsRefresh: r.config_tls_refresh,
    lastEnrolledAt: r.last_enrolled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    seenTime: r.seen_time,
  };
}

export async function enrollHost(
  db: Db,
  identity: HostIdentity,
  nodeKey: string,
  teamId: number | null,
  now: Date,
): Promise<EnrollResult> {
  return run(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await tx(db.pool, (c) => enrollTx(c, identity, nodeKey, teamId, now));
      } catch (err) {
        // Two enrolls of a new host raced: the loser re-enrolls the winner's row.
        if (attempt === 1 && isDuplicate(err, 'idx_osquery_host_id')) continue;
        if (isDuplicate(err, 'idx_host_unique_nodekey')) throw osqsimError('STORE_CONFLICT', { what: 'node key' });
        throw err;
      }
    }
  });
}

async function enrollTx(
  c: PoolConnection,
  identity: HostIdentity,
  nodeKey: string,
  teamId: number | null,
  now: Date,
): Promise<EnrollResult> {
  await assertTeam(c, teamId);
  const [found] = await c.query<RowDataPacket[]>('SELECT id, team_id FROM hosts WHERE osquery_host_id = ? FOR UPDATE', [
    identity.osqueryHostId,
  ]);
  const fields = {
    node_key: nodeKey,
    team_id: teamId,
    platform: identity.platform,
    fleet_platform: fleetPlatformOf(identity.platform),
    hostname: identity.hostname,
    uuid: identity.uuid,
    hardware_serial: identity.hardwareSerial,
    os_version: identity.osVersion,
    osquery_version: identity.osqueryVersion,
    last_enrolled_at: now,
    updated_at: now,
  };
  let hostId: number;
  let removed: MembershipChange[] = [];
  const old = found[0];
  if (old) {
    // A known host keeps its timers (detail_updated_at, policy_updated_at, no refetch) and loses its
    // policy results, as Fleet's EnrollHost (server/datastore/mysql/hosts.go, existing-host branch:
    // deleteAllPolicyMemberships, then an UPDATE of node_key, team_id and last_enrolled_at only).
    hostId = Number(old.id);
    const oldTeam = old.team_id === null ? null : Number(old.team_id);
    const [cells] = await c.query<CellRow[]>(
      'SELECT policy_id, host_id, passes FROM policy_membership WHERE host_id = ? ORDER BY policy_id FOR UPDATE',
      [hostId],
    );
    if (cells.length > 0) await c.query('DELETE FROM policy_membership WHERE host_id = ?', [hostId]);
    removed = cells.map((r) => ({ policyId: r.policy_id, hostId, hostTeamId: oldTeam, before: toPasses(r.passes), after: undefined }));
    await c.query('UPDATE hosts SET ? WHERE id = ?', [fields, hostId]);
  } else {
    const [result] = await c.query<ResultSetHeader>('INSERT INTO hosts SET ?', [
      // A new host is due everything at once (Fleet's EnrollHost: zero timestamps, refetch_requested = 1).
      { ...fields, osquery_host_id: identity.osqueryHostId, created_at: now, detail_updated_at: LONG_AGO, policy_updated_at: LONG_AGO, refetch_requested: 1 },
    ]);
    hostId = result.insertId;
    // Rows written earlier for this id (no such host then) are counted from now on, under its team.
    await c.query('UPDATE policy_membership SET host_team_id = ? WHERE host_id = ?', [teamId ?? 0, hostId]);
  }
  await c.query(
    'INSERT INTO host_seen_times (host_id, seen_time) VALUES (?, ?) ON DUPLICATE KEY UPDATE seen_time = VALUES(seen_time)',
    [hostId, now],
  );
  const [rows] = await c.query<HostRow[]>(`${HOST_SELECT} WHERE h.id = ?`, [hostId]);
  return { host: toHost(rows[0]!), reenrolled: old !== undefined, removed };
}

export async function getHost(db: Db, id: number): Promise<Host | undefined> {
  return run(async () => {
    const rows = await readRows<HostRow>(db, `${HOST_SELECT} WHERE h.id = ?`, [id]);
    return rows[0] && toHost(rows[0]);
  });
}

export async function getHosts(db: Db, hostIds: readonly number[]): Promise<Host[]> {
  const wanted = ids(hostIds);
  if (wanted.length === 0) return [];
  return run(async () => {
    const out: Host[] = [];
    for (const chunk of chunks(wanted, BULK_ROWS)) {
      out.push(...(await readRows<HostRow>(db, `${HOST_SELECT} WHERE h.id IN (?) ORDER BY h.id`, [chunk])).map(toHost));
    }
    return out;
  });
}

export async function getHostByNodeKey(db: Db, nodeKey: string): Promise<Host | undefined> {
  return run(async () => {
    const [rows] = await db.pool.execute<HostRow[]>(`${HOST_SELECT} WHERE h.node_key = ?`, [nodeKey]);
    return rows[0] && toHost(rows[0]);
  });
}

function hostFilterSql(filter: HostListFilter): { joins: string; where: string; values: unknown[] } {
  const values: unknown[] = [];
  const conditions: string[] = [];
  let joins = '';
  if (filter.policyId !== undefined) {
    if (filter.policyResponse !== undefined) {
      joins = ' JOIN policy_membership pm ON pm.host_id = h.id AND pm.policy_id = ? AND pm.passes = ?';
      values.push(filter.policyId, filter.policyResponse === 'passing' ? 1 : 0);
    } else {
      joins = ' LEFT JOIN policy_membership pm ON pm.host_id = h.id AND pm.policy_id = ?';
      values.push(filter.policyId);
      conditions.push('pm.passes IS NULL');
    }
  }
  if (filter.teamId !== undefined) {
    if (filter.teamId === null || filter.teamId === 0) conditions.push('h.team_id IS NULL');
    else {
      conditions.push('h.team_id = ?');
      values.push(filter.teamId);
    }
  }
  return { joins, where: conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '', values };
}

export async function listHosts(db: Db, filter: HostListFilter): Promise<Host[]> {
  return run(async () => {
    const { joins, where, values } = hostFilterSql(filter);
    let sql = `SELECT ${HOST_COLUMNS} ${HOST_FROM}${joins}${where} ORDER BY h.id`;
    if (filter.perPage !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      values.push(filter.perPage, (filter.page ?? 0) * filter.perPage);
    }
    return (await readRows<HostRow>(db, sql, values)).map(toHost);
  });
}

export async function countHosts(db: Db, filter: HostListFilter): Promise<number> {
  return run(async () => {
    const { joins, where, values } = hostFilterSql(filter);
    const rows = await readRows<RowDataPacket>(db, `SELECT COUNT(*) AS n FROM hosts h${joins}${where}`, values);
    return Number(rows[0]!.n);
  });
}

export async function updateHostDetails(db: Db, hostId: number, patch: HostDetailsPatch): Promise<void> {
  return run(async () => {
    const set: Record<string, unknown> = { updated_at: new Date() };
    for (const [key, column] of Object.entries(HOST_PATCH_COLUMNS) as Array<[keyof HostDetailsPatch, string]>) {
      const value = patch[key];
      if (value === undefined) continue;
      set[column] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    if (patch.platform !== undefined) set.fleet_platform = fleetPlatformOf(patch.platform);
    await exec(db, 'UPDATE hosts SET ? WHERE id = ?', [set, hostId]);
  });
}

export async function setRefetchRequested(db: Db, hostId: number, requested: boolean): Promise<boolean> {
  return run(async () => {
    const result = await exec(db, 'UPDATE hosts SET refetch_requested = ?, updated_at = ? WHERE id = ?', [
      requested ? 1 : 0, new Date(), hostId,
    ]);
    return result.affectedRows > 0;
  });
}

export async function moveHostsToTeam(
  db: Db,
  hostIds: readonly number[],
  teamId: number | null,
): Promise<readonly MembershipChange[]> {
  const wanted = ids(hostIds);
  return run(() =>
    tx(db.pool, async (c) => {
      await assertTeam(c, teamId);
      if (wanted.length === 0) return [];
      const [hosts] = await c.query<RowDataPacket[]>('SELECT id, team_id FROM hosts WHERE id IN (?) ORDER BY id FOR UPDATE', [wanted]);
      const moving = new Map<number, number | null>();
      for (const h of hosts) {
        const old = h.team_id === null ? null : Number(h.team_id);
        if (old !== teamId) moving.set(Number(h.id), old);
      }
      if (moving.size === 0) return [];
      const movingIds = [...moving.keys()];
      // The moving hosts' cells: found by a plain read (their hosts rows are locked: no cell can appear)
      // and locked by primary key, as ingest does (cell-keys.ts: a locking host_id scan deadlocks).
      const [found] = await c.query<RowDataPacket[]>('SELECT policy_id, host_id FROM policy_membership WHERE host_id IN (?)', [movingIds]);
      const keys = cellsOfRows(found);
      let locked: RowDataPacket[] = [];
      if (keys.size > 0) {
        [locked] = await c.query<RowDataPacket[]>(
          `SELECT pm.policy_id, pm.host_id, pm.passes FROM policy_membership pm FORCE INDEX (PRIMARY)
            WHERE ${cellKeysCondition(keys)} ORDER BY pm.host_id, pm.policy_id FOR UPDATE`,
        );
      }
      const policyTeams = new Map<number, number | null>();
      if (locked.length > 0) {
        const [policies] = await c.query<RowDataPacket[]>('SELECT id, team_id FROM policies WHERE id IN (?)', [
          ids(locked.map((r) => Number(r.policy_id))),
        ]);
        for (const p of policies) policyTeams.set(Number(p.id), p.team_id === null ? null : Number(p.team_id));
      }
      // Cells of deleted policies are left alone, as in the memory store.
      const cells = locked
        .filter((r) => policyTeams.has(Number(r.policy_id)))
        .map((r) => ({
          policy_id: Number(r.policy_id),
          host_id: Number(r.host_id),
          passes: r.passes as number | null,
          team_id: policyTeams.get(Number(r.policy_id)) ?? null,
        }));
      const scope = teamId ?? 0;
      const changes: MembershipChange[] = [];
      const dropPolicies = new Set<number>();
      const byHost = new Map<number, typeof cells>();
      for (const cell of cells) {
        const list = byHost.get(Number(cell.host_id)) ?? [];
        list.push(cell);
        byHost.set(Number(cell.host_id), list);
      }
      for (const hostId of movingIds) {
        const oldTeam = moving.get(hostId)!;
        const list = byHost.get(hostId) ?? [];
        for (const cell of list) {
          const policyTeam = cell.team_id === null ? null : Number(cell.team_id);
          if (policyTeam === null || policyTeam === scope) continue;
          dropPolicies.add(Number(cell.policy_id));
          changes.push({ policyId: Number(cell.policy_id), hostId, hostTeamId: oldTeam, before: toPasses(cell.passes), after: undefined });
        }
        for (const cell of list) {
          if (cell.team_id !== null) continue;
          const passes = toPasses(cell.passes);
          changes.push({ policyId: Number(cell.policy_id), hostId, hostTeamId: oldTeam, before: passes, after: undefined });
          changes.push({ policyId: Number(cell.policy_id), hostId, hostTeamId: teamId, before: undefined, after: passes });
        }
      }
      if (dropPolicies.size > 0) {
        await c.query('DELETE pm FROM policy_membership pm FORCE INDEX (PRIMARY) WHERE pm.policy_id IN (?) AND pm.host_id IN (?)', [
          ids([...dropPolicies]), movingIds,
        ]);
      }
      await c.query('UPDATE hosts SET team_id = ?, updated_at = ? WHERE id IN (?)', [teamId, new Date(), movingIds]);
      if (locked.length > 0) {
        // The cells locked above, by primary key (the dropped ones are gone and match nothing).
        await c.query(`UPDATE policy_membership pm FORCE INDEX (PRIMARY) SET pm.host_team_id = ? WHERE ${cellKeysCondition(cellsOfRows(locked))}`, [teamId ?? 0]);
      }
      return changes;
    }),
  );
}

export async function deleteHost(db: Db, id: number): Promise<readonly MembershipChange[] | undefined> {
  return run(() =>
    tx(db.pool, async (c) => {
      const [hosts] = await c.query<RowDataPacket[]>('SELECT id, team_id FROM hosts WHERE id = ? FOR UPDATE', [id]);
      if (!hosts[0]) return undefined;
      const teamId = hosts[0].team_id === null ? null : Number(hosts[0].team_id);
      const [cells] = await c.query<CellRow[]>(
        'SELECT policy_id, passes FROM policy_membership WHERE host_id = ? ORDER BY policy_id FOR UPDATE',
        [id],
      );
      if (cells.length > 0) await c.query('DELETE FROM policy_membership WHERE host_id = ?', [id]);
      await c.query('DELETE FROM host_seen_times WHERE host_id = ?', [id]);
      // Fleet's DeleteHost clears host_device_auth and host_orbit_info with the host's other rows (hostRefs).
      await c.query('DELETE FROM host_device_auth WHERE host_id = ?', [id]);
      await c.query('DELETE FROM host_orbit_info WHERE host_id = ?', [id]);
      await c.query('DELETE FROM label_membership WHERE host_id = ?', [id]);
      for (const statement of DELETE_HOST_VITALS) await c.query(statement, [id]);
      await deleteHostQueryResultsTx(c, id);
      await c.query('DELETE FROM hosts WHERE id = ?', [id]);
      await c.query('INSERT INTO host_deletions (host_id) VALUES (?)', [id]);
      return cells.map((r) => ({ policyId: r.policy_id, hostId: id, hostTeamId: teamId, before: toPasses(r.passes), after: undefined }));
    }),
  );
}

export async function markHostsSeen(db: Db, hostIds: readonly number[], seenAt: Date): Promise<void> {
  const wanted = ids(hostIds);
  if (wanted.length === 0) return;
  return run(async () => {
    const at = sqlDatetime(seenAt);
    for (const chunk of chunks(wanted, BULK_ROWS)) {
      await exec(
        db,
        `INSERT INTO host_seen_times (host_id, seen_time) VALUES ${chunk.map((id) => `(${id},'${at}')`).join(',')}
         ON DUPLICATE KEY UPDATE seen_time = VALUES(seen_time)`,
      );
    }
  });
}
