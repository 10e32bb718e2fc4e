/**
 * The REST API plugin: Fleet's policy, team, host and query routes under `/api/v1/fleet/`,
 * `/api/2022-04/fleet/` and `/api/latest/fleet/` (reference fleet-policies.md §6), bearer auth on
 * every one of them, Fleet's error body, and the edit clean-up job.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext, ServerPlugin } from '../context.js';
import { bearerChecker, resolveApiToken } from './auth.js';
import { MembershipCleanupJob, type CleanupJobOptions } from './cleanup-job.js';
import type { ApiDeps } from './deps.js';
import { toOsqsimError } from '../errors.js';
import { fleetErrorAnswer, notFound, unauthorized } from './errors.js';
import { registerHostRoutes } from './hosts.js';
import { registerLabelRoutes } from './labels.js';
import { registerPolicyRoutes } from './policies.js';
import { registerQueryRoutes } from './queries.js';
import { registerSpecFileRoute } from './spec-file.js';
import { registerSpecRoutes } from './spec.js';
import { registerTeamRoutes } from './teams.js';

export { apiTokenOf } from './auth.js';
export { MembershipCleanupJob } from './cleanup-job.js';

export const API_VERSIONS: readonly string[] = ['v1', '2022-04', 'latest'];

const cleanupJobs = new WeakMap<ServerContext, MembershipCleanupJob>();

/** The edit clean-up job of a server (tests and benchmarks wait on `whenIdle()`). */
export function cleanupJobOf(context: ServerContext): MembershipCleanupJob | undefined {
  return cleanupJobs.get(context);
}

export interface RestApiOptions {
  /** Overrides of the clean-up job's settings (tests); batch size and pause factor come from the options. */
  readonly cleanup?: CleanupJobOptions;
}

export async function registerRestApi(app: FastifyInstance, context: ServerContext, options: RestApiOptions = {}): Promise<void> {
  const token = resolveApiToken(context);
  const authorized = bearerChecker(token);
  const { cleanupBatchRows, cleanupPauseFactor } = context.options;
  const cleanup = new MembershipCleanupJob(context, { batchSize: cleanupBatchRows, pauseFactor: cleanupPauseFactor, ...options.cleanup });
  cleanupJobs.set(context, cleanup);
  context.jobs.push(cleanup);
  const deps: ApiDeps = { context, cleanup };

  await app.register(async (scope) => {
    // Fleet's handlers ignore the body of GET/DELETE/refetch, and scripts often send
    // `Content-Type: application/json` on every request: an empty JSON body is "no body" here,
    // not fastify's 400 (FST_ERR_CTP_EMPTY_JSON_BODY). Anything else goes to the default parser.
    const parseJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      parseJson(request, text, done);
    });
    scope.addHook('onRequest', async (request) => {
      if (!authorized(request.headers.authorization)) throw unauthorized();
    });
    scope.setErrorHandler((error, request, reply) => {
      const answer = fleetErrorAnswer(toOsqsimError(error, request));
      if (answer.status >= 500) request.log.error({ err: error }, 'REST API request failed');
      void reply.code(answer.status).send(answer.body);
    });
    for (const version of API_VERSIONS) {
      await scope.register(
        async (routes) => {
          registerPolicyRoutes(routes, deps);
          registerSpecRoutes(routes, deps);
          registerTeamRoutes(routes, deps);
          registerHostRoutes(routes, deps);
          registerLabelRoutes(routes, deps);
          registerQueryRoutes(routes, deps);
          routes.setNotFoundHandler((request, reply) => {
            const answer = fleetErrorAnswer(notFound(`no route for ${request.method} ${request.url.split('?')[0]}`));
            void reply.code(answer.status).send(answer.body);
          });
        },
        { prefix: `/api/${version}/fleet` },
      );
    }
    // osqsim's own routes under the same token: a whole fleetctl file in one transaction.
    for (const version of ['v1', 'latest']) {
      await scope.register(async (routes) => registerSpecFileRoute(routes, deps), { prefix: `/api/${version}/osqsim` });
    }
  });
}

export const plugin: ServerPlugin = (app, context) => registerRestApi(app, context);
