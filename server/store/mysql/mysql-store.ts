/**
 * The MySQL store (MariaDB 10.11 and MySQL 8) on a mysql2/promise pool.
 *
 * - Times are DATETIME(3) in UTC: the pool formats and parses dates as UTC ('Z') and each session
 *   runs with time_zone '+00:00'; lease arithmetic uses the database clock (UTC_TIMESTAMP(3)).
 * - Sessions run READ COMMITTED: no gap locks, so concurrent ingest batches and clean-ups do not
 *   deadlock on inserts; aggregation reads are plain consistent reads that lock nothing.
 * - Writes that touch several rows run in one transaction, retried on deadlock; rows are written
 *   in sorted key order.
 * - Connection problems become STORE_UNAVAILABLE; mysql2 drops broken connections from the pool
 *   and opens new ones, so the store recovers by itself when the database is back.
 */
import { mysqlConnectionOptions } from './connection.js';
import { createHash } from 'node:crypto';
import mysql, {
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, MAX_SECRET_CHARS, MAX_TEAM_DESCRIPTION_CHARS, assertFits } from '../limits.js';
import { fleetPlatformOf, platformList } from '../../../contract/platforms.js';
import type {
  ComputedCounts,
  EnrollResult,
  HostChanges,
  PolicyUpdateResult,
  RecordResultsOutcome,
  Store,
} from '../store.js';
import type {
  EnrollSecret,
  Host,
  HostDetailsPatch,
  HostIdentity,
  HostListFilter,
  HostPolicyResults,
  MembershipChange,
  MembershipRow,
  Policy,
  PolicyCount,
  PolicyInput,
  PolicyPasses,
  PolicyPatch,
  PolicySpecInput,
  StatsRun,
  Team,
} from '../types.js';
import { LONG_AGO, collapseChanges } from '../memory/memory-store.js';
import { isDeadlock, isDuplicate, toStoreError } from './errors.js';
import { ALREADY_APPLIED_ERRNOS, MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from './schema.js';

export interface MysqlStoreOptions {
  /** Pool size (default 10). */
  readonly poolSize?: number;
  /**
   * Connections reserved for recordPolicyResults (default 4, env OSQSIM_INGEST_POOL_SIZE): ingest
   * commits never queue behind node-key lookups and API reads, so a group commit's latency — which
   * sets how fast the next batch can go — stays the database's commit time.
   */
  readonly ingestPoolSize?: number;
}

type CountRow = Omit<PolicyCount, 'updatedAt'>;

/** Rows per multi-row INSERT (DESIGN §3: ≈ 1000). */
const BULK_ROWS = 1000;
/** Rows per count upsert: small statements, no long transaction. */
const COUNT_ROWS = 500;
const TX_ATTEMPTS = 4;

/**
 * Change feed overlap: each read re-reads changes stamped up to this long before the previous
 * read's database time, so a transaction whose commit lands up to this long after its UPDATE of
 * the host row (hosts.changed_at = statement time) is still reported. Slower commits are caught
 * only by the cache's safety TTL.
 */
export const FEED_OVERLAP_MS = 5_000;
/** Tombstones of deleted hosts are kept this long; an older cursor gets reset. */
export const FEED_RETENTION_MS = 3_600_000;
const FEED_PRUNE_EVERY_MS = 60_000;
const BUMP_POLICIES_VERSION = "INSERT INTO change_counters (name, value) VALUES ('policies', 1) ON DUPLICATE KEY UPDATE value = value + 1";

const HOST_COLUMNS = `h.id, h.osquery_host_id, h.node_key, h.team_id, h.platform, h.hostname, h.uuid,
  h.hardware_serial, h.os_version, h.osquery_version, h.uptime_seconds, h.detail_updated_at, h.policy_updated_at,
  h.refetch_requested, h.distributed_interval, h.logger_tls_period, h.config_tls_refresh, h.last_enrolled_at,
  h.created_at, h.updated_at, s.seen_time`;
const HOST_FROM = 'FROM hosts h LEFT JOIN host_seen_times s ON s.host_id = h.id';
const HOST_SELECT = `SELECT ${HOST_COLUMNS} ${HOST_FROM}`;

const POLICY_SELECT = `SELECT id, team_id, name, query, description, resolution, platforms, critical, author_id,
  author_name, author_email, created_at, updated_at, query_changed_at FROM policies`;

interface HostRow extends RowDataPacket {
  id: number; osquery_host_id: string; node_key: string; team_id: number | null; platform: string;
  hostname: string; uuid: string; hardware_serial: string; os_version: string; osquery_version: string;
  uptime_seconds: number; detail_updated_at: Date; policy_updated_at: Date; refetch_requested: number;
  distributed_interval: number; logger_tls_period: number; config_tls_refresh: number; last_enrolled_at: Date;
  created_at: Date; updated_at: Date; seen_time: Date | null;
}

interface PolicyRow extends RowDataPacket {
  id: number; team_id: number | null; name: string; query: string; description: string; resolution: string;
  platforms: string; critical: number; author_id: number | null; author_name: string; author_email: string;
  created_at: Date; updated_at: Date; query_changed_at: Date | null;
}

interface TeamRow extends RowDataPacket { id: number; name: string; description: string; created_at: Date }
interface SecretRow extends RowDataPacket { secret: string; team_id: number | null; created_at: Date }
interface CellRow extends RowDataPacket { policy_id: number; host_id: number; passes: number | null; updated_at?: Date }

const HOST_PATCH_COLUMNS: Record<keyof HostDetailsPatch, string> = {
  platform: 'platform',
  hostname: 'hostname',
  uuid: 'uuid',
  hardwareSerial: 'hardware_serial',
  osVersion: 'os_version',
  osqueryVersion: 'osquery_version',
  uptimeSeconds: 'uptime_seconds',
  detailUpdatedAt: 'detail_updated_at',
  refetchRequested: 'refetch_requested',
  distributedInterval: 'distributed_interval',
  loggerTlsPeriod: 'logger_tls_period',
  configTlsRefresh: 'config_tls_refresh',
};

function toHost(r: HostRow): Host {
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

function toPolicy(r: PolicyRow): Policy {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    query: r.query,
    description: r.description,
    resolution: r.resolution,
    platforms: r.platforms,
    critical: r.critical === 1,
    authorId: r.author_id,
    authorName: r.author_name,
    authorEmail: r.author_email,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.query_changed_at === null ? {} : { queryChangedAt: r.query_changed_at }),
  };
}

function toTeam(r: TeamRow): Team {
  return { id: r.id, name: r.name, description: r.description, createdAt: r.created_at };
}

function toSecret(r: SecretRow): EnrollSecret {
  return { secret: r.secret, teamId: r.team_id, createdAt: r.created_at };
}

function toPasses(value: number | null): PolicyPasses {
  return value === null ? null : value === 1;
}

function passesSql(passes: PolicyPasses): string {
  return passes === null ? 'NULL' : passes ? '1' : '0';
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, for SQL built by hand on the hot path. */
function sqlDatetime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

function checksum(teamId: number | null, name: string): Buffer {
  return createHash('md5').update(`${teamId ?? ''}\u0000${name}`).digest();
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function ids(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The record a new policy gets (id assigned by the insert); names are NFC-normalised as Fleet does. */
function newPolicyRecord(input: PolicyInput): Policy {
  const now = new Date();
  return {
    id: 0,
    teamId: input.teamId,
    name: input.name.normalize('NFC'),
    query: input.query,
    description: input.description ?? '',
    resolution: input.resolution ?? '',
    platforms: input.platforms ?? '',
    critical: input.critical ?? false,
    authorId: input.authorId ?? null,
    authorName: input.authorName ?? '',
    authorEmail: input.authorEmail ?? '',
    createdAt: now,
    updatedAt: now,
  };
}

/** The `policies` columns of a new policy, for `INSERT … SET ?`. */
function policyColumns(policy: Policy): Record<string, unknown> {
  return {
    team_id: policy.teamId,
    name: policy.name,
    query: policy.query,
    description: policy.description,
    resolution: policy.resolution,
    platforms: policy.platforms,
    critical: policy.critical ? 1 : 0,
    author_id: policy.authorId,
    author_name: policy.authorName,
    author_email: policy.authorEmail,
    checksum: checksum(policy.teamId, policy.name),
    created_at: policy.createdAt,
    updated_at: policy.updatedAt,
  };
}

export class MysqlStore implements Store {
  readonly kind = 'mysql' as const;

  private readonly pool: Pool;
  private readonly ingestPool: Pool;
  private readonly database: string;
  private readonly connection: mysql.ConnectionOptions;
  /** Where keepPlatforms clean-ups continue (rows before it were kept); reset when a clean-up ends. */
  private readonly clearCursors = new Map<string, number>();

  constructor(url: string, options: MysqlStoreOptions = {}) {
    const target = mysqlConnectionOptions(url);
    this.database = target.database;
    this.connection = target.connection;
    this.pool = mysql.createPool({
      ...this.connection,
      database: this.database,
      connectionLimit: options.poolSize ?? 10,
      waitForConnections: true,
      queueLimit: 0,
      enableKeepAlive: true,
      // Only recordPolicyResults sends several statements at once, all built from escaped values.
      multipleStatements: true,
    });
    this.ingestPool = mysql.createPool({
      ...this.connection,
      database: this.database,
      connectionLimit: options.ingestPoolSize ?? Number(process.env.OSQSIM_INGEST_POOL_SIZE ?? 4),
      waitForConnections: true,
      queueLimit: 0,
      enableKeepAlive: true,
      multipleStatements: true,
    });
    for (const pool of [this.pool, this.ingestPool]) {
      pool.on('connection', (conn: unknown) => {
        const core = conn as { query(sql: string, cb: (err: unknown) => void): unknown };
        const ignore = (): void => undefined;
        core.query("SET time_zone = '+00:00'", ignore);
        core.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', ignore);
      });
    }
  }

  // --- plumbing ---------------------------------------------------------------------------

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err);
    }
  }

  private async rows<T extends RowDataPacket>(sql: string, values?: unknown[]): Promise<T[]> {
    const [rows] = await this.pool.query<T[]>(sql, values);
    return rows;
  }

  private async exec(sql: string, values?: unknown[]): Promise<ResultSetHeader> {
    const [result] = await this.pool.query<ResultSetHeader>(sql, values);
    return result;
  }

  /** One transaction, retried on deadlock; a failed attempt is rolled back (or its connection dropped). */
  private async tx<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const conn = await this.pool.getConnection();
      try {
        await conn.query('START TRANSACTION');
        const out = await fn(conn);
        await conn.query('COMMIT');
        conn.release();
        return out;
      } catch (err) {
        await abandon(conn);
        if (isDeadlock(err) && attempt < TX_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  private async assertTeam(conn: PoolConnection, teamId: number | null): Promise<void> {
    if (teamId === null || teamId === 0) return;
    const [rows] = await conn.query<RowDataPacket[]>('SELECT id FROM teams WHERE id = ?', [teamId]);
    if (rows.length === 0) throw osqsimError('STORE_NOT_FOUND', { what: `team ${teamId}` });
  }

  // --- lifecycle --------------------------------------------------------------------------

  async migrate(): Promise<void> {
    return this.run(async () => {
      await this.ensureDatabase();
      const conn = await this.pool.getConnection();
      try {
        await conn.query("SELECT GET_LOCK('osqsim_migrate', 30)");
        try {
          await conn.query(SCHEMA_MIGRATIONS_TABLE);
          const [applied] = await conn.query<RowDataPacket[]>('SELECT version FROM schema_migrations');
          const done = new Set(applied.map((r) => Number(r.version)));
          for (const migration of MIGRATIONS) {
            if (done.has(migration.version)) continue;
            for (const statement of migration.statements) {
              try {
                await conn.query(statement);
              } catch (err) {
                // Applied by a run that died before recording the version: carry on.
                if (!ALREADY_APPLIED_ERRNOS.has(Number((err as { errno?: unknown }).errno))) throw err;
              }
            }
            await conn.query(
              'INSERT IGNORE INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)',
              [migration.version, migration.description, new Date()],
            );
          }
        } finally {
          await conn.query("SELECT RELEASE_LOCK('osqsim_migrate')");
        }
        conn.release();
      } catch (err) {
        conn.destroy();
        throw err;
      }
    });
  }

  /** Creates the database named in the URL when missing (zero set-up on a fresh server). */
  private async ensureDatabase(): Promise<void> {
    const conn = await mysql.createConnection(this.connection);
    try {
      await conn.query(
        `CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(this.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
    } catch {
      // No CREATE privilege: the database may exist anyway; the pool reports it if not.
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    return this.run(async () => {
      await this.pool.query('SELECT 1');
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end().catch(() => undefined), this.ingestPool.end().catch(() => undefined)]);
  }

  // --- teams and enroll secrets -----------------------------------------------------------

  async createTeam(name: string, description = ''): Promise<Team> {
    return this.run(async () => {
      assertFits('team name', name, MAX_NAME_CHARS);
      assertFits('team description', description, MAX_TEAM_DESCRIPTION_CHARS);
      const createdAt = new Date();
      try {
        const result = await this.exec('INSERT INTO teams (name, description, created_at) VALUES (?, ?, ?)', [
          name, description, createdAt,
        ]);
        return { id: result.insertId, name, description, createdAt };
      } catch (err) {
        if (isDuplicate(err)) throw osqsimError('STORE_CONFLICT', { what: `team "${name}"` });
        throw err;
      }
    });
  }

  async getTeam(id: number): Promise<Team | undefined> {
    return this.run(async () => {
      const rows = await this.rows<TeamRow>('SELECT * FROM teams WHERE id = ?', [id]);
      return rows[0] && toTeam(rows[0]);
    });
  }

  async getTeamByName(name: string): Promise<Team | undefined> {
    return this.run(async () => {
      const rows = await this.rows<TeamRow>('SELECT * FROM teams WHERE name = ?', [name]);
      return rows[0] && toTeam(rows[0]);
    });
  }

  async listTeams(): Promise<Team[]> {
    return this.run(async () => (await this.rows<TeamRow>('SELECT * FROM teams ORDER BY id')).map(toTeam));
  }

  async deleteTeam(id: number): Promise<boolean> {
    return this.run(() =>
      this.tx(async (c) => {
        const [team] = await c.query<RowDataPacket[]>('SELECT id FROM teams WHERE id = ? FOR UPDATE', [id]);
        if (team.length === 0) return false;
        // Hosts first, as every writer of membership rows locks them first.
        const [moved] = await c.query<RowDataPacket[]>('SELECT id FROM hosts WHERE team_id = ? ORDER BY id FOR UPDATE', [id]);
        await c.query('UPDATE hosts SET team_id = NULL, updated_at = ? WHERE team_id = ?', [new Date(), id]);
        for (const chunk of chunks(moved.map((h) => Number(h.id)), BULK_ROWS)) {
          await c.query('UPDATE policy_membership SET host_team_id = 0 WHERE host_id IN (?)', [chunk]);
        }
        const [policies] = await c.query<RowDataPacket[]>('SELECT id FROM policies WHERE team_id = ? ORDER BY id FOR UPDATE', [id]);
        await this.deletePoliciesTx(c, policies.map((p) => Number(p.id)));
        await c.query('DELETE FROM policy_stats WHERE inherited_team_id = ?', [id]);
        await c.query('DELETE FROM enroll_secrets WHERE team_id = ?', [id]);
        await c.query('DELETE FROM teams WHERE id = ?', [id]);
        await c.query(BUMP_POLICIES_VERSION);
        return true;
      }),
    );
  }

  async findEnrollSecret(secret: string): Promise<EnrollSecret | undefined> {
    return this.run(async () => {
      const rows = await this.rows<SecretRow>('SELECT * FROM enroll_secrets WHERE secret = ?', [secret]);
      return rows[0] && toSecret(rows[0]);
    });
  }

  async listEnrollSecrets(teamId: number | null): Promise<EnrollSecret[]> {
    return this.run(async () =>
      (await this.rows<SecretRow>('SELECT * FROM enroll_secrets WHERE team_id <=> ? ORDER BY created_at, secret', [teamId])).map(
        toSecret,
      ),
    );
  }

  async replaceEnrollSecrets(teamId: number | null, secrets: readonly string[]): Promise<EnrollSecret[]> {
    const wanted = [...new Set(secrets)];
    return this.run(() =>
      this.tx(async (c) => {
        await this.assertTeam(c, teamId);
        for (const secret of wanted) assertFits('enroll secret', secret, MAX_SECRET_CHARS);
        if (wanted.length > 0) {
          const [existing] = await c.query<SecretRow[]>('SELECT * FROM enroll_secrets WHERE secret IN (?) FOR UPDATE', [wanted]);
          if (existing.some((r) => r.team_id !== teamId)) throw osqsimError('STORE_CONFLICT', { what: 'enroll secret' });
          await c.query('DELETE FROM enroll_secrets WHERE team_id <=> ? AND secret NOT IN (?)', [teamId, wanted]);
          const now = new Date();
          await c.query('INSERT IGNORE INTO enroll_secrets (secret, team_id, created_at) VALUES ?', [
            wanted.map((s) => [s, teamId, now]),
          ]);
        } else {
          await c.query('DELETE FROM enroll_secrets WHERE team_id <=> ?', [teamId]);
          return [];
        }
        const [rows] = await c.query<SecretRow[]>('SELECT * FROM enroll_secrets WHERE secret IN (?)', [wanted]);
        const bySecret = new Map(rows.map((r) => [r.secret, toSecret(r)]));
        return wanted.map((s) => bySecret.get(s)!);
      }),
    );
  }

  async ensureEnrollSecret(secret: string, teamId: number | null): Promise<EnrollSecret> {
    return this.run(() =>
      this.tx(async (c) => {
        assertFits('enroll secret', secret, MAX_SECRET_CHARS);
        const [existing] = await c.query<SecretRow[]>('SELECT * FROM enroll_secrets WHERE secret = ? FOR UPDATE', [secret]);
        if (existing[0]) return toSecret(existing[0]);
        await this.assertTeam(c, teamId);
        const createdAt = new Date();
        await c.query('INSERT INTO enroll_secrets (secret, team_id, created_at) VALUES (?, ?, ?)', [secret, teamId, createdAt]);
        return { secret, teamId, createdAt };
      }),
    );
  }

  // --- hosts ------------------------------------------------------------------------------

  async enrollHost(identity: HostIdentity, nodeKey: string, teamId: number | null, now: Date): Promise<EnrollResult> {
    return this.run(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.tx((c) => this.enrollTx(c, identity, nodeKey, teamId, now));
        } catch (err) {
          // Two enrolls of a new host raced: the loser re-enrolls the winner's row.
          if (attempt === 1 && isDuplicate(err, 'idx_osquery_host_id')) continue;
          if (isDuplicate(err, 'idx_host_unique_nodekey')) throw osqsimError('STORE_CONFLICT', { what: 'node key' });
          throw err;
        }
      }
    });
  }

  private async enrollTx(
    c: PoolConnection,
    identity: HostIdentity,
    nodeKey: string,
    teamId: number | null,
    now: Date,
  ): Promise<EnrollResult> {
    await this.assertTeam(c, teamId);
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
      detail_updated_at: LONG_AGO,
      policy_updated_at: LONG_AGO,
      refetch_requested: 1,
      last_enrolled_at: now,
      updated_at: now,
    };
    let hostId: number;
    let removed: MembershipChange[] = [];
    const old = found[0];
    if (old) {
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
        { ...fields, osquery_host_id: identity.osqueryHostId, created_at: now },
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

  async getHost(id: number): Promise<Host | undefined> {
    return this.run(async () => {
      const rows = await this.rows<HostRow>(`${HOST_SELECT} WHERE h.id = ?`, [id]);
      return rows[0] && toHost(rows[0]);
    });
  }

  async getHosts(hostIds: readonly number[]): Promise<Host[]> {
    const wanted = ids(hostIds);
    if (wanted.length === 0) return [];
    return this.run(async () => {
      const out: Host[] = [];
      for (const chunk of chunks(wanted, BULK_ROWS)) {
        out.push(...(await this.rows<HostRow>(`${HOST_SELECT} WHERE h.id IN (?) ORDER BY h.id`, [chunk])).map(toHost));
      }
      return out;
    });
  }

  async getHostByNodeKey(nodeKey: string): Promise<Host | undefined> {
    return this.run(async () => {
      const [rows] = await this.pool.execute<HostRow[]>(`${HOST_SELECT} WHERE h.node_key = ?`, [nodeKey]);
      return rows[0] && toHost(rows[0]);
    });
  }

  private hostFilterSql(filter: HostListFilter): { joins: string; where: string; values: unknown[] } {
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

  async listHosts(filter: HostListFilter): Promise<Host[]> {
    return this.run(async () => {
      const { joins, where, values } = this.hostFilterSql(filter);
      let sql = `SELECT ${HOST_COLUMNS} ${HOST_FROM}${joins}${where} ORDER BY h.id`;
      if (filter.perPage !== undefined) {
        sql += ' LIMIT ? OFFSET ?';
        values.push(filter.perPage, (filter.page ?? 0) * filter.perPage);
      }
      return (await this.rows<HostRow>(sql, values)).map(toHost);
    });
  }

  async countHosts(filter: HostListFilter): Promise<number> {
    return this.run(async () => {
      const { joins, where, values } = this.hostFilterSql(filter);
      const rows = await this.rows<RowDataPacket>(`SELECT COUNT(*) AS n FROM hosts h${joins}${where}`, values);
      return Number(rows[0]!.n);
    });
  }

  async updateHostDetails(hostId: number, patch: HostDetailsPatch): Promise<void> {
    return this.run(async () => {
      const set: Record<string, unknown> = { updated_at: new Date() };
      for (const [key, column] of Object.entries(HOST_PATCH_COLUMNS) as Array<[keyof HostDetailsPatch, string]>) {
        const value = patch[key];
        if (value === undefined) continue;
        set[column] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      }
      if (patch.platform !== undefined) set.fleet_platform = fleetPlatformOf(patch.platform);
      await this.exec('UPDATE hosts SET ? WHERE id = ?', [set, hostId]);
    });
  }

  async setRefetchRequested(hostId: number, requested: boolean): Promise<boolean> {
    return this.run(async () => {
      const result = await this.exec('UPDATE hosts SET refetch_requested = ?, updated_at = ? WHERE id = ?', [
        requested ? 1 : 0, new Date(), hostId,
      ]);
      return result.affectedRows > 0;
    });
  }

  async moveHostsToTeam(hostIds: readonly number[], teamId: number | null): Promise<readonly MembershipChange[]> {
    const wanted = ids(hostIds);
    return this.run(() =>
      this.tx(async (c) => {
        await this.assertTeam(c, teamId);
        if (wanted.length === 0) return [];
        const [hosts] = await c.query<RowDataPacket[]>('SELECT id, team_id FROM hosts WHERE id IN (?) ORDER BY id FOR UPDATE', [wanted]);
        const moving = new Map<number, number | null>();
        for (const h of hosts) {
          const old = h.team_id === null ? null : Number(h.team_id);
          if (old !== teamId) moving.set(Number(h.id), old);
        }
        if (moving.size === 0) return [];
        const movingIds = [...moving.keys()];
        const [locked] = await c.query<RowDataPacket[]>(
          'SELECT policy_id, host_id, passes FROM policy_membership WHERE host_id IN (?) ORDER BY host_id, policy_id FOR UPDATE',
          [movingIds],
        );
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
          await c.query('DELETE FROM policy_membership WHERE policy_id IN (?) AND host_id IN (?)', [ids([...dropPolicies]), movingIds]);
        }
        await c.query('UPDATE hosts SET team_id = ?, updated_at = ? WHERE id IN (?)', [teamId, new Date(), movingIds]);
        if (locked.length > 0) {
          await c.query('UPDATE policy_membership SET host_team_id = ? WHERE host_id IN (?)', [teamId ?? 0, movingIds]);
        }
        return changes;
      }),
    );
  }

  async deleteHost(id: number): Promise<readonly MembershipChange[] | undefined> {
    return this.run(() =>
      this.tx(async (c) => {
        const [hosts] = await c.query<RowDataPacket[]>('SELECT id, team_id FROM hosts WHERE id = ? FOR UPDATE', [id]);
        if (!hosts[0]) return undefined;
        const teamId = hosts[0].team_id === null ? null : Number(hosts[0].team_id);
        const [cells] = await c.query<CellRow[]>(
          'SELECT policy_id, passes FROM policy_membership WHERE host_id = ? ORDER BY policy_id FOR UPDATE',
          [id],
        );
        if (cells.length > 0) await c.query('DELETE FROM policy_membership WHERE host_id = ?', [id]);
        await c.query('DELETE FROM host_seen_times WHERE host_id = ?', [id]);
        await c.query('DELETE FROM hosts WHERE id = ?', [id]);
        await c.query('INSERT INTO host_deletions (host_id) VALUES (?)', [id]);
        return cells.map((r) => ({ policyId: r.policy_id, hostId: id, hostTeamId: teamId, before: toPasses(r.passes), after: undefined }));
      }),
    );
  }

  async markHostsSeen(hostIds: readonly number[], seenAt: Date): Promise<void> {
    const wanted = ids(hostIds);
    if (wanted.length === 0) return;
    return this.run(async () => {
      const at = sqlDatetime(seenAt);
      for (const chunk of chunks(wanted, BULK_ROWS)) {
        await this.exec(
          `INSERT INTO host_seen_times (host_id, seen_time) VALUES ${chunk.map((id) => `(${id},'${at}')`).join(',')}
           ON DUPLICATE KEY UPDATE seen_time = VALUES(seen_time)`,
        );
      }
    });
  }

  // --- change feed ------------------------------------------------------------------------

  private lastFeedPrune = 0;

  /**
   * One round trip: the database time (the next cursor), then hosts with changed_at and tombstones
   * with deleted_at ≥ previous cursor − FEED_OVERLAP_MS, then the policies version (counter row
   * bumped by every policy write + count and newest updated_at, so direct edits of the table count
   * too). READ COMMITTED: each SELECT sees what committed before it started, after the time read.
   */
  async hostChangesSince(cursor: string | undefined): Promise<HostChanges> {
    const previous = cursor === undefined ? NaN : Date.parse(`${cursor.replace(' ', 'T')}Z`);
    return this.run(async () => {
      const reset = !Number.isFinite(previous);
      const since = sqlDatetime(new Date((reset ? Date.now() : previous) - FEED_OVERLAP_MS));
      const [results] = await this.pool.query<RowDataPacket[][]>(
        `SELECT DATE_FORMAT(CURRENT_TIMESTAMP(3), '%Y-%m-%d %H:%i:%s.%f') AS now,
                (SELECT value FROM change_counters WHERE name = 'policies') AS counter,
                (SELECT CONCAT(COUNT(*), '/', COALESCE(DATE_FORMAT(MAX(updated_at), '%Y%m%d%H%i%s%f'), '')) FROM policies) AS summary;
         SELECT id FROM hosts WHERE changed_at >= ?;
         SELECT DISTINCT host_id FROM host_deletions WHERE deleted_at >= ?`,
        [since, since],
      );
      const [head, changed, deleted] = results as unknown as [RowDataPacket[], RowDataPacket[], RowDataPacket[]];
      const row = head[0]!;
      const now = String(row.now).slice(0, 23);
      const policiesVersion = `${row.counter ?? 0}:${String(row.summary)}`;
      const nowMs = Date.parse(`${now.replace(' ', 'T')}Z`);
      this.pruneFeed(nowMs);
      // A cursor older than the tombstones kept may have missed deletes: start over.
      const tooOld = !reset && nowMs - previous > FEED_RETENTION_MS - FEED_OVERLAP_MS;
      if (reset || tooOld) {
        return { cursor: now, reset: true, changedHostIds: [], deletedHostIds: [], policiesVersion };
      }
      return {
        cursor: now,
        reset: false,
        changedHostIds: changed.map((r) => Number(r.id)),
        deletedHostIds: deleted.map((r) => Number(r.host_id)),
        policiesVersion,
      };
    });
  }

  /** Drops tombstones older than FEED_RETENTION_MS, at most once a minute per store, off the caller's path. */
  private pruneFeed(nowMs: number): void {
    if (nowMs - this.lastFeedPrune < FEED_PRUNE_EVERY_MS) return;
    this.lastFeedPrune = nowMs;
    this.pool
      .query('DELETE FROM host_deletions WHERE deleted_at < ? LIMIT 10000', [sqlDatetime(new Date(nowMs - FEED_RETENTION_MS))])
      .catch(() => undefined);
  }

  // --- policies ---------------------------------------------------------------------------

  async createPolicy(input: PolicyInput): Promise<Policy> {
    return this.run(() =>
      this.tx(async (c) => {
        await this.assertTeam(c, input.teamId);
        const policy = await this.insertPolicy(c, input);
        await c.query(BUMP_POLICIES_VERSION);
        return policy;
      }),
    );
  }

  private async insertPolicy(c: PoolConnection, input: PolicyInput): Promise<Policy> {
    const policy = newPolicyRecord(input);
    try {
      const [result] = await c.query<ResultSetHeader>('INSERT INTO policies SET ?', [policyColumns(policy)]);
      return { ...policy, id: result.insertId };
    } catch (err) {
      if (isDuplicate(err)) throw osqsimError('STORE_CONFLICT', { what: `policy "${policy.name}"` });
      throw err;
    }
  }

  /** INSERT … ON DUPLICATE KEY UPDATE on the checksum key: creates the policy, or locks the existing row. */
  private async upsertPolicyRow(c: PoolConnection, input: PolicyInput): Promise<{ created: boolean; policy: Policy }> {
    const policy = newPolicyRecord(input);
    const [result] = await c.query<ResultSetHeader>(
      `INSERT INTO policies SET ? ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), updated_at = '1970-01-01 00:00:00.000'`,
      [policyColumns(policy)],
    );
    return { created: result.affectedRows === 1, policy: { ...policy, id: result.insertId } };
  }

  async getPolicy(id: number): Promise<Policy | undefined> {
    return this.run(async () => {
      const rows = await this.rows<PolicyRow>(`${POLICY_SELECT} WHERE id = ?`, [id]);
      return rows[0] && toPolicy(rows[0]);
    });
  }

  async listPolicies(teamId: number | null): Promise<Policy[]> {
    return this.run(async () =>
      (await this.rows<PolicyRow>(`${POLICY_SELECT} WHERE team_id <=> ? ORDER BY id`, [teamId])).map(toPolicy),
    );
  }

  async listAllPolicies(): Promise<Policy[]> {
    return this.run(async () => (await this.rows<PolicyRow>(`${POLICY_SELECT} ORDER BY id`)).map(toPolicy));
  }

  async policiesForHost(teamId: number | null, fleetPlatform: string): Promise<Policy[]> {
    return this.run(async () =>
      (
        await this.rows<PolicyRow>(
          `${POLICY_SELECT}
            WHERE (team_id IS NULL OR team_id = ?)
              AND (REPLACE(platforms, ' ', '') = '' OR (? <> '' AND FIND_IN_SET(?, REPLACE(platforms, ' ', '')) > 0))
            ORDER BY id`,
          [teamId ?? 0, fleetPlatform, fleetPlatform],
        )
      ).map(toPolicy),
    );
  }

  async updatePolicy(id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined> {
    return this.run(() =>
      this.tx(async (c) => {
        const result = await this.updatePolicyTx(c, id, patch);
        // The version row is locked last in every transaction (after the policy rows): no lock cycle.
        if (result !== undefined) await c.query(BUMP_POLICIES_VERSION);
        return result;
      }),
    );
  }

  private async updatePolicyTx(c: PoolConnection, id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined> {
    const [rows] = await c.query<PolicyRow[]>(`${POLICY_SELECT} WHERE id = ? FOR UPDATE`, [id]);
    if (!rows[0]) return undefined;
    const old = toPolicy(rows[0]);
    const name = patch.name === undefined ? old.name : patch.name.normalize('NFC');
    let policy: Policy = {
      ...old,
      name,
      query: patch.query ?? old.query,
      description: patch.description ?? old.description,
      resolution: patch.resolution ?? old.resolution,
      platforms: patch.platforms ?? old.platforms,
      critical: patch.critical ?? old.critical,
      updatedAt: new Date(),
    };
    const queryChanged = policy.query !== old.query;
    const platformsChanged = policy.platforms !== old.platforms;
    if (queryChanged || platformsChanged) policy = { ...policy, queryChangedAt: policy.updatedAt };
    try {
      await c.query('UPDATE policies SET ? WHERE id = ?', [
        {
          name,
          query: policy.query,
          description: policy.description,
          resolution: policy.resolution,
          platforms: policy.platforms,
          critical: policy.critical ? 1 : 0,
          checksum: checksum(policy.teamId, name),
          updated_at: policy.updatedAt,
          ...(policy.queryChangedAt === undefined ? {} : { query_changed_at: policy.queryChangedAt }),
        },
        id,
      ]);
    } catch (err) {
      if (isDuplicate(err)) throw osqsimError('STORE_CONFLICT', { what: `policy "${name}"` });
      throw err;
    }
    return { policy, queryChanged, platformsChanged };
  }

  async deletePolicies(policyIds: readonly number[]): Promise<number[]> {
    const wanted = ids(policyIds);
    if (wanted.length === 0) return [];
    return this.run(() =>
      this.tx(async (c) => {
        const [rows] = await c.query<RowDataPacket[]>('SELECT id FROM policies WHERE id IN (?) ORDER BY id FOR UPDATE', [wanted]);
        const existing = rows.map((r) => Number(r.id));
        await this.deletePoliciesTx(c, existing);
        if (existing.length > 0) await c.query(BUMP_POLICIES_VERSION);
        return existing;
      }),
    );
  }

  private async deletePoliciesTx(c: PoolConnection, policyIds: readonly number[]): Promise<void> {
    if (policyIds.length === 0) return;
    await c.query('DELETE FROM policy_membership WHERE policy_id IN (?)', [policyIds]);
    await c.query('DELETE FROM policy_stats WHERE policy_id IN (?)', [policyIds]);
    await c.query('DELETE FROM policies WHERE id IN (?)', [policyIds]);
    for (const key of this.clearCursors.keys()) {
      if (policyIds.includes(Number(key.split(':')[0]))) this.clearCursors.delete(key);
    }
  }

  async applyPolicySpecs(
    specs: readonly PolicySpecInput[],
  ): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>> {
    return this.run(() =>
      this.tx(async (c) => {
        for (const teamId of new Set(specs.map((s) => s.teamId))) await this.assertTeam(c, teamId);
        const out: Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }> = [];
        for (const spec of specs) {
          const name = spec.name.normalize('NFC');
          const fields = {
            query: spec.query,
            description: spec.description ?? '',
            resolution: spec.resolution ?? '',
            platforms: spec.platforms ?? '',
            critical: spec.critical ?? false,
          };
          const [found] = await c.query<RowDataPacket[]>('SELECT id FROM policies WHERE checksum = ? FOR UPDATE', [
            checksum(spec.teamId, name),
          ]);
          let id = found[0] ? Number(found[0].id) : undefined;
          if (id === undefined) {
            // Upsert at the source (as Fleet does): a concurrent apply of the same new (team, name)
            // may insert it between the SELECT and here. ON DUPLICATE KEY waits for that insert and
            // then locks the row; its update sets a value no committed row holds (updated_at is
            // rewritten below), so 2 affected rows means "existed" even with CLIENT_FOUND_ROWS.
            const inserted = await this.upsertPolicyRow(c, { teamId: spec.teamId, name, ...fields });
            if (inserted.created) {
              out.push({ policy: inserted.policy, result: 'created' });
              continue;
            }
            id = inserted.policy.id;
          }
          const result = (await this.updatePolicyTx(c, id, fields))!;
          out.push({ policy: result.policy, result });
        }
        if (out.length > 0) await c.query(BUMP_POLICIES_VERSION);
        return out;
      }),
    );
  }

  // --- membership -------------------------------------------------------------------------

  async recordPolicyResults(
    batch: readonly HostPolicyResults[],
    options: { trackChanges?: boolean } = {},
  ): Promise<RecordResultsOutcome> {
    // Last write of a cell (and of a host's timestamp) wins, as it would in the memory store.
    const cells = new Map<string, { policyId: number; hostId: number; passes: PolicyPasses; at: string }>();
    const hostTimes = new Map<number, Date>();
    let rowsWritten = 0;
    for (const entry of batch) {
      const at = sqlDatetime(entry.reportedAt);
      for (const r of entry.results) {
        cells.set(`${r.policyId}:${entry.hostId}`, { policyId: r.policyId, hostId: entry.hostId, passes: r.passes, at });
        rowsWritten++;
      }
      hostTimes.set(entry.hostId, entry.reportedAt);
    }
    if (hostTimes.size === 0) return { rowsWritten: 0, changes: [] };
    const rows = [...cells.values()].sort((a, b) => a.policyId - b.policyId || a.hostId - b.hostId);
    const hostIds = [...hostTimes.keys()].sort((a, b) => a - b);

    // Lock order everywhere: hosts rows first, then their membership rows (enroll, move, delete do the same).
    // host_team_id comes from the hosts row this transaction has just locked (UPDATE hosts first):
    // known teams are written as literals, otherwise one session variable per host read by a
    // primary-key lookup (NULL when the host does not exist).
    const statements = (teamOf?: ReadonlyMap<number, number | null>): string[] => {
      const out: string[] = [];
      for (const chunk of chunks(hostIds, BULK_ROWS)) out.push(hostsTouchSql(chunk, hostTimes));
      if (rows.length === 0) return out;
      if (teamOf === undefined) {
        for (const chunk of chunks(hostIds, BULK_ROWS)) {
          out.push(`SET ${chunk.map((id) => `@osqsim_t${id} = (SELECT COALESCE(team_id, 0) FROM hosts WHERE id = ${id})`).join(', ')}`);
        }
      }
      const team = (hostId: number): string => {
        if (teamOf === undefined) return `@osqsim_t${hostId}`;
        return teamOf.has(hostId) ? String(teamOf.get(hostId) ?? 0) : 'NULL';
      };
      for (const chunk of chunks(rows, BULK_ROWS)) {
        out.push(
          `INSERT INTO policy_membership (policy_id, host_id, passes, updated_at, host_team_id) VALUES ${chunk
            .map((r) => `(${r.policyId},${r.hostId},${passesSql(r.passes)},'${r.at}',${team(r.hostId)})`)
            .join(',')} ON DUPLICATE KEY UPDATE passes = VALUES(passes), updated_at = VALUES(updated_at), host_team_id = VALUES(host_team_id)`,
        );
      }
      return out;
    };

    return this.run(async () => {
      for (let attempt = 1; ; attempt++) {
        const conn = await this.ingestPool.getConnection();
        try {
          let changes: MembershipChange[] = [];
          if (options.trackChanges && rows.length > 0) {
            const previous = await this.previousValues(conn, rows, hostIds);
            changes = previous.changes;
            await conn.query(`${statements(previous.teamOf).join(';\n')};\nCOMMIT`);
          } else {
            await conn.query(`START TRANSACTION;\n${statements().join(';\n')};\nCOMMIT`);
          }
          conn.release();
          return { rowsWritten, changes };
        } catch (err) {
          await abandon(conn);
          if (isDeadlock(err) && attempt < TX_ATTEMPTS) continue;
          throw err;
        }
      }
    });
  }

  /**
   * Opens the transaction, locks the batch's hosts and then their existing cells, and returns how
   * each cell changes (for delta strategies). Every writer of a host's cells locks the host row
   * first, so no cell can appear or change underneath; hosts that do not exist report no change
   * (their rows are never counted).
   */
  private async previousValues(
    conn: PoolConnection,
    rows: ReadonlyArray<{ policyId: number; hostId: number; passes: PolicyPasses }>,
    hostIds: readonly number[],
  ): Promise<{ changes: MembershipChange[]; teamOf: Map<number, number | null> }> {
    const policyIds = ids(rows.map((r) => r.policyId));
    const [results] = await conn.query<RowDataPacket[][]>(
      `START TRANSACTION;
       SELECT id, team_id FROM hosts WHERE id IN (?) ORDER BY id FOR UPDATE;
       SELECT policy_id, host_id, passes FROM policy_membership WHERE host_id IN (?) AND policy_id IN (?) FOR UPDATE`,
      [hostIds, hostIds, policyIds],
    );
    const [, teams, previous] = results as unknown as [unknown, RowDataPacket[], RowDataPacket[]];
    const before = new Map<string, PolicyPasses>();
    for (const r of previous) before.set(`${r.policy_id}:${r.host_id}`, toPasses(r.passes as number | null));
    const teamOf = new Map<number, number | null>();
    for (const t of teams) teamOf.set(Number(t.id), t.team_id === null ? null : Number(t.team_id));
    const changes: MembershipChange[] = [];
    for (const r of rows) {
      const key = `${r.policyId}:${r.hostId}`;
      const old = before.has(key) ? before.get(key) : undefined;
      if (old === r.passes || !teamOf.has(r.hostId)) continue;
      changes.push({ policyId: r.policyId, hostId: r.hostId, hostTeamId: teamOf.get(r.hostId)!, before: old, after: r.passes });
    }
    return { changes: collapseChanges(changes), teamOf };
  }

  async hostMembership(hostId: number): Promise<MembershipRow[]> {
    return this.run(async () =>
      (
        await this.rows<CellRow>(
          'SELECT policy_id, host_id, passes, updated_at FROM policy_membership WHERE host_id = ? ORDER BY policy_id',
          [hostId],
        )
      ).map((r) => ({ policyId: r.policy_id, hostId: r.host_id, passes: toPasses(r.passes), updatedAt: r.updated_at! })),
    );
  }

  async getMembership(policyId: number, hostId: number): Promise<PolicyPasses | undefined> {
    return this.run(async () => {
      const rows = await this.rows<CellRow>('SELECT passes FROM policy_membership WHERE policy_id = ? AND host_id = ?', [
        policyId, hostId,
      ]);
      return rows[0] ? toPasses(rows[0].passes) : undefined;
    });
  }

  async clearPolicyMembershipBatch(
    policyId: number,
    limit: number,
    keepPlatforms?: string,
    olderThan?: Date,
  ): Promise<readonly MembershipChange[]> {
    if (limit <= 0) return [];
    const keep = keepPlatforms === undefined ? undefined : platformList(keepPlatforms);
    // Rows that stay (kept platforms, fresh answers) are stepped over with a host_id cursor.
    const filtered = keep !== undefined || olderThan !== undefined;
    const cursorKey = `${policyId}:${keep?.join(',') ?? '*'}:${olderThan?.getTime() ?? ''}`;
    const fresh = olderThan === undefined ? '' : ` AND pm.updated_at < '${sqlDatetime(olderThan)}'`;
    return this.run(async () => {
      // 1. Candidates, by a plain read that locks nothing.
      const candidatesAfter = async (after: number): Promise<RowDataPacket[]> => {
        if (keep === undefined) {
          return this.rows(
            `SELECT pm.host_id, h.team_id, h.id IS NULL AS orphan FROM policy_membership pm
               LEFT JOIN hosts h ON h.id = pm.host_id
              WHERE pm.policy_id = ? AND pm.host_id > ?${fresh} ORDER BY pm.host_id LIMIT ?`,
            [policyId, after, limit],
          );
        }
        const platformCondition = keep.length === 0 ? 'FALSE' : "(h.fleet_platform = '' OR h.fleet_platform NOT IN (?))";
        return this.rows(
          `SELECT pm.host_id, h.team_id, h.id IS NULL AS orphan FROM policy_membership pm
             LEFT JOIN hosts h ON h.id = pm.host_id
            WHERE pm.policy_id = ? AND pm.host_id > ?${fresh} AND (h.id IS NULL OR ${platformCondition})
            ORDER BY pm.host_id LIMIT ?`,
          keep.length === 0 ? [policyId, after, limit] : [policyId, after, keep, limit],
        );
      };
      for (;;) {
        const after = filtered ? this.clearCursors.get(cursorKey) ?? 0 : 0;
        let candidates = await candidatesAfter(after);
        // The end of a pass: one more from the start catches rows committed behind the cursor.
        if (candidates.length === 0 && after > 0) candidates = await candidatesAfter(0);
        if (candidates.length === 0) {
          this.clearCursors.delete(cursorKey);
          return [];
        }
        const hostIds = candidates.map((r) => Number(r.host_id));
        const teamOf = new Map(candidates.map((r) => [Number(r.host_id), r.team_id === null ? null : Number(r.team_id)]));
        // 2. Lock exactly those cells by primary key, read their values, delete them (fresh ones stay).
        const removed = await this.tx(async (c) => {
          const [locked] = await c.query<CellRow[]>(
            `SELECT host_id, passes FROM policy_membership pm WHERE policy_id = ? AND host_id IN (?)${fresh} ORDER BY host_id FOR UPDATE`,
            [policyId, hostIds],
          );
          if (locked.length === 0) return [];
          await c.query('DELETE FROM policy_membership WHERE policy_id = ? AND host_id IN (?)', [
            policyId, locked.map((r) => r.host_id),
          ]);
          return locked.map((r): MembershipChange => ({
            policyId, hostId: r.host_id, hostTeamId: teamOf.get(r.host_id) ?? null, before: toPasses(r.passes), after: undefined,
          }));
        });
        if (filtered) this.clearCursors.set(cursorKey, hostIds[hostIds.length - 1]!);
        // Every candidate went or was refreshed meanwhile: look further (empty means finished).
        if (removed.length > 0) return removed;
      }
    });
  }

  async countMembership(): Promise<number> {
    return this.run(async () => Number((await this.rows('SELECT COUNT(*) AS n FROM policy_membership'))[0]!.n));
  }

  // --- counts -----------------------------------------------------------------------------

  /**
   * Counts of existing hosts only (rows of deleted hosts are never counted), read with one plain
   * consistent-read scan of policy_membership that locks nothing and joins nothing: rows carry
   * their host's team (host_team_id: 0 = no team, NULL = no such host, not counted), so
   * `GROUP BY policy_id, host_team_id` gives every scope at once; overall and inherited rows are
   * summed here. A subset of policies reads only those policies' primary-key ranges.
   */
  async computePolicyCounts(policyIds?: readonly number[]): Promise<ComputedCounts> {
    return this.run(async () => {
      const policies = policyIds === undefined
        ? await this.rows('SELECT id, team_id FROM policies ORDER BY id')
        : policyIds.length === 0
          ? []
          : await this.rows('SELECT id, team_id FROM policies WHERE id IN (?) ORDER BY id', [ids(policyIds)]);
      if (policies.length === 0) return { counts: [], rowsScanned: 0 };
      const teams = (await this.rows('SELECT id FROM teams ORDER BY id')).map((r) => Number(r.id));
      const scan = `SELECT policy_id, host_team_id AS team_id, SUM(passes = 1) AS passing, SUM(passes = 0) AS failing, COUNT(*) AS n
                      FROM policy_membership`;
      const groups = (policyIds === undefined
        ? await this.rows(`${scan} GROUP BY policy_id, host_team_id ORDER BY NULL`)
        : await this.rows(`${scan} WHERE policy_id IN (?) GROUP BY policy_id, host_team_id ORDER BY NULL`, [
          policies.map((p) => Number(p.id)),
        ])
      ).filter((r) => r.team_id !== null);
      const overall = new Map<number, { passing: number; failing: number }>();
      const perTeam = new Map<string, { passing: number; failing: number }>();
      let rowsScanned = 0;
      for (const r of groups) {
        const policyId = Number(r.policy_id);
        const passing = Number(r.passing ?? 0);
        const failing = Number(r.failing ?? 0);
        rowsScanned += Number(r.n);
        const total = overall.get(policyId) ?? { passing: 0, failing: 0 };
        overall.set(policyId, { passing: total.passing + passing, failing: total.failing + failing });
        perTeam.set(`${policyId}:${Number(r.team_id)}`, { passing, failing });
      }
      const scopes = [0, ...teams];
      const counts: CountRow[] = [];
      for (const p of policies) {
        const policyId = Number(p.id);
        counts.push({ policyId, inheritedTeamId: null, ...(overall.get(policyId) ?? { passing: 0, failing: 0 }) });
        if (p.team_id !== null) continue;
        for (const scope of scopes) {
          counts.push({ policyId, inheritedTeamId: scope, ...(perTeam.get(`${policyId}:${scope}`) ?? { passing: 0, failing: 0 }) });
        }
      }
      if (policyIds === undefined) {
        // The full walk also saw rows of policies deleted meanwhile; they are not part of the answer.
        const known = new Set(policies.map((p) => Number(p.id)));
        rowsScanned = groups.filter((r) => known.has(Number(r.policy_id))).reduce((sum, r) => sum + Number(r.n), 0);
      }
      return { counts, rowsScanned };
    });
  }

  async upsertPolicyCounts(counts: readonly CountRow[], updatedAt: Date): Promise<void> {
    await this.writeCounts(counts, updatedAt, false);
  }

  async addPolicyCountDeltas(deltas: readonly CountRow[], updatedAt: Date): Promise<void> {
    const summed = new Map<string, CountRow>();
    for (const d of deltas) {
      const key = `${d.policyId}:${d.inheritedTeamId ?? 'global'}`;
      const old = summed.get(key);
      summed.set(key, old ? { ...old, passing: old.passing + d.passing, failing: old.failing + d.failing } : { ...d });
    }
    await this.writeCounts([...summed.values()], updatedAt, true);
  }

  private async writeCounts(counts: readonly CountRow[], updatedAt: Date, add: boolean): Promise<void> {
    if (counts.length === 0) return;
    // Last row of a key wins within one call, as in the memory store.
    const byKey = new Map<string, CountRow>();
    for (const c of counts) byKey.set(`${c.policyId}:${c.inheritedTeamId ?? 'global'}`, c);
    const sorted = [...byKey.values()].sort(
      (a, b) => a.policyId - b.policyId || (a.inheritedTeamId ?? -1) - (b.inheritedTeamId ?? -1),
    );
    const update = add
      ? 'passing_host_count = passing_host_count + VALUES(passing_host_count), failing_host_count = failing_host_count + VALUES(failing_host_count)'
      : 'passing_host_count = VALUES(passing_host_count), failing_host_count = VALUES(failing_host_count)';
    return this.run(async () => {
      for (const chunk of chunks(sorted, COUNT_ROWS)) {
        await this.exec(
          `INSERT INTO policy_stats (policy_id, inherited_team_id, passing_host_count, failing_host_count, updated_at) VALUES ?
           ON DUPLICATE KEY UPDATE ${update}, updated_at = VALUES(updated_at)`,
          [chunk.map((c) => [c.policyId, c.inheritedTeamId, c.passing, c.failing, updatedAt])],
        );
      }
    });
  }

  async readPolicyCounts(policyIds?: readonly number[]): Promise<PolicyCount[]> {
    if (policyIds !== undefined && policyIds.length === 0) return [];
    return this.run(async () => {
      const where = policyIds === undefined ? '' : ' WHERE ps.policy_id IN (?)';
      const rows = await this.rows(
        `SELECT ps.policy_id, ps.inherited_team_id, ps.passing_host_count, ps.failing_host_count, ps.updated_at
           FROM policy_stats ps JOIN policies p ON p.id = ps.policy_id${where}
          ORDER BY ps.policy_id, ps.inherited_team_id IS NOT NULL, ps.inherited_team_id`,
        policyIds === undefined ? [] : [ids(policyIds)],
      );
      return rows.map((r) => ({
        policyId: Number(r.policy_id),
        inheritedTeamId: r.inherited_team_id === null ? null : Number(r.inherited_team_id),
        passing: Number(r.passing_host_count),
        failing: Number(r.failing_host_count),
        updatedAt: r.updated_at as Date,
      }));
    });
  }

  async deletePolicyCounts(policyId: number): Promise<void> {
    return this.run(async () => {
      await this.exec('DELETE FROM policy_stats WHERE policy_id = ?', [policyId]);
    });
  }

  // --- leases and runs --------------------------------------------------------------------

  /** Reference §5.2: extend if owned, steal if expired, create if absent — on the database clock. */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const micros = Math.max(0, Math.round(ttlMs * 1000));
    return this.run(async () => {
      const extended = await this.exec(
        'UPDATE locks SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE name = ? AND owner = ?',
        [micros, name, owner],
      );
      if (extended.affectedRows > 0) return true;
      const stolen = await this.exec(
        'UPDATE locks SET owner = ?, expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE name = ? AND expires_at < UTC_TIMESTAMP(3)',
        [owner, micros, name],
      );
      if (stolen.affectedRows > 0) return true;
      const created = await this.exec(
        'INSERT IGNORE INTO locks (name, owner, expires_at) VALUES (?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)',
        [name, owner, micros],
      );
      return created.affectedRows === 1;
    });
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    return this.run(async () => {
      await this.exec('DELETE FROM locks WHERE name = ? AND owner = ?', [name, owner]);
    });
  }

  async recordStatsRun(run: StatsRun): Promise<StatsRun> {
    return this.run(async () => {
      const result = await this.exec(
        `INSERT INTO stats_runs (strategy, instance, started_at, duration_ms, rows_scanned, policies_updated, drift)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [run.strategy, run.instance, run.startedAt, run.durationMs, run.rowsScanned, run.policiesUpdated, run.drift],
      );
      return { ...run, id: result.insertId };
    });
  }

  async listStatsRuns(limit: number): Promise<StatsRun[]> {
    return this.run(async () => {
      const rows = await this.rows('SELECT * FROM stats_runs ORDER BY id DESC LIMIT ?', [Math.max(0, Math.floor(limit))]);
      return rows.map((r) => ({
        id: Number(r.id),
        strategy: String(r.strategy),
        instance: String(r.instance),
        startedAt: r.started_at as Date,
        durationMs: Number(r.duration_ms),
        rowsScanned: Number(r.rows_scanned),
        policiesUpdated: Number(r.policies_updated),
        drift: Number(r.drift),
      }));
    });
  }
}

/** UPDATE of the batch's hosts: policy_updated_at per host (one CASE when times differ), refetch cleared. */
function hostsTouchSql(hostIds: readonly number[], times: ReadonlyMap<number, Date>): string {
  const distinct = new Set(hostIds.map((id) => times.get(id)!.getTime()));
  const value = distinct.size === 1
    ? `'${sqlDatetime(times.get(hostIds[0]!)!)}'`
    : `CASE id ${hostIds.map((id) => `WHEN ${id} THEN '${sqlDatetime(times.get(id)!)}'`).join(' ')} END`;
  // Single-table UPDATE assigns left to right, so updated_at takes the new policy_updated_at.
  return `UPDATE hosts SET policy_updated_at = ${value}, refetch_requested = 0, updated_at = policy_updated_at WHERE id IN (${hostIds.join(',')})`;
}

/** Rolls back and returns the connection, or drops it when the rollback itself fails. */
async function abandon(conn: PoolConnection): Promise<void> {
  try {
    await conn.query('ROLLBACK');
    conn.release();
  } catch {
    conn.destroy();
  }
}
