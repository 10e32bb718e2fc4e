import { afterAll, beforeAll, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { createStore } from '../../../server/store/index.js';
import { MysqlStore, TABLES } from '../../../server/store/mysql/index.js';
import { MIGRATIONS } from '../../../server/store/mysql/schema.js';
import type { Store } from '../../../server/store/store.js';
import { createTestDatabase, describeMysql } from '../../helpers/mysql.js';
import { storeContract } from './contract.js';
import { queriesContract } from './queries-contract.js';

describeMysql('MySQL store', (db) => {
  let admin: mysql.Connection;

  beforeAll(async () => {
    // The first store creates the schema; later ones find it and start from empty tables.
    const store = await createStore(db.url);
    await store.close();
    admin = await mysql.createConnection(db.url);
  });
  afterAll(async () => {
    await admin?.end();
  });

  async function emptyStore(): Promise<Store> {
    for (const table of TABLES) await admin.query(`DELETE FROM ${table}`);
    return createStore(db.url, { poolSize: 4 });
  }

  storeContract('mysql', emptyStore);
  queriesContract('mysql', emptyStore);

  it('migrates idempotently and records the applied version once', async () => {
    const store = await createStore(db.url);
    await store.migrate();
    await store.migrate();
    await store.close();
    const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT version FROM schema_migrations');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const [tables] = await admin.query<mysql.RowDataPacket[]>('SHOW TABLES');
    const names = tables.map((r) => String(Object.values(r)[0]));
    for (const table of TABLES) expect(names).toContain(table);
  });

  it('upgrades teams.name to a case-insensitive unique key, renaming names that only differ by case, idempotently', async () => {
    const old = await createTestDatabase();
    const conn = await mysql.createConnection(old.url);
    try {
      let store = await createStore(old.url);
      const first = await store.createTeam('TeamA');
      await store.close();
      // Back to the version-5 schema (case-sensitive), where "teama" could be created too.
      await conn.query('ALTER TABLE teams MODIFY name VARCHAR(255) COLLATE utf8mb4_bin NOT NULL');
      await conn.query('DELETE FROM schema_migrations WHERE version = 6');
      await conn.query("INSERT INTO teams (name, description, created_at) VALUES ('teama', '', NOW(3))");
      store = await createStore(old.url);
      await store.migrate();
      const teams = await store.listTeams();
      expect(teams.map((t) => t.name)).toEqual(['TeamA', `teama (${teams[1]!.id})`]);
      expect((await store.getTeamByName('TEAMA'))?.id).toBe(first.id);
      await expect(store.createTeam('teamA')).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      await store.close();
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT version FROM schema_migrations WHERE version = 6');
      expect(rows).toHaveLength(1);
    } finally {
      await conn.end();
      await old.drop();
    }
  });

  it('upgrades a version-1 database to the change feed, keeping its hosts, also after a half-applied run', async () => {
    const old = await createTestDatabase();
    const conn = await mysql.createConnection(old.url);
    try {
      let store = await createStore(old.url);
      const { host } = await store.enrollHost(
        { osqueryHostId: 'h1', platform: 'ubuntu', hostname: 'h1', uuid: 'u', hardwareSerial: 's', osVersion: '', osqueryVersion: '' },
        'k1', null, new Date(),
      );
      await store.close();
      // Back to what version 1 created.
      await conn.query('ALTER TABLE hosts DROP KEY idx_hosts_changed_at, DROP COLUMN changed_at');
      await conn.query('DROP TABLE host_deletions, change_counters');
      await conn.query('DELETE FROM schema_migrations WHERE version = 2');
      store = await createStore(old.url);
      expect((await store.getHost(host.id))?.nodeKey).toBe('k1');
      const cursor = (await store.hostChangesSince(undefined)).cursor;
      await store.setRefetchRequested(host.id, false);
      expect((await store.hostChangesSince(cursor)).changedHostIds).toContain(host.id);
      await store.close();
      // A run that altered hosts but died before recording the version: the next start finishes it.
      await conn.query('DROP TABLE host_deletions');
      await conn.query('DELETE FROM schema_migrations WHERE version = 2');
      store = await createStore(old.url);
      await store.deleteHost(host.id);
      expect((await store.hostChangesSince(cursor)).deletedHostIds).toContain(host.id);
      await store.close();
      const [versions] = await conn.query<mysql.RowDataPacket[]>('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await conn.end();
      await old.drop();
    }
  });

  it('upgrades a version-2 database to policy_membership.host_team_id, backfilling the teams of existing rows', async () => {
    const old = await createTestDatabase();
    const conn = await mysql.createConnection(old.url);
    try {
      let store = await createStore(old.url);
      const team = await store.createTeam('t');
      const g = await store.createPolicy({ teamId: null, name: 'g', query: 'SELECT 1' });
      const identity = (id: string) => ({ osqueryHostId: id, platform: 'ubuntu', hostname: id, uuid: id, hardwareSerial: id, osVersion: '', osqueryVersion: '' });
      const a = (await store.enrollHost(identity('a'), 'ka', team.id, new Date())).host;
      const b = (await store.enrollHost(identity('b'), 'kb', null, new Date())).host;
      await store.recordPolicyResults([
        { hostId: a.id, results: [{ policyId: g.id, passes: true }], reportedAt: new Date() },
        { hostId: b.id, results: [{ policyId: g.id, passes: false }], reportedAt: new Date() },
        { hostId: 987654, results: [{ policyId: g.id, passes: true }], reportedAt: new Date() },
      ]);
      await store.close();
      await conn.query('ALTER TABLE policy_membership DROP COLUMN host_team_id');
      await conn.query('DELETE FROM schema_migrations WHERE version = 3');
      store = await createStore(old.url);
      const [cells] = await conn.query<mysql.RowDataPacket[]>('SELECT host_id, host_team_id FROM policy_membership ORDER BY host_id');
      expect(cells.map((r) => [r.host_id, r.host_team_id])).toEqual([[a.id, team.id], [b.id, 0], [987654, null]]);
      const { counts, rowsScanned } = await store.computePolicyCounts();
      expect(rowsScanned).toBe(2);
      expect(counts).toEqual([
        { policyId: g.id, inheritedTeamId: null, passing: 1, failing: 1 },
        { policyId: g.id, inheritedTeamId: 0, passing: 0, failing: 1 },
        { policyId: g.id, inheritedTeamId: team.id, passing: 1, failing: 0 },
      ]);
      await store.close();
    } finally {
      await conn.end();
      await old.drop();
    }
  });

  it('stamps hosts.changed_at on every host-changing statement, and not on last-seen', async () => {
    const store = await emptyStore();
    try {
      const team = await store.createTeam('t');
      const policy = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
      const { host } = await store.enrollHost(
        { osqueryHostId: 'h1', platform: 'ubuntu', hostname: 'h1', uuid: 'u', hardwareSerial: 's', osVersion: '', osqueryVersion: '' },
        'k1', null, new Date(),
      );
      const stamped = async (write: () => Promise<unknown>): Promise<boolean> => {
        await admin.query("UPDATE hosts SET changed_at = '2020-01-01 00:00:00.000' WHERE id = ?", [host.id]);
        await write();
        const [rows] = await admin.query<mysql.RowDataPacket[]>(
          "SELECT changed_at > '2021-01-01' AS bumped FROM hosts WHERE id = ?", [host.id],
        );
        return Number(rows[0]!.bumped) === 1;
      };
      expect(await stamped(() => store.setRefetchRequested(host.id, false))).toBe(true);
      expect(await stamped(() => store.updateHostDetails(host.id, { uptimeSeconds: 5 }))).toBe(true);
      expect(await stamped(() => store.moveHostsToTeam([host.id], team.id))).toBe(true);
      expect(await stamped(() => store.recordPolicyResults([{ hostId: host.id, results: [{ policyId: policy.id, passes: true }], reportedAt: new Date() }]))).toBe(true);
      expect(await stamped(() => store.recordPolicyResults([{ hostId: host.id, results: [], reportedAt: new Date(Date.now() + 1000) }]))).toBe(true);
      expect(await stamped(() => store.enrollHost(
        { osqueryHostId: 'h1', platform: 'ubuntu', hostname: 'h1', uuid: 'u', hardwareSerial: 's', osVersion: '', osqueryVersion: '' },
        'k2', team.id, new Date(),
      ))).toBe(true);
      expect(await stamped(() => store.deleteTeam(team.id))).toBe(true);
      expect(await stamped(() => store.markHostsSeen([host.id], new Date()))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('the change feed still reports a host change whose transaction commits late (within the overlap)', async () => {
    const store = await emptyStore();
    const writer = await mysql.createConnection(db.url);
    try {
      const { host } = await store.enrollHost(
        { osqueryHostId: 'h1', platform: 'ubuntu', hostname: 'h1', uuid: 'u', hardwareSerial: 's', osVersion: '', osqueryVersion: '' },
        'k1', null, new Date(),
      );
      let cursor = (await store.hostChangesSince(undefined)).cursor;
      await writer.query("SET time_zone = '+00:00'");
      await writer.query('START TRANSACTION');
      await writer.query("UPDATE hosts SET hostname = 'late' WHERE id = ?", [host.id]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      cursor = (await store.hostChangesSince(cursor)).cursor; // polled while the change is uncommitted
      await new Promise((resolve) => setTimeout(resolve, 300));
      await writer.query('COMMIT');
      expect((await store.hostChangesSince(cursor)).changedHostIds).toContain(host.id);
    } finally {
      await writer.end();
      await store.close();
    }
  });

  it('creates the database named in the URL when it is missing', async () => {
    const url = new URL(db.url);
    url.pathname = `/${db.name}_fresh`;
    const store = await createStore(url.toString());
    try {
      expect(await store.listTeams()).toEqual([]);
    } finally {
      await store.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${db.name}_fresh\``);
    }
  });

  it('an unreachable database is STORE_UNAVAILABLE, at start and afterwards', async () => {
    await expect(createStore('mysql://root@127.0.0.1:1/osqsim')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    const store = new MysqlStore('mysql://root@127.0.0.1:1/osqsim');
    await expect(store.getHostByNodeKey('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    await expect(store.recordPolicyResults([{ hostId: 1, results: [{ policyId: 1, passes: true }], reportedAt: new Date() }]))
      .rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await store.close();
  });

  it('a closed pool is STORE_UNAVAILABLE', async () => {
    const store = await createStore(db.url);
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.listHosts({})).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('recovers by itself when its connections are killed', async () => {
    const store = await createStore(db.url, { poolSize: 2 });
    try {
      await Promise.all([store.ping(), store.ping(), store.listTeams()]);
      const [conns] = await admin.query<mysql.RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
        [db.name],
      );
      expect(conns.length).toBeGreaterThan(0);
      for (const c of conns) await admin.query(`KILL ${Number(c.ID)}`).catch(() => undefined);
      let ok = false;
      for (let attempt = 0; attempt < 5 && !ok; attempt++) {
        try {
          await store.ping();
          ok = true;
        } catch (err) {
          expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
        }
      }
      expect(ok).toBe(true);
      expect(await store.listTeams()).toBeInstanceOf(Array);
    } finally {
      await store.close();
    }
  });
});
