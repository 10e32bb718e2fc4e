/**
 * A host's answer to one distributed query: the group's SQL answer (evaluator.ts), then the
 * scenario's knobs on top, in this order:
 *   1. `query_error_rate`: the execution errors (status 1), re-rolled on every run;
 *   2. a policy's `fail_rate` override (matched by query text, or by name when the caller knows the
 *      policy's id → name): the host fails with that probability, STICKY per host via the seed;
 *   3. drift: each (host, policy) answer flips at `flip_rate_per_hour` (Poisson), and stays flipped.
 * Non-policy queries (detail, label, live) get the SQL answer only.
 */
import { hashString, unitFloat } from '../../lib/rng.js';
import { variantOf } from '../identity.js';
import type { PolicySpec, ValidatedFleet } from '../../contract/fleet-spec.js';
import type { FleetEvaluator, QueryAnswer } from './evaluator.js';
import { ANSWER_FAIL, ANSWER_PASS, ANSWER_UNKNOWN, type GroundTruth } from './truth.js';

export const POLICY_PREFIX = 'fleet_policy_query_';

/** Parses `fleet_policy_query_<id>`; -1 for other names. */
export function policyIdOf(name: string): number {
  if (!name.startsWith(POLICY_PREFIX)) return -1;
  const id = Number(name.slice(POLICY_PREFIX.length));
  return Number.isInteger(id) && id >= 0 ? id : -1;
}

/** Query text as compared for overrides: whitespace collapsed, trailing `;` dropped, case kept. */
export function normalizeQuery(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim().replace(/;+\s*$/, '').trim();
}

export interface HostAnswer {
  status: number;
  rowsJson: string;
  message: string;
  /** ANSWER_PASS / ANSWER_FAIL / ANSWER_UNKNOWN, for the ground truth. */
  code: number;
}

const PASS_ROWS = '[{"1":"1"}]';
const SIMULATED_ERROR = 'simulated query error (osqsim query_error_rate)';

interface Override {
  failRate: number | undefined;
  queryHash: number;
}

export class AnswerModel {
  private readonly byQuery = new Map<string, PolicySpec>();
  private readonly byName = new Map<string, PolicySpec>();
  private readonly overrides = new Map<string, Override>();
  private readonly flipPerMs: number;

  constructor(
    private readonly evaluator: FleetEvaluator,
    fleet: ValidatedFleet,
    policies: readonly PolicySpec[],
    private readonly seed: number,
    /** Policy id → name, when the caller read them from the server (match by name). */
    private readonly policyNames: ReadonlyMap<number, string> = new Map(),
  ) {
    for (const p of policies) {
      this.byName.set(p.name, p);
      if (p.query) this.byQuery.set(normalizeQuery(p.query), p);
    }
    this.flipPerMs = fleet.drift.flip_rate_per_hour / 3_600_000;
    this.errorRate = fleet.query_error_rate;
  }

  private readonly errorRate: number;

  private override(id: number, sql: string): Override {
    const key = `${id}\u0000${sql}`;
    let o = this.overrides.get(key);
    if (o === undefined) {
      const name = this.policyNames.get(id);
      const spec = (name !== undefined ? this.byName.get(name) : undefined) ?? this.byQuery.get(normalizeQuery(sql));
      o = { failRate: spec?.fail_rate, queryHash: hashString(normalizeQuery(sql)) };
      this.overrides.set(key, o);
    }
    return o;
  }

  /** The SQL answer only (discovery queries and non-policy queries). */
  sqlAnswer(group: number, sql: string): QueryAnswer {
    return this.evaluator.answer(group, sql);
  }

  /**
   * The host's answer to a query. `run` counts the host's distributed runs (re-rolls errors);
   * `sinceLastMs` is the time since the host last answered policies (drift exposure).
   */
  answer(
    group: number,
    hostIndex: number,
    localHost: number,
    name: string,
    sql: string,
    run: number,
    sinceLastMs: number,
    truth: GroundTruth,
  ): HostAnswer {
    // The host's own variant of the group's tables (its software, users, disks, …): per (seed, host).
    const base = this.evaluator.answer(group, sql, variantOf(this.seed, hostIndex, this.evaluator.variants(group)));
    const id = policyIdOf(name);
    if (this.errorRate > 0 && unitFloat(this.seed, hostIndex, hashString(name), run, 0xe77) < this.errorRate) {
      return { status: 1, rowsJson: '""', message: SIMULATED_ERROR, code: ANSWER_UNKNOWN };
    }
    if (id < 0) {
      return { status: base.status, rowsJson: base.rowsJson, message: base.message, code: base.status !== 0 ? ANSWER_UNKNOWN : base.rowCount > 0 ? ANSWER_PASS : ANSWER_FAIL };
    }
    const override = this.override(id, sql);
    let passes: boolean;
    if (override.failRate !== undefined) {
      passes = !(unitFloat(this.seed, hostIndex, override.queryHash, 0xfa11) < override.failRate);
    } else {
      if (base.status !== 0) return { status: base.status, rowsJson: '""', message: base.message, code: ANSWER_UNKNOWN };
      passes = base.rowCount > 0;
    }
    if (this.flipPerMs > 0) {
      const exposure = Math.min(sinceLastMs, 86_400_000) * this.flipPerMs;
      // Probability of an odd number of flips of a Poisson process over the exposure.
      const pFlip = (1 - Math.exp(-2 * exposure)) / 2;
      if (pFlip > 0 && unitFloat(this.seed, hostIndex, override.queryHash, run, 0xd1f7) < pFlip) truth.toggleDrift(id, sql, localHost);
      if (truth.driftOf(id, sql, localHost)) passes = !passes;
    }
    if (!passes) return { status: 0, rowsJson: '""', message: '', code: ANSWER_FAIL };
    const sqlPasses = base.status === 0 && base.rowCount > 0;
    return { status: 0, rowsJson: sqlPasses ? base.rowsJson : PASS_ROWS, message: '', code: ANSWER_PASS };
  }
}
