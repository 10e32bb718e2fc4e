/**
 * Label queries in the osquery remote API (reference fleet-host-vitals.md §3.3–§3.4, Fleet's
 * server/service/osquery.go): `fleet_label_query_<id>` in distributed/read while the label gate is
 * open, answers recorded as label membership, and the label scope of label-scoped policies.
 */
import type { ResultRow } from './detail-queries.js';
import type { ScopedPolicy } from './host-cache.js';
import { inLabelScope } from '../store/label-rules.js';

export const LABEL_QUERY_PREFIX = 'fleet_label_query_';

/** The label id of a `fleet_label_query_<id>` name, or undefined if the suffix is not a decimal id. */
export function labelIdOf(name: string): number | undefined {
  if (!name.startsWith(LABEL_QUERY_PREFIX)) return undefined;
  const suffix = name.slice(LABEL_QUERY_PREFIX.length);
  if (!/^\d{1,15}$/.test(suffix)) return undefined;
  const id = Number(suffix);
  return id > 0 ? id : undefined;
}

/**
 * Fleet's ingestMembershipQuery, shared with policies: status ≠ 0 → null (stored as "not a
 * member"); otherwise a member iff the query returned at least one row.
 */
export function labelResultOf(rows: readonly ResultRow[], status: number | undefined): boolean | null {
  if (status !== undefined && status !== 0) return null;
  return rows.length > 0;
}

/** The policies of a scope that apply to a host with these label memberships (POL-F PolicyQueriesForHost). */
export function policiesInLabelScope(policies: readonly ScopedPolicy[], memberOf: ReadonlySet<number>): ScopedPolicy[] {
  return policies.filter((policy) => inLabelScope(policy.includeLabelIds, policy.excludeLabelIds, memberOf));
}
