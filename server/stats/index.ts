/**
 * The stats plugin: picks the count strategy (`--stats-strategy cron|realtime|incremental`), makes
 * its reader the server's `context.counts`, runs its periodic work under the lease (runner.ts) and
 * serves the recorded runs at `GET /api/{v1,latest}/osqsim/stats/runs` (same bearer token as the
 * REST API).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext, ServerPlugin } from '../context.js';
import type { StatsStrategyName } from '../../contract/vocabulary.js';
import type { StatsRun } from '../store/types.js';
import { bearerChecker, resolveApiToken } from '../api/auth.js';
import { badRequest, fleetErrorAnswer, unauthorized } from '../api/errors.js';
import { toOsqsimError } from '../errors.js';
import { createCronStrategy } from './cron.js';
import { createIncrementalStrategy, type IncrementalOptions } from './incremental.js';
import { createRealtimeStrategy } from './realtime.js';
import { LeaseRunner, RunnerMetrics } from './runner.js';
import type { CountStrategy, StrategyDeps } from './strategy.js';

export type { CountStrategy, StatsRunOutcome, StrategyDeps } from './strategy.js';
export { LeaseRunner, STATS_LEASE_NAME } from './runner.js';

export function createStrategy(name: StatsStrategyName, deps: StrategyDeps, options: IncrementalOptions = {}): CountStrategy {
  switch (name) {
    case 'cron':
      return createCronStrategy(deps);
    case 'realtime':
      return createRealtimeStrategy(deps);
    case 'incremental':
      return createIncrementalStrategy(deps, options);
  }
}

export interface StatsHandle {
  readonly strategy: CountStrategy;
  /** undefined for strategies without periodic work (realtime). */
  readonly runner: LeaseRunner | undefined;
}

const handles = new WeakMap<ServerContext, StatsHandle>();

/** The stats parts of a built server (tests and benchmarks flush, tick and inspect them). */
export function statsOf(context: ServerContext): StatsHandle | undefined {
  return handles.get(context);
}

export const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RUNS_LIMIT = 1000;

export function runToJson(run: StatsRun): Record<string, unknown> {
  return {
    id: run.id ?? null,
    strategy: run.strategy,
    instance: run.instance,
    started_at: run.startedAt.toISOString(),
    duration_ms: run.durationMs,
    rows_scanned: run.rowsScanned,
    policies_updated: run.policiesUpdated,
    drift: run.drift,
  };
}

export const plugin: ServerPlugin = async (app, context) => {
  const { store, events, log, metrics, options, instanceId } = context;
  const strategy = createStrategy(options.statsStrategy, { store, events, log, metrics, now: () => context.now() });
  context.counts = strategy.reader;
  // Registered now so /metrics lists the stats series before the first run.
  new RunnerMetrics(metrics);
  metrics.gauge('osqsim_stats_strategy', 'The active count strategy (1)').set(1, { strategy: strategy.name });
  const runner = strategy.periodic
    ? new LeaseRunner({
        strategy: strategy.name,
        work: strategy.periodic,
        store,
        instanceId,
        intervalMs: options.statsIntervalMs,
        log,
        metrics,
        now: () => context.now(),
      })
    : undefined;
  handles.set(context, { strategy, runner });
  context.jobs.push({
    name: `stats-${strategy.name}`,
    start() {
      strategy.start();
      runner?.start();
    },
    async stop() {
      await runner?.stop();
      await strategy.stop();
    },
  });

  const authorized = bearerChecker(resolveApiToken(context));
  const listRuns = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (!authorized(request.headers.authorization)) {
      const answer = fleetErrorAnswer(unauthorized());
      return reply.code(answer.status).send(answer.body);
    }
    const raw = (request.query as Record<string, unknown>)['limit'];
    const limit = raw === undefined ? DEFAULT_RUNS_LIMIT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS_LIMIT) {
      const answer = fleetErrorAnswer(badRequest(`limit must be an integer from 1 to ${MAX_RUNS_LIMIT}`));
      return reply.code(answer.status).send(answer.body);
    }
    try {
      const runs = await store.listStatsRuns(limit);
      return { strategy: strategy.name, instance: instanceId, runs: runs.map(runToJson) };
    } catch (error) {
      const answer = fleetErrorAnswer(toOsqsimError(error, request));
      return reply.code(answer.status).send(answer.body);
    }
  };
  for (const version of ['v1', 'latest']) app.get(`/api/${version}/osqsim/stats/runs`, listRuns);
};
