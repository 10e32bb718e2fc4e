/**
 * Fleet-shaped JSON for the REST API (reference fleet-policies.md §6.3, §6.5): snake_case keys,
 * UTC timestamps ending in `Z`, `team_id: null` for global, lists always arrays.
 */
import type { EnrollSecret, Host, HostMdmInfo, HostOrbitInfo, HostVitals, Label, LabelMembershipType, Policy, PolicyCount, Team } from '../store/store.js';

export const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface PolicyJson {
  id: number;
  name: string;
  query: string;
  description: string;
  resolution: string;
  critical: boolean;
  author_id: number | null;
  author_name: string;
  author_email: string;
  team_id: number | null;
  platform: string;
  calendar_events_enabled: boolean;
  created_at: string;
  updated_at: string;
  /** Fleet omits them when empty (omitempty). */
  labels_include_any?: Array<{ id: number; name: string }>;
  labels_exclude_any?: Array<{ id: number; name: string }>;
}

export interface PolicyWithCountsJson extends PolicyJson {
  passing_host_count: number;
  failing_host_count: number;
  host_count_updated_at: string | null;
}

export interface HostPolicyJson extends PolicyJson {
  response: 'pass' | 'fail' | '';
}

export function policyJson(policy: Policy): PolicyJson {
  return {
    id: policy.id,
    name: policy.name,
    query: policy.query,
    description: policy.description,
    resolution: policy.resolution,
    critical: policy.critical,
    author_id: policy.authorId,
    author_name: policy.authorName,
    author_email: policy.authorEmail,
    team_id: policy.teamId,
    platform: policy.platforms,
    calendar_events_enabled: false,
    created_at: iso(policy.createdAt),
    updated_at: iso(policy.updatedAt),
    ...(policy.labelsIncludeAny?.length ? { labels_include_any: policy.labelsIncludeAny.map(({ id, name }) => ({ id, name })) } : {}),
    ...(policy.labelsExcludeAny?.length ? { labels_exclude_any: policy.labelsExcludeAny.map(({ id, name }) => ({ id, name })) } : {}),
  };
}

/** Counts from the given row; a missing row reads as 0/0/null (Fleet's LEFT JOIN + COALESCE). */
export function policyWithCounts(policy: Policy, count: PolicyCount | undefined): PolicyWithCountsJson {
  return {
    ...policyJson(policy),
    passing_host_count: count?.passing ?? 0,
    failing_host_count: count?.failing ?? 0,
    host_count_updated_at: count ? iso(count.updatedAt) : null,
  };
}

export function teamJson(team: Team, extra: { hostCount: number; secrets: readonly EnrollSecret[] }): Record<string, unknown> {
  return {
    id: team.id,
    name: team.name,
    description: team.description,
    created_at: iso(team.createdAt),
    host_count: extra.hostCount,
    user_count: 0,
    secrets: extra.secrets.map(secretJson),
  };
}

export function secretJson(secret: EnrollSecret): Record<string, unknown> {
  return { secret: secret.secret, created_at: iso(secret.createdAt), team_id: secret.teamId };
}

/** Fleet's online rule: last seen + min(distributed_interval, config_tls_refresh) + 60 s is in the future. */
export function hostStatus(host: Host, now: Date): 'online' | 'offline' {
  const seen = (host.seenTime ?? host.createdAt).getTime();
  const intervals = [host.distributedInterval, host.configTlsRefresh].filter((value) => value > 0);
  const intervalS = intervals.length > 0 ? Math.min(...intervals) : 0;
  return seen + (intervalS + 60) * 1000 > now.getTime() ? 'online' : 'offline';
}

export interface HostIssues {
  failing_policies_count: number;
  critical_vulnerabilities_count: number;
  total_issues_count: number;
}

export const issuesJson = (failing: number): HostIssues => ({
  failing_policies_count: failing,
  critical_vulnerabilities_count: 0,
  total_issues_count: failing,
});

export function hostJson(host: Host, extra: { teamName: string | null; failing: number; now: Date }): Record<string, unknown> {
  return {
    id: host.id,
    created_at: iso(host.createdAt),
    updated_at: iso(host.updatedAt),
    detail_updated_at: iso(host.detailUpdatedAt),
    label_updated_at: iso(host.labelUpdatedAt ?? new Date('2000-01-01T00:00:00Z')),
    policy_updated_at: iso(host.policyUpdatedAt),
    last_enrolled_at: iso(host.lastEnrolledAt),
    seen_time: host.seenTime ? iso(host.seenTime) : null,
    refetch_requested: host.refetchRequested,
    hostname: host.hostname,
    display_name: host.hostname,
    display_text: host.hostname,
    computer_name: host.hostname,
    osquery_host_id: host.osqueryHostId,
    uuid: host.uuid,
    platform: host.platform,
    osquery_version: host.osqueryVersion,
    os_version: host.osVersion,
    uptime: host.uptimeSeconds * 1_000_000_000, // Fleet reports nanoseconds
    hardware_serial: host.hardwareSerial,
    distributed_interval: host.distributedInterval,
    config_tls_refresh: host.configTlsRefresh,
    logger_tls_period: host.loggerTlsPeriod,
    team_id: host.teamId,
    team_name: extra.teamName,
    status: hostStatus(host, extra.now),
    issues: issuesJson(extra.failing),
  };
}

/** Fleet's label object (server/fleet/labels.go Label + labelResponse). */
export interface LabelJson {
  id: number;
  created_at: string;
  updated_at: string;
  name: string;
  description: string;
  query: string;
  platform: string;
  label_type: 'regular' | 'builtin';
  label_membership_type: LabelMembershipType;
  host_count: number;
  display_text: string;
  count: number;
  author_id: null;
  team_id: null;
  host_ids?: number[];
}

export function labelJson(label: Label, hostIds?: readonly number[]): LabelJson {
  return {
    id: label.id,
    created_at: iso(label.createdAt),
    updated_at: iso(label.updatedAt),
    name: label.name,
    description: label.description,
    query: label.query,
    platform: label.platform,
    label_type: label.labelType,
    label_membership_type: label.membershipType,
    host_count: label.hostCount,
    display_text: label.name,
    count: label.hostCount,
    author_id: null,
    team_id: null,
    ...(hostIds === undefined ? {} : { host_ids: [...hostIds] }),
  };
}

/**
 * orbit_version, fleet_desktop_version and scripts_enabled of Fleet's host object: host_orbit_info
 * LEFT JOINed (server/datastore/mysql/hosts.go `Host`: `hoi.version AS orbit_version,
 * hoi.desktop_version AS fleet_desktop_version, hoi.scripts_enabled`; server/fleet/hosts.go Host,
 * pointers), so all three are null for a host without a row (plain osquery).
 */
export function hostOrbitInfoJson(info: HostOrbitInfo | undefined): { orbit_version: string | null; fleet_desktop_version: string | null; scripts_enabled: boolean | null } {
  return {
    orbit_version: info?.version ?? null,
    fleet_desktop_version: info?.desktopVersion ?? null,
    scripts_enabled: info?.scriptsEnabled ?? null,
  };
}

/** Fleet's host_mdm enrollment_status (a generated column in Fleet's schema). */
function enrollmentStatus(mdm: HostMdmInfo): string {
  if (!mdm.enrolled) return 'Off';
  return mdm.installedFromDep ? 'On (automatic)' : 'On (manual)';
}

/**
 * The vitals part of Fleet's GET /api/v1/fleet/hosts/{id} host object (hosts columns, disk space,
 * users, software, mdm, batteries), as far as osqsim stores them.
 */
export function hostVitalsJson(vitals: HostVitals): Record<string, unknown> {
  const c = vitals.columns;
  const disk = vitals.diskSpace;
  return {
    ...(c.computerName ? { computer_name: c.computerName } : {}),
    platform_like: c.platformLike ?? '',
    code_name: c.codeName ?? '',
    build: c.build ?? '',
    memory: c.memory ?? 0,
    cpu_type: c.cpuType ?? '',
    cpu_subtype: c.cpuSubtype ?? '',
    cpu_brand: c.cpuBrand ?? '',
    cpu_physical_cores: c.cpuPhysicalCores ?? 0,
    cpu_logical_cores: c.cpuLogicalCores ?? 0,
    hardware_vendor: c.hardwareVendor ?? '',
    hardware_model: c.hardwareModel ?? '',
    hardware_version: c.hardwareVersion ?? '',
    primary_ip: c.primaryIp ?? '',
    primary_mac: c.primaryMac ?? '',
    public_ip: c.publicIp ?? '',
    last_restarted_at: c.lastRestartedAt ? iso(c.lastRestartedAt) : null,
    gigs_disk_space_available: disk?.gigsAvailable ?? 0,
    percent_disk_space_available: disk?.percentAvailable ?? 0,
    gigs_total_disk_space: disk?.gigsTotal ?? 0,
    gigs_all_disk_space: disk?.gigsAll ?? null,
    users: vitals.users.map((u) => ({ uid: u.uid, username: u.username, type: u.type, groupname: u.groupname, shell: u.shell })),
    software: vitals.software.map((s) => ({
      id: s.id,
      name: s.name,
      version: s.version,
      source: s.source,
      extension_for: s.extensionFor,
      extension_id: s.extensionId,
      bundle_identifier: s.bundleIdentifier,
      release: s.release,
      vendor: s.vendor,
      arch: s.arch,
      last_opened_at: s.lastOpenedAt ? iso(s.lastOpenedAt) : null,
    })),
    mdm: vitals.mdm
      ? { enrollment_status: enrollmentStatus(vitals.mdm), server_url: vitals.mdm.serverUrl || null, name: vitals.mdm.name, connected_to_fleet: vitals.mdm.name === 'Fleet' }
      : { enrollment_status: null, server_url: null, name: '', connected_to_fleet: false },
    batteries: vitals.batteries.map((b) => ({ cycle_count: b.cycleCount, health: b.health })),
  };
}
