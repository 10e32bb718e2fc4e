/**
 * `POST /api/{v1,latest}/osqsim/spec`: a whole fleetctl file in one request, applied in one store
 * transaction — all kinds or nothing (issue 14 item 5). Fleet's fleetctl sends one request per
 * kind (`/spec/policies`, `/spec/queries`, …), so a failure half-way leaves a library half
 * applied; `osqsim apply` uses this route instead when the server has it. Body:
 * `{"labels": [LabelSpec], "policies": [PolicySpec], "queries": [QuerySpec]}` in the shapes of the
 * per-kind routes (`/spec/labels`, `/spec/policies`, `/spec/queries`); labels are written first, so
 * the file's policies may name them. Every problem of every kind is reported at once in Fleet's
 * error body.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { badRequest, type FleetErrorItem } from './errors.js';
import { labelInputsFromDocs } from '../policies/apply-labels.js';
import type { LabelSpecDoc } from '../policies/label-specs.js';
import type { LabelSpecInput } from '../store/store.js';
import { readLabelSpecBody } from './labels.js';
import { readQuerySpecs } from './queries.js';
import { afterPolicyApply, readPolicySpecs } from './spec.js';
import { asObject } from './validate.js';

/** The body keys this route reads: one per kind osqsim serves. */
export const SPEC_FILE_KINDS = ['labels', 'policies', 'queries'] as const;

export function registerSpecFileRoute(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/spec', async (request) => {
    const body = asObject(request.body);
    for (const key of Object.keys(body)) {
      if (!(SPEC_FILE_KINDS as readonly string[]).includes(key)) throw badRequest(`unknown field "${key}": expected ${SPEC_FILE_KINDS.join(', ')}`);
    }
    const list = (key: (typeof SPEC_FILE_KINDS)[number]): unknown[] => {
      const value = body[key] ?? [];
      if (!Array.isArray(value)) throw badRequest(`invalid field "${key}": expected an array of specs`);
      return value;
    };
    const problems: FleetErrorItem[] = [];
    const collect = async <T>(kind: string, read: () => Promise<T[]>): Promise<T[]> => {
      try {
        return await read();
      } catch (error) {
        const items = (error as { params?: { items?: FleetErrorItem[] } }).params?.items;
        if (!items) throw error;
        problems.push(...items.map((item) => ({ name: `${kind}.${item.name}`, reason: item.reason })));
        return [];
      }
    };
    const labelSpecs = list('labels');
    const policySpecs = list('policies');
    const querySpecs = list('queries');
    const labels = await collect<LabelSpecInput>('labels', async () => {
      const found: FleetErrorItem[] = [];
      const docs = labelSpecs.map((spec, index) => readLabelSpecBody(spec, index, found));
      if (found.length > 0) throw badRequest(found[0]!.reason, found);
      return labelInputsFromDocs(deps.context.store, docs as LabelSpecDoc[]);
    });
    const labelNames = new Set(labels.map((label) => label.name.toLowerCase()));
    const policies = await collect('policies', () => readPolicySpecs(deps, policySpecs, labelNames));
    const queries = await collect('queries', () => readQuerySpecs(deps, querySpecs));
    if (problems.length > 0) throw badRequest(`nothing was applied: ${problems[0]!.reason}`, problems);
    const labelsBefore = new Set(labels.length > 0 ? (await deps.context.store.listLabels()).map((label) => label.id) : []);
    const outcome = await deps.context.store.applySpecs({ labels, policies, queries });
    // A label's query or members changed: policy scopes are re-read (as POST /spec/labels).
    if (outcome.labels.length > 0) deps.context.events.emit('policiesChanged', []);
    await afterPolicyApply(deps, outcome.policies);
    if (outcome.queries.length > 0) deps.context.events.emit('queriesChanged', outcome.queries.map(({ query }) => query.id));
    const tally = <T>(rows: ReadonlyArray<{ result: 'created' | T }>) => ({
      created: rows.filter((r) => r.result === 'created').length,
      updated: rows.filter((r) => r.result !== 'created').length,
    });
    const labelsCreated = outcome.labels.filter((label) => !labelsBefore.has(label.id)).length;
    return { labels: { created: labelsCreated, updated: outcome.labels.length - labelsCreated }, policies: tally(outcome.policies), queries: tally(outcome.queries) };
  });
}
