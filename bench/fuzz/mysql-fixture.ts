/**
 * Fuzz fixtures on one MySQL database, as cheap to reset as the memory store's: the database is
 * migrated and seeded once, and every store table's rows are saved beside it (fuzz_seeded_<table>,
 * copied by the server: DATETIME(3), JSON and BINARY come back exactly). Then
 *  - restore() puts the saved rows back in place, in one transaction and one round trip (DELETE
 *    and INSERT … SELECT per table) under the running server: REST holders only, as the memory
 *    store's (FuzzFixture.restore);
 *  - make() after the first restores the rows and builds a new store and server over them (no
 *    seeding, the ids are the saved ones): the reset of holders whose routes go through the host
 *    and auth caches, which a new server starts empty;
 *  - state() reads what a rejected request must leave as it was in one round trip: CHECKSUM TABLE
 *    (every column of every row) and the row count of each table, instead of storeState's reads of
 *    every entity through the Store interface.
 * One fixture at a time: make() refuses while the last one is open, since restoring the rows under
 * another live server would go behind its caches.
 */
import { createHash } from 'node:crypto';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { mysqlConnectionOptions } from '../../server/store/mysql/connection.js';
import { MysqlStore, TABLES } from '../../server/store/mysql/index.js';
import { startFuzzFixture, type FuzzFixture, type FuzzIds, type StoreState } from './fixture.js';

/** Tables a rejected request may change, and why (storeState leaves the same out). */
export const UNCHECKED_TABLES: Readonly<Record<string, string>> = {
  host_seen_times: "seen times move on any authenticated request (as Fleet's last-seen)",
};

/** The tables state() reads: every store table but the unchecked ones. */
export const CHECKED_TABLES: readonly string[] = TABLES.filter((table) => !(table in UNCHECKED_TABLES));

const savedName = (table: string): string => `fuzz_seeded_${table}`;
const id = (name: string): string => mysql.escapeId(name);

export interface MysqlFuzzFixtures {
  /** The seeded fixture: migrated and seeded at the first call; the saved rows and a new server at the next ones. */
  make(): Promise<FuzzFixture>;
  /** Closes the connection the saves, restores and checksums use (the database is the caller's to drop). */
  close(): Promise<void>;
}

export interface MysqlFuzzFixtureOptions {
  /** Opens each fixture's store (default: a MysqlStore; the fuzz self-check passes one with seeded bugs). */
  readonly openStore?: (url: string) => MysqlStore;
}

/** Fixtures on the database of `url` (empty or missing: it is migrated and seeded at the first make()). */
export function mysqlFuzzFixtures(url: string, fixtureOptions: MysqlFuzzFixtureOptions = {}): MysqlFuzzFixtures {
  const { connection: options, database } = mysqlConnectionOptions(url);
  let connection: Connection | undefined;
  let saved: FuzzIds | undefined;
  let live = false;

  const connect = async (): Promise<Connection> => (connection ??= await mysql.createConnection({ ...options, database, multipleStatements: true }));

  async function restore(): Promise<void> {
    const conn = await connect();
    const statements = TABLES.flatMap((table) => [`DELETE FROM ${id(table)}`, `INSERT INTO ${id(table)} SELECT * FROM ${id(savedName(table))}`]);
    try {
      await conn.query(['SET FOREIGN_KEY_CHECKS = 0', 'START TRANSACTION', ...statements, 'COMMIT', 'SET FOREIGN_KEY_CHECKS = 1'].join(';\n'));
    } catch (error) {
      await conn.query('ROLLBACK; SET FOREIGN_KEY_CHECKS = 1').catch(() => undefined);
      throw error;
    }
  }

  async function state(): Promise<StoreState> {
    const conn = await connect();
    const counting = CHECKED_TABLES.map((table) => `SELECT ${mysql.escape(table)} AS name, COUNT(*) AS n FROM ${id(table)}`).join(' UNION ALL ');
    const [results] = await conn.query<RowDataPacket[][]>(`CHECKSUM TABLE ${CHECKED_TABLES.map(id).join(', ')}; ${counting}`);
    const [checksums, counts] = results as [RowDataPacket[], RowDataPacket[]];
    // CHECKSUM TABLE answers NULL for a table it could not read: that must fail the run, not compare equal.
    if (checksums.some((row) => row['Checksum'] === null)) throw new Error(`CHECKSUM TABLE could not read: ${JSON.stringify(checksums)}`);
    const text = checksums.map((row) => `${row['Table']}=${row['Checksum']}`).join('\n');
    return {
      counts: Object.fromEntries(counts.map((row) => [String(row['name']), Number(row['n'])])),
      digest: createHash('sha256').update(text).digest('hex'),
    };
  }

  /** Copies every store table's rows beside it (replacing an earlier copy). */
  async function save(): Promise<void> {
    const conn = await connect();
    const statements = TABLES.flatMap((table) => [
      `DROP TABLE IF EXISTS ${id(savedName(table))}`,
      `CREATE TABLE ${id(savedName(table))} LIKE ${id(table)}`,
      `INSERT INTO ${id(savedName(table))} SELECT * FROM ${id(table)}`,
    ]);
    await conn.query(statements.join(';\n'));
  }

  return {
    async make() {
      if (live) throw new Error('mysqlFuzzFixtures: close the last fixture before making the next (a restore under a live server goes behind its caches)');
      const first = saved === undefined;
      if (!first) await restore();
      const store = (fixtureOptions.openStore ?? ((u) => new MysqlStore(u)))(url);
      live = true;
      const dispose = async (): Promise<void> => {
        live = false;
        await store.close();
      };
      let fixture: FuzzFixture;
      try {
        // The first store migrates the database; later ones open it as the saved rows left it.
        if (first) await store.migrate();
        fixture = await startFuzzFixture(store, { dispose, restore, state, ...(saved === undefined ? {} : { seeded: saved }) });
      } catch (error) {
        await dispose();
        throw error;
      }
      if (first) {
        await save();
        saved = fixture.ids;
      }
      return fixture;
    },
    async close() {
      await connection?.end();
      connection = undefined;
    },
  };
}
