/**
 * What a label must be, as Fleet checks it (server/service/labels.go NewLabel, ApplyLabelSpecs;
 * reserved names from server/fleet/labels.go): shared by the REST routes (server/api/labels.ts) and
 * fleetctl `kind: label` files (labels-yaml.ts). Pure.
 */
import { RESERVED_LABEL_NAMES } from '../store/label-rules.js';
import type { LabelMembershipType } from '../store/store.js';
import { FIELD_LIMITS, readOnlyProblem, tooLongProblem } from '../api/validate.js';

/** One problem, as Fleet's error item: the field (or spec) and the reason. */
export interface LabelProblem {
  readonly name: string;
  readonly reason: string;
}

/** Fleet's platform values for labels (raw osquery platforms; '' = all). */
export const LABEL_PLATFORMS: readonly string[] = ['', 'darwin', 'windows', 'linux', 'ubuntu', 'centos', 'rhel', 'debian', 'chrome'];

export const ONLY_ONE = 'Only one of "criteria", "query" or "hosts/host_ids" can be included in the request.';

/** The first problem with a label name, as Fleet words it. */
export function labelNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'missing required argument';
  if (RESERVED_LABEL_NAMES.has(name)) return `cannot add label '${name}' because it conflicts with the name of a built-in label`;
  return tooLongProblem('name', name, FIELD_LIMITS.policyName);
}

/** The problem with a dynamic label's query and platform, or undefined. */
export function labelQueryProblem(query: string, platform: string): { name: string; reason: string } | undefined {
  const sql = readOnlyProblem(query);
  if (sql) return { name: 'query', reason: `invalid label query: ${sql}` };
  if (!LABEL_PLATFORMS.includes(platform)) {
    return { name: 'platform', reason: `invalid platform "${platform}": expected one of ${LABEL_PLATFORMS.filter(Boolean).join(', ')} or "" (all)` };
  }
  return undefined;
}

/** A `kind: label` spec as the REST body (`POST /spec/labels`) or the YAML document carries it. */
export interface LabelSpecDoc {
  readonly name: string;
  readonly description: string;
  readonly query: string;
  readonly platform: string;
  readonly membershipType: LabelMembershipType;
  /** Manual labels: host identifiers (hostnames as fleetctl writes them). */
  readonly hosts?: readonly string[];
}

/** Fleet's ApplyLabelSpecs checks, every problem at once: `where` names the spec in the messages. */
export function labelSpecProblems(spec: LabelSpecDoc, where: string): LabelProblem[] {
  const problems: LabelProblem[] = [];
  const named = spec.name.trim() === '' ? where : `${where} (${spec.name})`;
  const nameProblem = labelNameProblem(spec.name);
  if (nameProblem) problems.push({ name: named, reason: nameProblem });
  if (spec.membershipType === 'dynamic') {
    if (spec.query.trim() === '') problems.push({ name: named, reason: 'a dynamic label needs a query' });
    else {
      const problem = labelQueryProblem(spec.query, spec.platform);
      if (problem) problems.push({ name: named, reason: problem.reason });
    }
    if (spec.hosts !== undefined && spec.hosts.length > 0) problems.push({ name: named, reason: 'hosts can only be set on a manual label' });
  } else if (spec.query.trim() !== '') {
    problems.push({ name: named, reason: ONLY_ONE });
  }
  return problems;
}

