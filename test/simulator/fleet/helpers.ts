import type { Database, SqlJsStatic } from 'sql.js';

import type { TableRow } from '../../../contract/fleet-spec.js';
import { createTableSql, fleetdTablesForPlatform, tablesForPlatform, type Platform } from '../../../simulator/fleet/catalogue.js';
import { registerOsqueryFunctions } from '../../../simulator/fleet/sql-functions.js';

/** A host's database as the simulator builds it: every catalogue table of the platform, the group's rows in them. */
export function hostDatabase(SQL: SqlJsStatic, platform: Platform, group?: { tables: Record<string, TableRow[]> }): Database {
  const db = new SQL.Database();
  registerOsqueryFunctions(db);
  for (const table of tablesForPlatform(platform)) db.run(createTableSql(table, platform));
  // A group that reports orbit_info runs fleetd: orbit's extension tables exist too (evaluator.ts runsFleetd).
  if ((group?.tables['orbit_info']?.length ?? 0) > 0) for (const table of fleetdTablesForPlatform(platform)) db.run(createTableSql(table, platform));
  for (const [name, rows] of Object.entries(group?.tables ?? {})) {
    for (const row of rows) {
      const columns = Object.keys(row);
      db.run(
        `INSERT INTO "${name}" (${columns.map((column) => `"${column}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        columns.map((column) => row[column] ?? null),
      );
    }
  }
  return db;
}

export function passes(db: Database, sql: string): boolean {
  const results = db.exec(sql);
  return results.length > 0 && (results[results.length - 1]?.values.length ?? 0) > 0;
}

