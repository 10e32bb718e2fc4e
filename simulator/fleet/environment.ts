/**
 * The osquery environment the evaluator runs policies in: the table catalogue per platform and
 * osquery's SQLite functions. Production uses simulator/fleet/catalogue.ts and sql-functions.ts;
 * tests pass a small catalogue as plain data (it crosses into worker threads).
 */
import type { CatalogPlatform, CatalogTable, OsqueryEnvironment } from './evaluator.js';
import { catalogPlatformOf, fleetdTablesForPlatform, tablesForPlatform } from './catalogue.js';
import { registerOsqueryFunctions } from './sql-functions.js';

/** A catalogue as data: its tables, and raw platform → catalogue platform. */
export interface EnvironmentData {
  tables: CatalogTable[];
  platforms: Record<string, CatalogPlatform>;
}

export function environmentFromData(data: EnvironmentData): OsqueryEnvironment {
  return {
    tablesForPlatform: (p) => data.tables.filter((t) => t.platforms.includes(p)),
    fleetPlatformOf: (raw) => data.platforms[raw] ?? '',
  };
}

/** The real catalogue and osquery's SQL functions. */
export function osqueryEnvironment(): OsqueryEnvironment {
  return { tablesForPlatform, fleetdTablesForPlatform, fleetPlatformOf: catalogPlatformOf, registerFunctions: registerOsqueryFunctions };
}

export function loadEnvironment(data?: EnvironmentData): OsqueryEnvironment {
  return data ? environmentFromData(data) : osqueryEnvironment();
}
