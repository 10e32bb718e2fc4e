/**
 * The `server:` section: the osqsim server `osqsim run` starts in its own process (store, Fleet's
 * intervals, the count strategy). The agent intervals the server pushes in its config come from
 * `agent:`, so they are written once. (A server someone else runs is `target:`, sections/target.ts.)
 */
import { EDITED_POLICY_MODES, STATS_STRATEGIES, type EditedPoliciesMode, type StatsStrategyName } from '../../../contract/vocabulary.js';
import { array, duration, int, object, oneOf, str, type FieldSpec, type Validator } from '../validate.js';

export interface ServerSection {
  /** `memory` or mysql://user:pass@host:port/db */
  store: string;
  /** Fleet's osquery.policy_update_interval (ms). */
  policy_update_interval: number;
  detail_update_interval: number;
  /** Fleet's osquery.label_update_interval (ms): how often hosts re-run their label queries. */
  label_update_interval: number;
  max_jitter_percent: number;
  stats: {
    /** One strategy, or several: the run is repeated once per strategy and compared. */
    strategy: StatsStrategyName | StatsStrategyName[];
    /** Aggregation / reconcile period (ms). */
    interval: number;
  };
  /**
   * After a policy edit, hosts re-run it at their normal policy interval (`fleet`, Fleet's
   * behaviour) or at their next read (`immediate`, a what-if): `osqsim server --edited-policies`.
   */
  edited_policies: EditedPoliciesMode;
  /** REST API token; generated per run when absent. */
  api_token?: string;
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug';
  /** Extra `osqsim server` flags, passed through as written (e.g. ["--ingest-max-delay", "10ms"]). */
  extra_args: string[];
  /**
   * `off` (plain HTTP, the default) or `self-signed`: the server serves HTTPS with a CA it creates
   * (`osqsim server --tls self-signed:DIR`) and the simulator and harness trust that CA.
   */
  tls: ServerTls;
}

export const SERVER_TLS_MODES = ['off', 'self-signed'] as const;
export type ServerTls = (typeof SERVER_TLS_MODES)[number];

export function serverDefaults(): ServerSection {
  return {
    store: 'memory',
    policy_update_interval: 3_600_000,
    detail_update_interval: 3_600_000,
    label_update_interval: 3_600_000,
    max_jitter_percent: 10,
    stats: { strategy: 'cron', interval: 3_600_000 },
    edited_policies: 'fleet',
    log_level: 'warn',
    extra_args: [],
    tls: 'off',
  };
}

const storeValidator: Validator<string> = (value, path, ctx) => {
  const text = str({ nonEmpty: true })(value, path, ctx);
  if (text === undefined) return undefined;
  if (text === 'memory' || /^mysql:\/\/[^\s/]+(\/[A-Za-z0-9_$-]*)?(\?.*)?$/.test(text)) return text;
  const hint = /^my/i.test(text) ? ' (a MySQL store is written mysql://user:pass@host:3306/db)' : /^mem/i.test(text) ? ' (did you mean memory?)' : '';
  ctx.issues.push({ path, message: `must be "memory" or a mysql:// URL, got ${JSON.stringify(text)}${hint}` });
  return undefined;
};

const strategyValidator: Validator<StatsStrategyName | StatsStrategyName[]> = (value, path, ctx) => {
  if (Array.isArray(value)) {
    const list = array(oneOf(STATS_STRATEGIES), { minItems: 1 })(value, path, ctx);
    if (list && new Set(list).size !== list.length) {
      ctx.issues.push({ path, message: 'lists a strategy twice' });
      return undefined;
    }
    return list;
  }
  return oneOf(STATS_STRATEGIES)(value, path, ctx);
};

function serverFields(): Record<string, FieldSpec> {
  const d = serverDefaults();
  return {
    store: { validate: storeValidator, default: () => d.store },
    policy_update_interval: { validate: duration({ positive: true }), default: () => d.policy_update_interval },
    detail_update_interval: { validate: duration({ positive: true }), default: () => d.detail_update_interval },
    label_update_interval: { validate: duration({ positive: true }), default: () => d.label_update_interval },
    max_jitter_percent: { validate: int({ min: 0, max: 100 }), default: () => d.max_jitter_percent },
    stats: {
      validate: object({
        strategy: { validate: strategyValidator, default: () => d.stats.strategy },
        interval: { validate: duration({ positive: true }), default: () => d.stats.interval },
      }),
      default: () => ({ ...d.stats }),
    },
    edited_policies: { validate: oneOf(EDITED_POLICY_MODES), default: () => d.edited_policies },
    api_token: { validate: str({ nonEmpty: true }) },
    log_level: { validate: oneOf(['fatal', 'error', 'warn', 'info', 'debug'] as const), default: () => d.log_level },
    extra_args: { validate: array(str()), default: () => [] },
    tls: { validate: oneOf(SERVER_TLS_MODES), default: () => d.tls },
  };
}

export const serverSectionValidator: Validator<ServerSection> = object<ServerSection>(serverFields());

/** Whether `osqsim run` repeats the scenario per strategy. */
export function strategiesOf(server: ServerSection): StatsStrategyName[] {
  return Array.isArray(server.stats.strategy) ? server.stats.strategy : [server.stats.strategy];
}
