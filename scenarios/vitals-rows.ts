/**
 * How many rows a group's host carries in one host-vitals write (the detail results of Fleet's
 * queries for its platform, server/osquery/detail-queries.ts), estimated from the group's tables:
 * the rows of the tables the software and users queries read, plus one row for each single-row
 * vital (os_version, osquery_info, system_info, uptime, disk space, primary interface) and the
 * osquery_flags and battery rows. Pure; the plan multiplies it by the detail writes per second.
 */
import type { FleetGroupSpec } from '../contract/fleet-spec.js';
import { fleetPlatformOf } from '../contract/platforms.js';
import { SOFTWARE_TABLES } from '../server/osquery/detail-queries.js';

/** os_version, osquery_info, system_info, uptime, disk space, primary interface. */
const SINGLE_ROW_VITALS = 6;

export interface VitalsRows {
  readonly software: number;
  readonly users: number;
  /** Everything the write carries: software + users + single-row vitals + flags + batteries. */
  readonly total: number;
}

export function vitalsRowsPerWrite(group: Pick<FleetGroupSpec, 'platform' | 'tables'>): VitalsRows {
  const platform = fleetPlatformOf(group.platform);
  const rows = (table: string): number => group.tables[table]?.length ?? 0;
  const software = (SOFTWARE_TABLES[platform] ?? []).reduce((sum, table) => sum + rows(table), 0);
  const users = rows('users');
  const extra = platform === 'chrome' ? 0 : rows('osquery_flags') + (platform === 'darwin' || platform === 'windows' ? rows('battery') : 0);
  return { software, users, total: software + users + SINGLE_ROW_VITALS + extra };
}
