/**
 * Label rules both stores (and the osquery service) share: Fleet's built-in labels, the platform a
 * host's label queries are chosen by, and the label scope test of label-scoped policies.
 */
import type { LabelRef, Policy } from './types.js';

export interface BuiltinLabel {
  readonly name: string;
  readonly description: string;
  readonly query: string;
}

/**
 * Fleet's built-in labels as its data migrations seed them, in their order
 * (fleetdm/fleet server/datastore/mysql/migrations/data/: 20170223171234_UpdateBuiltinLabels via
 * appstate.Labels2, 20170314151620_FixCentosLabel, 20210330130314_UpdateBuiltinLabels (Red Hat;
 * platform '' on all builtins), 20210806135609_AddAllLinuxBuiltInLabels,
 * 20230525175650_InsertChromeBuiltInLabel + 20230606065551_RenameChromeOSToChrome). All dynamic,
 * platform ''. Newer seeds (macOS 14+, iOS, iPadOS, Fedora Linux, Android) are not seeded.
 */
export const BUILTIN_LABELS: readonly BuiltinLabel[] = [
  { name: 'All Hosts', description: 'All hosts which have enrolled in Fleet', query: 'select 1;' },
  { name: 'macOS', description: 'All macOS hosts', query: "select 1 from os_version where platform = 'darwin';" },
  { name: 'Ubuntu Linux', description: 'All Ubuntu hosts', query: "select 1 from os_version where platform = 'ubuntu';" },
  { name: 'CentOS Linux', description: 'All CentOS hosts', query: "select 1 from os_version where platform = 'centos' or name like '%centos%'" },
  { name: 'MS Windows', description: 'All Windows hosts', query: "select 1 from os_version where platform = 'windows';" },
  { name: 'Red Hat Linux', description: 'All Red Hat Enterprise Linux hosts', query: "SELECT 1 FROM os_version WHERE name LIKE '%red hat%'" },
  {
    name: 'All Linux',
    description: 'All Linux distributions',
    query: "SELECT 1 FROM osquery_info WHERE build_platform LIKE '%ubuntu%' OR build_distro LIKE '%centos%';",
  },
  { name: 'chrome', description: 'All Chrome hosts', query: "select 1 from os_version where platform = 'chrome';" },
];

/**
 * Names no user label may take (Fleet's ReservedLabelNames, server/fleet/labels.go: the builtins,
 * including the ones osqsim does not seed).
 */
export const RESERVED_LABEL_NAMES: ReadonlySet<string> = new Set([
  ...BUILTIN_LABELS.map((label) => label.name),
  'macOS 14+ (Sonoma+)',
  'iOS',
  'iPadOS',
  'Fedora Linux',
  'Android',
]);

/**
 * The platform a host's label queries are chosen by (Fleet's LabelQueriesForHost,
 * server/datastore/mysql/labels.go): the raw osquery platform, except rhel hosts whose os_version
 * names CentOS, which count as centos.
 */
export function labelPlatformOf(platform: string, osVersion: string): string {
  if (platform === 'rhel' && osVersion.toLowerCase().includes('centos')) return 'centos';
  return platform;
}

/** A label with this platform sends its query to a host with this label platform. */
export function labelPlatformMatches(labelPlatform: string, hostLabelPlatform: string): boolean {
  return labelPlatform === '' || labelPlatform === hostLabelPlatform;
}

/** Label ids of a policy's scope. */
export function policyLabelIds(policy: Pick<Policy, 'labelsIncludeAny' | 'labelsExcludeAny'>): { include: number[]; exclude: number[] } {
  const ids = (refs: readonly LabelRef[] | undefined): number[] => (refs ?? []).map((ref) => ref.id);
  return { include: ids(policy.labelsIncludeAny), exclude: ids(policy.labelsExcludeAny) };
}

/**
 * Fleet's label scope of a policy (POL-F PolicyQueriesForHost, reference fleet-policies.md §2.5):
 * a member of at least one include label when there are any, and of no exclude label. Membership
 * is read as stored (not re-evaluated).
 */
export function inLabelScope(include: readonly number[], exclude: readonly number[], memberOf: ReadonlySet<number>): boolean {
  if (include.length > 0 && !include.some((id) => memberOf.has(id))) return false;
  return !exclude.some((id) => memberOf.has(id));
}
