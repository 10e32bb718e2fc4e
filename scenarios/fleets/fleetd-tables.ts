/**
 * The `orbit_info` row of a fleetd host (orbit's own table, fleetdm/fleet
 * orbit/pkg/table/orbit_info). The built-in fleet adds it to its groups under `agent: fleetd` only;
 * whether a group's hosts have orbit's extension tables (simulator/fleet/catalogue.ts FLEETD_TABLES)
 * is decided by simulator/fleet/evaluator.ts runsFleetd.
 */
import type { TableRow } from '../../contract/fleet-spec.js';

export function orbitInfo(platform: string): TableRow {
  return {
    version: '1.36.0', device_auth_token: '', enrolled: 1, last_recorded_error: '', orbit_channel: 'stable', osqueryd_channel: 'stable',
    desktop_channel: platform === 'darwin' || platform === 'windows' ? 'stable' : '', desktop_version: platform === 'darwin' || platform === 'windows' ? '1.36.0' : '',
    uptime: 518400, scripts_enabled: 1,
  };
}
