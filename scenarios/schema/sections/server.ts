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
  /**
   * Server processes `osqsim run` starts on one store (MySQL only: the memory store lives in one
   * process). Stateless instances behind a load balancer, the way Fleet is deployed.
   */
  instances: number;
  /**
   * What spreads requests over the instances: `haproxy` (HAProxy from the distribution's package,
   * round robin, keep-alive, health checks; the default when instances > 1) or `none` (the simulator
   * spreads its hosts over the instances' URLs itself; the default for one instance).
   */
  load_balancer: LoadBalancerKind;
}

export const LOAD_BALANCERS = ['haproxy', 'none'] as const;
export type LoadBalancerKind = (typeof LOAD_BALANCERS)[number];
/** Most server processes one machine runs for a scenario. */
export const MAX_INSTANCES = 16;

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
    instances: 1,
    load_balancer: 'none',
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
    instances: { validate: int({ min: 1, max: MAX_INSTANCES }), default: () => 1 },
    // Resolved after validation (checkServerDeployment): haproxy when instances > 1, else none.
    load_balancer: { validate: oneOf(LOAD_BALANCERS) },
  };
}

export const serverSectionValidator: Validator<ServerSection> = object<ServerSection>(serverFields());

/**
 * The cross-field rules of a multi-instance deployment, with the load balancer's default filled in:
 * several instances need a shared store (MySQL), and HAProxy here speaks plain HTTP to the instances.
 */
export function checkServerDeployment(server: ServerSection, issue: (path: string, message: string) => void): void {
  (server as { load_balancer: LoadBalancerKind }).load_balancer ??= server.instances > 1 ? 'haproxy' : 'none';
  if (server.instances > 1 && server.store === 'memory') {
    issue('server.instances', `is ${server.instances}, but the memory store lives inside one server process: give server.store a mysql:// URL (or --store) so the instances share it, or use 1 instance`);
  }
  if (server.instances > 1 && server.tls !== 'off') {
    issue('server.tls', 'must be off with several instances (each instance would create its own CA; terminate TLS at the load balancer outside osqsim)');
  }
  if (server.load_balancer === 'haproxy' && server.tls !== 'off') {
    issue('server.load_balancer', 'haproxy forwards plain HTTP here: set server.tls: off, or server.load_balancer: none');
  }
}

/** Whether `osqsim run` repeats the scenario per strategy. */
export function strategiesOf(server: ServerSection): StatsStrategyName[] {
  return Array.isArray(server.stats.strategy) ? server.stats.strategy : [server.stats.strategy];
}
