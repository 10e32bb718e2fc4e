/**
 * fleetctl `kind: report` documents (and the deprecated `kind: query`): Fleet's QuerySpec
 * (server/fleet/queries.go; reference fleet-host-vitals.md §4.3) — name, query, description,
 * team (2026 alias `fleet`), interval, observer_can_run, platform, min_osquery_version,
 * automations_enabled, logging, discard_data. Unknown keys are ignored, as fleetctl does. The
 * dispatcher (fleetctl-yaml.ts) hands each such document's spec here.
 */
import { normalisePlatformList } from '../../contract/platforms.js';
import type { QueryLogging } from '../store/query-types.js';
import { intervalProblem, isQueryLogging, queryProblem } from '../api/query-validate.js';

export interface QuerySpecDoc {
  readonly name: string;
  readonly query: string;
  readonly description: string;
  /** undefined or '' = global; otherwise a team name (queries have no "No team" scope). */
  readonly team: string | undefined;
  readonly interval: number;
  readonly observerCanRun: boolean;
  /** Comma list of Fleet platforms, spaces trimmed; '' = all platforms. */
  readonly platform: string;
  readonly minOsqueryVersion: string;
  readonly automationsEnabled: boolean;
  readonly logging: QueryLogging;
  readonly discardData: boolean;
}

/** The kinds this module reads; `query` is fleetctl's deprecated name for `report`. */
export const QUERY_KINDS: readonly string[] = ['report', 'query'];

/** fleetctl's warning for the old kind (pkg/spec/spec.go, 2026). */
export const DEPRECATED_QUERY_KIND_NOTICE = '`kind: query` is deprecated, please use `kind: report` instead';

/** The YAML key of each checked field, for error paths. */
const YAML_KEYS = { name: 'name', query: 'query', platform: 'platform', logging: 'logging', description: 'description', minOsqueryVersion: 'min_osquery_version' } as const;

export interface QuerySpecProblem {
  readonly path: string;
  readonly message: string;
}

/** Reads one document's `spec`; the spec, or every problem found. */
export function readQuerySpec(spec: Record<string, unknown>): { spec: QuerySpecDoc } | { problems: QuerySpecProblem[] } {
  const problems: QuerySpecProblem[] = [];
  const text = (key: string, required = false): string => {
    const field = spec[key];
    if (field === undefined || field === null) {
      if (required) problems.push({ path: `spec.${key}`, message: 'is required' });
      return '';
    }
    if (typeof field !== 'string') {
      problems.push({ path: `spec.${key}`, message: `must be a string, got ${typeof field}` });
      return '';
    }
    return field;
  };
  const flag = (key: string): boolean => {
    const field = spec[key];
    if (field === undefined || field === null) return false;
    if (typeof field === 'boolean') return field;
    problems.push({ path: `spec.${key}`, message: 'must be true or false' });
    return false;
  };
  const name = text('name', true).trim();
  const query = text('query', true);
  const description = text('description');
  const platform = text('platform');
  const minOsqueryVersion = text('min_osquery_version');
  const logging = text('logging');
  const problem = queryProblem({ name, query, platform, logging, description, minOsqueryVersion }, false);
  // A missing name or query was reported as "is required" already.
  const reported = problems.some((p) => p.path === `spec.${problem?.field}`);
  if (problem && !reported) problems.push({ path: `spec.${YAML_KEYS[problem.field]}`, message: problem.message });
  let interval = 0;
  if (spec['interval'] !== undefined && spec['interval'] !== null) {
    const bad = intervalProblem(spec['interval']);
    if (bad) problems.push({ path: 'spec.interval', message: bad });
    else interval = spec['interval'] as number;
  }
  if (spec['team'] !== undefined && spec['fleet'] !== undefined) {
    problems.push({ path: 'spec.fleet', message: 'give the team as either "team" or "fleet" (its 2026 name), not both' });
  }
  const teamKey = spec['fleet'] !== undefined ? 'fleet' : 'team';
  const teamName = text(teamKey).trim();
  if (teamName === 'No team') problems.push({ path: `spec.${teamKey}`, message: 'queries belong to a team or are global (""): "No team" has no queries' });
  const automationsEnabled = flag('automations_enabled');
  const observerCanRun = flag('observer_can_run');
  const discardData = flag('discard_data');
  if (problems.length > 0) return { problems };
  return {
    spec: {
      name: name.normalize('NFC'),
      query,
      description,
      team: teamName === '' ? undefined : teamName,
      interval,
      observerCanRun,
      platform: normalisePlatformList(platform),
      minOsqueryVersion,
      automationsEnabled,
      logging: isQueryLogging(logging) ? logging : 'snapshot',
      discardData,
    },
  };
}
