/**
 * The osquery environment the evaluator runs policies in: the table catalogue per platform and
 * osquery's SQLite functions. Production uses simulator/fleet/catalogue.ts and sql-functions.ts;
 * tests pass a module of their own (`environmentModule`) that exports `environment`.
 */
import type { OsqueryEnvironment } from './evaluator.js';
import { fleetPlatformOf, tablesForPlatform } from './catalogue.js';
import { registerOsqueryFunctions } from './sql-functions.js';

/** Module specifier (file URL or path) of a module exporting `environment: OsqueryEnvironment`. */
export type EnvironmentModule = string;

export async function loadEnvironment(module?: EnvironmentModule): Promise<OsqueryEnvironment> {
  if (module !== undefined) {
    const loaded = (await import(module)) as { environment?: OsqueryEnvironment };
    if (!loaded.environment) throw new Error(`${module} does not export "environment"`);
    return loaded.environment;
  }
  return osqueryEnvironment();
}

/** The real catalogue and osquery's SQL functions. */
export function osqueryEnvironment(): OsqueryEnvironment {
  return { tablesForPlatform, fleetPlatformOf, registerFunctions: registerOsqueryFunctions };
}
