/**
 * Applies a fleetctl policy library to a fleet in-process: every policy runs through the
 * simulator's evaluator (the same SQLite tables and osquery functions the simulated hosts answer
 * from) on every group whose platform the policy targets, and the result says, per policy, how many
 * hosts pass, fail or answer unknown (status ≠ 0) and why.
 *
 * "In scope": the policy's `platform` (Fleet's comma list of darwin / windows / linux / chrome; empty
 * = every platform) covers at least one host of the fleet, as Fleet only sends a policy to hosts of
 * its platforms (server/service/osquery_utils: policies are filtered by platform before the read).
 * A policy is "answered" when every in-scope host passes or fails; "unknown" when any in-scope host
 * errors, with SQLite's message classified as a missing table, a missing column or another SQL error.
 */
import type { SqlJsStatic } from 'sql.js';
import { parseAllDocuments } from 'yaml';
import type { FleetGroupSpec, FleetSpec } from '../../contract/fleet-spec.js';
import { normalisePlatformList } from '../../contract/platforms.js';
import { parsePolicyYaml, formatPolicyYamlErrors, type PolicySpecDoc } from '../../server/policies/fleetctl-yaml.js';
import { FLEETD_TABLES } from '../../simulator/fleet/catalogue.js';
import { osqueryEnvironment } from '../../simulator/fleet/environment.js';
import { buildGroupDatabase, loadSqlJs, runQuery } from '../../simulator/fleet/evaluator.js';
import { assignGroups, groupCounts, variantOf } from '../../simulator/identity.js';

export type UnknownReason = 'missing table' | 'fleetd-only table' | 'missing column' | 'SQL error';

/**
 * A policy osqsim's server refuses at apply time (server/api/validate.ts readOnlyProblem: more than
 * one statement, mutating SQL); the check still runs its SQL, as an osquery host would if the
 * server sent it, and lists it so a reader knows the server would not have.
 */
export interface RefusedPolicy {
  name: string;
  message: string;
}

export interface PolicyOutcome {
  name: string;
  /** Hosts in scope by answer. */
  pass: number;
  fail: number;
  unknown: number;
  /** Present when some in-scope host answered unknown: the first error and its class. */
  reason?: UnknownReason;
  message?: string;
}

export interface LibraryResult {
  library: string;
  policies: number;
  inScope: number;
  /** In-scope policies every in-scope host answered (pass or fail). */
  answered: number;
  /** answered / inScope × 100 (100 when nothing is in scope). */
  answeredPct: number;
  /** In-scope policies some host passes / every host fails / some host answers unknown. */
  withPass: number;
  allFail: number;
  unknown: number;
  /** Share of the in-scope hosts' pass/fail answers that pass, % (the compliance the fleet shows). */
  hostPassPct: number;
  /** Policies osqsim's server would refuse (still evaluated: see RefusedPolicy). */
  refused: RefusedPolicy[];
  outcomes: PolicyOutcome[];
}

export interface LibraryInput {
  /** How the library is named in the report (its Fleet repo path, or a file name). */
  name: string;
  text: string;
}

const FLEET_PLATFORMS = new Set(['darwin', 'windows', 'linux', 'chrome']);
const FLEETD_TABLE_NAMES: ReadonlySet<string> = new Set(FLEETD_TABLES.map((t) => t.name));

const REFUSED_QUERY = /^invalid policy query: /;

/**
 * The policies of a fleetctl YAML file, in file order, and those osqsim's server would refuse only
 * for their SQL (kept: their SQL still runs, see RefusedPolicy). Throws with fleetctl-style messages
 * for any other problem (YAML syntax, a missing name, …).
 */
export function policiesOf(input: LibraryInput): { policies: PolicySpecDoc[]; refused: RefusedPolicy[] } {
  const parsed = parsePolicyYaml(input.text, input.name);
  const other = parsed.errors.filter((e) => !(e.path.startsWith('spec.query') && REFUSED_QUERY.test(e.message)));
  if (other.length > 0) throw new Error(`invalid policy file:\n${formatPolicyYamlErrors(input.name, other)}`);
  const refusedDocs = new Map(parsed.errors.filter((e) => !other.includes(e)).map((e) => [e.doc, e.message]));
  if (refusedDocs.size === 0) return { policies: parsed.specs, refused: [] };
  // Re-read the refused documents (the parser leaves them out) and keep the file's order.
  const docs = parseAllDocuments(input.text);
  const list = Array.isArray(docs) ? docs : [docs];
  const policies: PolicySpecDoc[] = [];
  const refused: RefusedPolicy[] = [];
  const valid = [...parsed.specs];
  list.forEach((document, index) => {
    const message = refusedDocs.get(index + 1);
    const value = document.toJS() as { kind?: unknown; spec?: Record<string, unknown> } | null;
    if (message === undefined) {
      if (value?.kind === 'policy' && valid.length > 0) policies.push(valid.shift()!);
      return;
    }
    const spec = value?.spec ?? {};
    const name = String(spec['name'] ?? '').trim();
    policies.push({ name, query: String(spec['query'] ?? ''), description: '', resolution: '', platform: normalisePlatformList(String(spec['platform'] ?? '')), critical: false, team: undefined });
    refused.push({ name, message: message.replace(REFUSED_QUERY, '') });
  });
  policies.push(...valid);
  return { policies, refused };
}

/** Why a query errored, from SQLite's message (and whether the missing table is orbit's). */
export function classifyError(message: string): UnknownReason {
  const table = /no such table: (?:main\.)?([\w$]+)/i.exec(message);
  if (table) return FLEETD_TABLE_NAMES.has(table[1]!.toLowerCase()) ? 'fleetd-only table' : 'missing table';
  if (/no such column/i.test(message)) return 'missing column';
  return 'SQL error';
}

function platformsOf(policy: PolicySpecDoc): Set<string> | undefined {
  const list = policy.platform.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  return list.length === 0 ? undefined : new Set(list.filter((p) => FLEET_PLATFORMS.has(p)));
}

/** The hosts of one variant of one group (a group without variants: all its hosts). */
interface GroupRun {
  group: FleetGroupSpec;
  hosts: number;
  platform: string;
  run(sql: string): ReturnType<typeof runQuery>;
  close(): void;
}

/**
 * One run per (group, variant) that has hosts: hosts are placed in groups as the simulator places
 * them (simulator/identity.ts assignGroups) and each takes its variant from (seed, host index).
 */
function openGroups(SQL: SqlJsStatic, fleet: FleetSpec, hosts: number, seed: number): GroupRun[] {
  const env = osqueryEnvironment();
  const owners = assignGroups(groupCounts(fleet.groups, hosts));
  const perVariant = fleet.groups.map((g) => new Array<number>(Math.max(1, g.variants?.length ?? 0)).fill(0));
  owners.forEach((group, index) => {
    const slots = perVariant[group]!;
    slots[variantOf(seed, index, slots.length)]! += 1;
  });
  return fleet.groups.flatMap((group, i) =>
    perVariant[i]!.flatMap((count, variant) => {
      if (count === 0) return [];
      const db = buildGroupDatabase(SQL, group, env, variant);
      return [{ group, hosts: count, platform: env.fleetPlatformOf(group.platform), run: (sql: string) => runQuery(db, sql), close: () => db.close() }];
    }),
  );
}

function checkLibrary(groups: readonly GroupRun[], input: LibraryInput): LibraryResult {
  const { policies, refused } = policiesOf(input);
  const outcomes: PolicyOutcome[] = [];
  for (const policy of policies) {
    const platforms = platformsOf(policy);
    const inScope = groups.filter((g) => platforms === undefined || platforms.has(g.platform));
    if (inScope.length === 0) continue;
    const outcome: PolicyOutcome = { name: policy.name, pass: 0, fail: 0, unknown: 0 };
    for (const g of inScope) {
      const answer = g.run(policy.query);
      if (answer.status !== 0) {
        outcome.unknown += g.hosts;
        if (outcome.reason === undefined) {
          outcome.reason = classifyError(answer.message);
          outcome.message = `${g.group.name}: ${answer.message}`;
        }
      } else if (answer.rowCount > 0) outcome.pass += g.hosts;
      else outcome.fail += g.hosts;
    }
    outcomes.push(outcome);
  }
  const unknown = outcomes.filter((o) => o.unknown > 0).length;
  const answered = outcomes.length - unknown;
  const passes = outcomes.reduce((sum, o) => sum + o.pass, 0);
  const fails = outcomes.reduce((sum, o) => sum + o.fail, 0);
  return {
    library: input.name,
    policies: policies.length,
    inScope: outcomes.length,
    answered,
    answeredPct: outcomes.length === 0 ? 100 : Math.round((answered / outcomes.length) * 1000) / 10,
    withPass: outcomes.filter((o) => o.unknown === 0 && o.pass > 0).length,
    allFail: outcomes.filter((o) => o.unknown === 0 && o.pass === 0).length,
    unknown,
    hostPassPct: passes + fails === 0 ? 0 : Math.round((passes / (passes + fails)) * 1000) / 10,
    refused,
    outcomes,
  };
}

export interface CheckOptions {
  /** The run's seed: which variant of its group each host answers from (default 1). */
  seed?: number;
  SQL?: SqlJsStatic;
}

/** Checks each library against `hosts` hosts of the fleet (shared among groups by weight). */
export async function checkLibraries(fleet: FleetSpec, hosts: number, libraries: readonly LibraryInput[], options: CheckOptions | SqlJsStatic = {}): Promise<LibraryResult[]> {
  const { seed = 1, SQL } = 'Database' in options ? { SQL: options } : options;
  const groups = openGroups(SQL ?? (await loadSqlJs()), fleet, hosts, seed);
  try {
    return libraries.map((library) => checkLibrary(groups, library));
  } finally {
    for (const g of groups) g.close();
  }
}
