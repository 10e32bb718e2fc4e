/**
 * The body of an agent's enroll request (osquery's TLS enroll: enroll_secret, host_identifier,
 * platform_type and host_details). The group's part is built once as JSON fragments; each host's
 * identity (uuid, hostname, serial) is spliced in, so an enrolment wave builds strings, not objects.
 */
import type { FleetGroupSpec } from '../contract/fleet-spec.js';
import type { HostIdentity } from './identity.js';

/** JSON fragments of a group's enroll request, ready to splice. */
export interface EnrollBodyParts {
  secret: string;
  platformType: string;
  platform: string;
  version: string;
  osVersion: string;
  osqueryInfoExtra: string;
  systemInfoExtra: string;
}

/** JSON fragments of a group's enroll request (host_details from its tables, identity fields left out). */
export function enrollBodyParts(group: FleetGroupSpec, defaultSecret: string): EnrollBodyParts {
  const first = (table: string, omit: readonly string[]): Record<string, string> => {
    const row = group.tables[table]?.[0];
    const out: Record<string, string> = {};
    if (row) for (const [k, v] of Object.entries(row)) if (!omit.includes(k)) out[k] = String(v);
    return out;
  };
  const fields = (o: Record<string, string>): string => {
    const json = JSON.stringify(o);
    return json === '{}' ? '' : `${json.slice(1, -1)},`;
  };
  const [major = '0', minor = '0', patch = '0'] = group.os_version.replace(/^[^\d]*/, '').split(/[.\s]/);
  const p = group.platform;
  const osVersion = {
    name: p === 'darwin' ? 'macOS' : p === 'windows' ? 'Microsoft Windows' : p,
    version: group.os_version,
    major,
    minor,
    patch,
    platform: p,
    platform_like: p === 'darwin' ? 'darwin' : p === 'windows' ? 'windows' : p === 'ubuntu' || p === 'debian' ? 'debian' : 'rhel',
    ...first('os_version', []),
  };
  return {
    secret: JSON.stringify(group.team ?? defaultSecret),
    platformType: p === 'darwin' ? '21' : p === 'windows' ? '2' : '9',
    platform: JSON.stringify(p),
    version: JSON.stringify(group.osquery_version),
    osVersion: JSON.stringify(osVersion),
    osqueryInfoExtra: fields(first('osquery_info', ['version', 'uuid', 'instance_id', 'build_platform'])),
    systemInfoExtra: fields(first('system_info', ['hostname', 'computer_name', 'uuid', 'hardware_serial'])),
  };
}

/** One host's enroll request: its group's fragments with its identity spliced in. */
export function enrollBody(parts: EnrollBodyParts, id: HostIdentity): string {
  const hostname = JSON.stringify(id.hostname);
  return (
    `{"enroll_secret":${parts.secret},"host_identifier":"${id.uuid}","platform_type":"${parts.platformType}",` +
    `"host_details":{"os_version":${parts.osVersion},` +
    `"osquery_info":{${parts.osqueryInfoExtra}"version":${parts.version},"uuid":"${id.uuid}","instance_id":"${id.uuid.toLowerCase()}","build_platform":${parts.platform}},` +
    `"system_info":{${parts.systemInfoExtra}"hostname":${hostname},"computer_name":${hostname},"uuid":"${id.uuid}","hardware_serial":"${id.serial}"}}}`
  );
}
