/**
 * One distributed run of a host, as osquery's `Distributed` does it (osquery/distributed/distributed.cpp):
 * - `acceptWork`: discovery queries run first; a discovery entry that is not a string, is empty, or
 *   whose SQL fails ABORTS the whole batch ("Distributed discovery query has an SQL error": no query
 *   of the batch runs, and `accelerate` is not read); a query whose discovery returned no rows is not
 *   run and not reported; a query entry that is not a string or is empty aborts too;
 * - `runQueries` (queries in name order): a denylisted query (denylist.ts) is answered status 1 /
 *   "distributed query is denylisted" without running; a query that crashes the agent ends the run;
 * - `serializeResults`: every result has `queries[name]` (rows, `[]` when none), `statuses[name]`,
 *   `messages[name]` ("" when OK) and `stats[name]` ({wall_time_ms, user_time, system_time, memory};
 *   `{}` when the query did not run). The simulator has no process to measure: wall_time_ms is the
 *   simulated execution time, user_time equals it (a CPU-bound query), system_time and memory are 0.
 */
import { unitFloat } from '../../lib/rng.js';
import type { AnswerModel } from '../fleet/answers.js';
import { policyIdOf } from '../fleet/answers.js';
import { withHostIdentity } from '../fleet/evaluator.js';
import { ANSWER_UNKNOWN, type GroundTruth } from '../fleet/truth.js';
import type { HostIdentity } from '../identity.js';
import { crashes, DENYLISTED_MESSAGE, type Denylist } from './denylist.js';
import type { QueryResult } from './retained-writes.js';

export interface RunContext {
  seed: number;
  /** Local and global host index, group index. */
  h: number;
  g: number;
  group: number;
  /** The host's run counter (re-rolls simulated errors). */
  run: number;
  /** ms since the host last answered policies (drift exposure). */
  sinceLastPolicyMs: number;
  now: number;
  answers: AnswerModel;
  truth: GroundTruth;
  denylist: Denylist;
  crashQueries: readonly string[];
  queryTimeMs: { min: number; max: number };
  stringStatuses: boolean;
  identity: () => HostIdentity;
}

export interface RunOutcome {
  results: QueryResult[];
  /** Simulated execution time of the run, ms. */
  execMs: number;
  /** `accelerate` seconds from the answer (0 when none). */
  accelerateS: number;
  /** The batch was refused (discovery SQL error, bad entries): nothing ran. */
  aborted: boolean;
  /** The SQL that crashed the agent (undefined when none did). */
  crashedOn: string | undefined;
  /** Whether a policy query was answered (the host's last policy run moves). */
  ranPolicies: boolean;
  /** Denylisted answers in this run. */
  denylisted: number;
}

const EMPTY: RunOutcome = { results: [], execMs: 0, accelerateS: 0, aborted: false, crashedOn: undefined, ranPolicies: false, denylisted: 0 };

/** Whether a read answer may carry work (cheap test on the hot path: the idle answer has none). */
export function mayCarryWork(text: string): boolean {
  return !(text.indexOf('"queries":{}') !== -1 && text.indexOf('"accelerate"') === -1);
}

export function runDistributed(text: string, ctx: RunContext): RunOutcome {
  let response: { queries?: unknown; discovery?: unknown; accelerate?: unknown };
  try {
    response = JSON.parse(text) as typeof response;
  } catch {
    return EMPTY;
  }
  if (typeof response !== 'object' || response === null) return EMPTY;
  // Discovery first; any SQL error refuses the whole batch.
  const passed = new Map<string, boolean>();
  if (isObject(response.discovery)) {
    for (const [name, sql] of Object.entries(response.discovery)) {
      if (typeof sql !== 'string' || sql === '' || name === '') return { ...EMPTY, aborted: true };
      const d = ctx.answers.sqlAnswer(ctx.group, sql);
      if (d.status !== 0) return { ...EMPTY, aborted: true };
      passed.set(name, d.rowCount > 0);
    }
  }
  const queries = isObject(response.queries) ? response.queries : {};
  const work: Array<[string, string]> = [];
  for (const [name, sql] of Object.entries(queries)) {
    if (typeof sql !== 'string' || sql === '' || name === '') return { ...EMPTY, aborted: true };
    if (passed.get(name) !== false) work.push([name, sql]);
  }
  const accelerate = Number(response.accelerate ?? 0);
  const accelerateS = Number.isInteger(accelerate) && accelerate > 0 ? accelerate : 0;
  work.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); // pending queries are read back in key order
  const results: QueryResult[] = [];
  let execMs = 0;
  let ranPolicies = false;
  let denylisted = 0;
  const { min, max } = ctx.queryTimeMs;
  for (let i = 0; i < work.length; i++) {
    const [name, sql] = work[i]!;
    const key = JSON.stringify(name);
    const policyId = policyIdOf(name);
    if (ctx.denylist.isDenylisted(ctx.h, sql, ctx.now)) {
      denylisted++;
      results.push({ key, rowsJson: '[]', status: status(1, ctx.stringStatuses), message: JSON.stringify(DENYLISTED_MESSAGE), stats: '{}', policyId, query: sql, code: ANSWER_UNKNOWN, sentBefore: false });
      if (policyId >= 0) ranPolicies = true;
      continue;
    }
    if (crashes(sql, ctx.crashQueries)) return { results: [], execMs, accelerateS, aborted: false, crashedOn: sql, ranPolicies: false, denylisted };
    const answer = ctx.answers.answer(ctx.group, ctx.g, ctx.h, name, sql, ctx.run, ctx.sinceLastPolicyMs, ctx.truth);
    const wall = max > 0 ? min + unitFloat(ctx.seed, ctx.g, ctx.run, i + 1, 0x7e) * (max - min) : 0;
    execMs += wall;
    let rowsJson = answer.rowsJson === '""' || answer.rowsJson === '' ? '[]' : answer.rowsJson;
    if (rowsJson.length > 2) rowsJson = withHostIdentity(rowsJson, ctx.identity());
    const ms = Math.round(wall);
    results.push({
      key,
      rowsJson,
      status: status(answer.status, ctx.stringStatuses),
      message: JSON.stringify(answer.message ?? ''),
      stats: `{"wall_time_ms":${ms},"user_time":${ms},"system_time":0,"memory":0}`,
      policyId,
      query: sql,
      code: answer.code,
      sentBefore: false,
    });
    if (policyId >= 0) ranPolicies = true;
  }
  return { results, execMs, accelerateS, aborted: false, crashedOn: undefined, ranPolicies, denylisted };
}

const status = (code: number, asString: boolean): string => (asString ? `"${code}"` : String(code));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
