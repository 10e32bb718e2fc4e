/**
 * Label routes (reference fleet-host-vitals.md §3.5; Fleet's server/service/labels.go NewLabel,
 * ModifyLabel, GetLabel, ListLabels, LabelsSummary, ListHostsInLabel, DeleteLabel, DeleteLabelByID,
 * ApplyLabelSpecs, and hosts.go AddLabelsToHost/RemoveLabelsFromHost): Fleet's bodies, statuses
 * and messages. Built-in labels cannot be changed, deleted or named by a new label.
 */
import type { FastifyInstance } from 'fastify';
import { osqsimError } from '../../lib/errors.js';
import { applyLabelDocs, hostIdsByIdentifiers } from '../policies/apply-labels.js';
import {
  labelNameProblem,
  labelQueryProblem,
  labelSpecProblems,
  ONLY_ONE,
  type LabelSpecDoc,
} from '../policies/label-specs.js';
import type { Label, LabelMembershipType } from '../store/store.js';
import type { ApiDeps } from './deps.js';
import { badRequest, notFound, validationFailed, type FleetErrorItem } from './errors.js';
import { hostListJson } from './hosts.js';
import { labelJson, type LabelJson } from './serialize.js';
import { asObject, listPaging, optionalString, pathId, type JsonObject } from './validate.js';
import { listWindow as windowOf } from './list-window.js';

type Params = Record<string, string | undefined>;
type Query = Record<string, unknown>;

function optionalIdArray(body: JsonObject, key: string): number[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)) {
    throw badRequest(`invalid field "${key}": expected an array of host ids`);
  }
  return value as number[];
}

function optionalStringArray(body: JsonObject, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw badRequest(`invalid field "${key}": expected an array of strings`);
  }
  return value as string[];
}

/** Host ids for `hosts` identifiers and `host_ids` (undefined when neither is given); 422 for one that matches no host. */
async function memberIds(deps: ApiDeps, identifiers: readonly string[] | undefined, ids: readonly number[] | undefined, field: string): Promise<number[] | undefined> {
  if (identifiers === undefined && ids === undefined) return undefined;
  const out = new Set<number>();
  if (ids !== undefined) {
    const found = new Set((await deps.context.store.getHosts(ids)).map((host) => host.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw validationFailed('host_ids', `host ${missing} does not exist`);
    for (const id of ids) out.add(id);
  }
  const resolved = await hostIdsByIdentifiers(deps.context.store, identifiers ?? []);
  if (resolved.missing !== undefined) throw validationFailed(field, `no host matches "${resolved.missing}"`);
  for (const id of resolved.ids) out.add(id);
  return [...out].sort((a, b) => a - b);
}

async function labelFrom(deps: ApiDeps, params: unknown): Promise<Label> {
  const id = pathId((params as Params)['id'], 'label');
  const label = await deps.context.store.getLabel(id);
  if (!label) throw notFound(`label ${id} was not found`);
  return label;
}

/** After a label change that can move policy scopes (delete): drop the cached scopes. */
function labelsChanged(deps: ApiDeps): void {
  deps.context.events.emit('policiesChanged', []);
}

const ORDER_KEYS = ['id', 'name', 'created_at', 'updated_at', 'host_count'] as const;

function listWindow(list: LabelJson[], query: Query): LabelJson[] {
  return windowOf(list, query, ORDER_KEYS, 'id').rows;
}

export function readLabelSpecBody(value: unknown, index: number, problems: FleetErrorItem[]): LabelSpecDoc | undefined {
  const where = `specs[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ name: where, reason: 'label spec must be an object' });
    return undefined;
  }
  const spec = value as JsonObject;
  const text = (key: string): string | undefined => {
    const field = spec[key];
    if (field === undefined || field === null) return '';
    if (typeof field === 'string') return field;
    problems.push({ name: where, reason: `invalid field "${key}": expected a string` });
    return undefined;
  };
  const [name, description, query, platform, type] = ['name', 'description', 'query', 'platform', 'label_membership_type'].map(text);
  const hosts = spec['hosts'];
  if (hosts !== undefined && hosts !== null && (!Array.isArray(hosts) || hosts.some((h) => typeof h !== 'string'))) {
    problems.push({ name: where, reason: 'invalid field "hosts": expected an array of host names' });
    return undefined;
  }
  if ([name, description, query, platform, type].includes(undefined)) return undefined;
  if (type !== '' && type !== 'dynamic' && type !== 'manual') {
    problems.push({ name: where, reason: `invalid label_membership_type "${type}": expected dynamic or manual (host_vitals is not supported by osqsim)` });
    return undefined;
  }
  const membershipType: LabelMembershipType = type === 'manual' || (type === '' && query!.trim() === '') ? 'manual' : 'dynamic';
  const doc: LabelSpecDoc = {
    name: name!,
    description: description!,
    query: query!,
    platform: platform!,
    membershipType,
    ...(Array.isArray(hosts) ? { hosts: hosts as string[] } : {}),
  };
  const found = labelSpecProblems(doc, where);
  problems.push(...found);
  return found.length > 0 ? undefined : doc;
}

export function registerLabelRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps.context;

  app.post('/labels', async (request) => {
    const body = asObject(request.body);
    const name = optionalString(body, 'name') ?? '';
    const query = optionalString(body, 'query') ?? '';
    const platform = optionalString(body, 'platform') ?? '';
    const description = optionalString(body, 'description') ?? '';
    const hosts = optionalStringArray(body, 'hosts');
    const hostIds = optionalIdArray(body, 'host_ids');
    if (body['criteria'] !== undefined && body['criteria'] !== null) {
      throw validationFailed('criteria', 'host vitals labels (criteria) are not supported by osqsim');
    }
    const nameProblem = labelNameProblem(name);
    if (nameProblem) throw validationFailed('name', nameProblem);
    if (query !== '' && (hosts !== undefined || hostIds !== undefined)) throw validationFailed('query', ONLY_ONE);
    if (hosts !== undefined && hostIds !== undefined) throw validationFailed('hosts', 'only one of "hosts" or "host_ids" can be included in the request');
    const membershipType: LabelMembershipType = query === '' ? 'manual' : 'dynamic';
    if (membershipType === 'dynamic') {
      const problem = labelQueryProblem(query, platform);
      if (problem) throw validationFailed(problem.name, problem.reason);
    }
    const members = membershipType === 'manual' ? await memberIds(deps, hosts, hostIds, 'hosts') : undefined;
    const label = await store.createLabel({ name, description, query, platform, membershipType, hostIds: members ?? [] });
    return { label: labelJson(label, membershipType === 'manual' ? (members ?? []) : undefined) };
  });

  app.get('/labels', async (request) => {
    const labels = (await store.listLabels()).map((label) => labelJson(label));
    return { labels: listWindow(labels, request.query as Query) };
  });

  app.get('/labels/summary', async () => ({
    labels: (await store.listLabels()).map((label) => ({
      id: label.id,
      name: label.name,
      description: label.description,
      label_type: label.labelType,
      team_id: null,
    })),
  }));

  app.get('/labels/:id', async (request) => ({ label: labelJson(await labelFrom(deps, request.params)) }));

  app.patch('/labels/:id', async (request) => {
    const label = await labelFrom(deps, request.params);
    const body = asObject(request.body);
    const name = optionalString(body, 'name');
    const description = optionalString(body, 'description');
    const hosts = optionalStringArray(body, 'hosts');
    const hostIds = optionalIdArray(body, 'host_ids');
    if (body['query'] !== undefined || body['platform'] !== undefined) {
      throw validationFailed(body['query'] !== undefined ? 'query' : 'platform', 'cannot be changed; delete the label and create it again (as Fleet)');
    }
    if (label.labelType === 'builtin') throw validationFailed('label_type', 'cannot modify built-in label');
    if (name !== undefined) {
      const problem = labelNameProblem(name);
      if (problem) throw validationFailed('name', problem);
    }
    if (hosts !== undefined && hostIds !== undefined) throw validationFailed('hosts', 'only one of "hosts" or "host_ids" can be included in the request');
    if ((hosts !== undefined || hostIds !== undefined) && label.membershipType !== 'manual') {
      throw validationFailed('hosts', 'cannot provide a list of hosts for a dynamic label');
    }
    const members = await memberIds(deps, hosts, hostIds, 'hosts');
    const updated = await store.updateLabel(label.id, {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      ...(members === undefined ? {} : { hostIds: members }),
    });
    if (!updated) throw notFound(`label ${label.id} was not found`);
    if (updated.name !== label.name) labelsChanged(deps);
    return { label: labelJson(updated, members) };
  });

  app.get('/labels/:id/hosts', async (request) => {
    const label = await labelFrom(deps, request.params);
    const ids = await store.labelHostIds(label.id);
    const { page, perPage } = listPaging(request.query as Query);
    const window = perPage === undefined ? ids : ids.slice(page * perPage, page * perPage + perPage);
    return { hosts: await hostListJson(deps, await store.getHosts(window)) };
  });

  const remove = async (label: Label | undefined, what: string) => {
    if (!label) throw notFound(`label ${what} was not found`);
    if (label.labelType === 'builtin') throw validationFailed('label_type', 'cannot delete built-in label');
    if (!(await store.deleteLabel(label.id))) throw notFound(`label ${what} was not found`);
    labelsChanged(deps);
    return {};
  };
  app.delete('/labels/id/:id', async (request) => {
    const id = pathId((request.params as Params)['id'], 'label');
    return remove(await store.getLabel(id), String(id));
  });
  app.delete('/labels/:name', async (request) => {
    const name = (request.params as Params)['name'] ?? '';
    return remove(await store.getLabelByName(name), `"${name}"`);
  });

  // Manual labels of one host (Fleet: AddLabelsToHost / RemoveLabelsFromHost).
  const hostLabels = async (params: unknown, raw: unknown, add: boolean) => {
    const hostId = pathId((params as Params)['id'], 'host');
    if (!(await store.getHost(hostId))) throw notFound(`host ${hostId} was not found`);
    const names = optionalStringArray(asObject(raw), 'labels');
    if (names === undefined) throw badRequest('invalid field "labels": expected an array of label names');
    const labels: Label[] = [];
    for (const name of names) {
      const label = await store.getLabelByName(name);
      if (!label) throw validationFailed('labels', `label "${name}" does not exist`);
      if (label.membershipType !== 'manual') throw validationFailed('labels', `label "${label.name}" is not a manual label`);
      labels.push(label);
    }
    for (const label of labels) {
      const members = new Set(await store.labelHostIds(label.id));
      if (add) members.add(hostId);
      else members.delete(hostId);
      await store.updateLabel(label.id, { hostIds: [...members] });
    }
    return {};
  };
  app.post('/hosts/:id/labels', async (request) => hostLabels(request.params, request.body, true));
  app.delete('/hosts/:id/labels', async (request) => hostLabels(request.params, request.body, false));

  // fleetctl apply / get (`kind: label`).
  app.post('/spec/labels', async (request) => {
    const body = asObject(request.body);
    const specs = body['specs'];
    if (!Array.isArray(specs)) throw badRequest('invalid field "specs": expected an array of label specs');
    const problems: FleetErrorItem[] = [];
    const docs = specs.map((spec, index) => readLabelSpecBody(spec, index, problems));
    if (problems.length > 0) throw osqsimValidation(problems);
    await applyLabelDocs(store, docs as LabelSpecDoc[]);
    labelsChanged(deps);
    return {};
  });
  const specJson = async (label: Label) => ({
    id: label.id,
    name: label.name,
    description: label.description,
    query: label.query,
    platform: label.platform,
    label_type: label.labelType,
    label_membership_type: label.membershipType,
    ...(label.membershipType === 'manual'
      ? { hosts: (await store.getHosts(await store.labelHostIds(label.id))).map((host) => host.hostname) }
      : {}),
  });
  app.get('/spec/labels', async () => ({ specs: await Promise.all((await store.listLabels()).map(specJson)) }));
  app.get('/spec/labels/:name', async (request) => {
    const name = (request.params as Params)['name'] ?? '';
    const label = await store.getLabelByName(name);
    if (!label) throw notFound(`label "${name}" was not found`);
    return { specs: await specJson(label) };
  });
}

/** A 422 carrying every problem (Fleet's "Validation Failed" with one item per problem). */
function osqsimValidation(problems: FleetErrorItem[]) {
  return osqsimError('API_VALIDATION_FAILED', { name: problems[0]!.name, reason: problems[0]!.reason, items: problems });
}
