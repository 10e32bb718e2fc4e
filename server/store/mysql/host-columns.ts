/** The hosts table's columns a host-details patch writes (hosts.ts), which vitals.ts's column map extends. */
import type { HostDetailsPatch } from '../types.js';

export const HOST_PATCH_COLUMNS: Record<keyof HostDetailsPatch, string> = {
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
