/**
 * The host-vitals ("detail") queries osqsim sends as `fleet_detail_query_<name>` (reference
 * fleet-policies.md §2.1), and how their results update the host. The SQL is osqsim's own; each
 * reads one osquery table. A query may carry its own discovery query (as some of Fleet's do);
 * the rest get "SELECT 1".
 */
import type { HostDetailsPatch } from '../store/store.js';

export type ResultRow = Readonly<Record<string, string>>;

export interface DetailQuery {
  readonly name: string;
  readonly query: string;
  readonly discovery?: string;
  /** Fields learnt from the rows; only the returned keys change. */
  ingest(rows: readonly ResultRow[]): HostDetailsPatch;
}

export const DETAIL_QUERY_PREFIX = 'fleet_detail_query_';

function first(rows: readonly ResultRow[]): ResultRow | undefined {
  return rows[0];
}

/**
 * Host columns are VARCHAR(255) (as Fleet's). Longer values an agent reports are clipped rather than
 * failing the write that carries them: Fleet logs ingestion problems and still stores the rest of
 * the request (reference §1.7), so policy results in the same write must not be lost over a hostname.
 */
export const MAX_HOST_FIELD_LENGTH = 255;

export function clipHostField(value: string): string {
  return value.length > MAX_HOST_FIELD_LENGTH ? value.slice(0, MAX_HOST_FIELD_LENGTH) : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : clipHostField(value.trim());
}

/** "Ubuntu 22.04.3 LTS"-style name from an os_version row. */
export function osVersionName(row: ResultRow): string {
  const name = (row.name ?? '').trim();
  const version = (row.version ?? '').trim();
  if (!name) return version;
  if (!version || name.includes(version)) return name;
  return `${name} ${version}`;
}

export const DETAIL_QUERIES: readonly DetailQuery[] = [
  {
    name: 'os_version',
    query: 'SELECT name, version, major, minor, patch, build, platform, platform_like, codename, arch FROM os_version LIMIT 1',
    ingest(rows) {
      const row = first(rows);
      if (!row) return {};
      const patch: HostDetailsPatch = {};
      const platform = nonEmpty(row.platform);
      if (platform) patch.platform = platform;
      const osVersion = nonEmpty(osVersionName(row));
      if (osVersion) patch.osVersion = osVersion;
      return patch;
    },
  },
  {
    name: 'osquery_info',
    query: 'SELECT version, instance_id, uuid, build_platform, start_time FROM osquery_info LIMIT 1',
    ingest(rows) {
      const version = nonEmpty(first(rows)?.version);
      return version ? { osqueryVersion: version } : {};
    },
  },
  {
    name: 'system_info',
    query: 'SELECT hostname, uuid, hardware_serial, hardware_vendor, hardware_model, cpu_brand, physical_memory FROM system_info LIMIT 1',
    ingest(rows) {
      const row = first(rows);
      if (!row) return {};
      const patch: HostDetailsPatch = {};
      const hostname = nonEmpty(row.hostname);
      if (hostname) patch.hostname = hostname;
      const uuid = nonEmpty(row.uuid);
      if (uuid) patch.uuid = uuid;
      const serial = nonEmpty(row.hardware_serial);
      if (serial) patch.hardwareSerial = serial;
      return patch;
    },
  },
  {
    name: 'uptime',
    query: 'SELECT total_seconds FROM uptime LIMIT 1',
    ingest(rows) {
      const seconds = Number(first(rows)?.total_seconds);
      return Number.isFinite(seconds) && seconds >= 0 ? { uptimeSeconds: Math.floor(seconds) } : {};
    },
  },
];

export const DETAIL_QUERIES_BY_NAME: ReadonlyMap<string, DetailQuery> = new Map(
  DETAIL_QUERIES.map((detail) => [`${DETAIL_QUERY_PREFIX}${detail.name}`, detail]),
);
