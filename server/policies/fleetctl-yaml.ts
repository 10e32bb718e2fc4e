/**
 * fleetctl YAML (reference fleet-policies.md §6.7): documents separated by `---`, each
 * `apiVersion: v1`, `kind: …`, `spec: {…}`. This module reads `kind: policy` (`spec: {name, query,
 * description, resolution, platform, critical, team}`) and dispatches the other kinds osqsim
 * serves to their own modules (`report`/`query`: queries-yaml.ts; `label` documents are read by
 * labels-yaml.ts from the same text and passed over here). Unknown keys are ignored
 * (fleetctl's parser is not strict); documents of kinds osqsim does not serve are listed in
 * `skipped`, never dropped silently. Used by `osqsim server --policies`, `osqsim policies apply`
 * and the scenario reader.
 */
import { normalisePlatformList, POLICY_PLATFORMS } from '../../contract/platforms.js';
import { parseAllDocuments } from 'yaml';
import { FIELD_LIMITS, readOnlyProblem, tooLongProblem } from '../api/validate.js';
import { DEPRECATED_QUERY_KIND_NOTICE, QUERY_KINDS, readQuerySpec, type QuerySpecDoc } from './queries-yaml.js';
import { flowNestingProblem } from '../../lib/yaml-depth.js';

/** fleetctl `kind: label` (read by labels-yaml.ts). */
export const LABEL_KIND = 'label';

/** The kinds osqsim applies, for notices about the others. */
export const SERVED_KINDS: readonly string[] = [LABEL_KIND, 'policy', ...QUERY_KINDS];

export interface PolicySpecDoc {
  readonly name: string;
  readonly query: string;
  readonly description: string;
  readonly resolution: string;
  /** Comma list of Fleet platforms, spaces trimmed; '' = all platforms. */
  readonly platform: string;
  readonly critical: boolean;
  /** undefined or '' = global, 'No team' = hosts without a team, otherwise a team name. */
  readonly team: string | undefined;
  /** Label scope by label names (Fleet's labels_include_any / labels_exclude_any); absent = none. */
  readonly labelsIncludeAny?: readonly string[];
  readonly labelsExcludeAny?: readonly string[];
}

export interface PolicyYamlError {
  /** 1-based document number in the file. */
  readonly doc: number;
  /** Where in the document, e.g. `spec.name`. */
  readonly path: string;
  readonly message: string;
}

export interface PolicyYamlResult {
  /** The `kind: policy` documents. */
  readonly specs: PolicySpecDoc[];
  /** The `kind: report` (or deprecated `kind: query`) documents. */
  readonly queries: QuerySpecDoc[];
  /** One line per skipped document, e.g. `doc 2: kind "team" skipped`. */
  readonly skipped: string[];
  /** Warnings that do not stop the apply, e.g. `doc 3: \`kind: query\` is deprecated, …`. */
  readonly notices: string[];
  readonly errors: PolicyYamlError[];
}


/** 'No team' as fleetctl spells it: policies for hosts without a team (team id 0). */
export const NO_TEAM = 'No team';

/**
 * A parsed document's value. `toJS()` throws for what the parser lets through: an alias used before
 * its anchor (`a: *missing`) and an alias expansion past the library's limit (a "billion laughs"
 * file). Found by fuzzing: that error escaped as an internal error (exit 1) instead of a problem
 * of the file (exit 2).
 */
export function documentValue(document: { toJS(): unknown }): { value: unknown } | { error: string } {
  try {
    return { value: document.toJS() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parsePolicyYaml(text: string, fileName: string): PolicyYamlResult {
  const specs: PolicySpecDoc[] = [];
  const queries: QuerySpecDoc[] = [];
  const queryDocs: number[] = []; // the document number of each entry of queries
  const notices: string[] = [];
  const skipped: string[] = [];
  const errors: PolicyYamlError[] = [];
  const tooDeep = flowNestingProblem(text);
  if (tooDeep !== undefined) return { specs, queries, notices, skipped, errors: [{ doc: 1, path: '', message: `${fileName}: ${tooDeep}` }] };
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];

  list.forEach((document, index) => {
    const doc = index + 1;
    if (document.errors.length > 0) {
      for (const error of document.errors) errors.push({ doc, path: '', message: `${fileName}: ${error.message}` });
      return;
    }
    const read = documentValue(document);
    if ('error' in read) {
      errors.push({ doc, path: '', message: `${fileName}: ${read.error}` });
      return;
    }
    const value = read.value;
    if (value === null || value === undefined) return; // empty document (e.g. a leading ---)
    if (!isRecord(value)) {
      errors.push({ doc, path: '', message: 'document must be a mapping with kind and spec' });
      return;
    }
    if (typeof value.kind === 'string' && QUERY_KINDS.includes(value.kind)) {
      if (value.kind === 'query') notices.push(`doc ${doc}: ${DEPRECATED_QUERY_KIND_NOTICE}`);
      if (!isRecord(value.spec)) {
        errors.push({ doc, path: 'spec', message: 'must be a mapping' });
        return;
      }
      const read = readQuerySpec(value.spec);
      if ('problems' in read) errors.push(...read.problems.map((problem) => ({ doc, ...problem })));
      else {
        queries.push(read.spec);
        queryDocs.push(doc);
      }
      return;
    }
    if (value.kind === LABEL_KIND) return; // labels-yaml.ts reads it
    if (value.kind !== 'policy') {
      skipped.push(`doc ${doc}: kind ${JSON.stringify(value.kind ?? null)} skipped`);
      return;
    }
    const spec = value.spec;
    if (!isRecord(spec)) {
      errors.push({ doc, path: 'spec', message: 'must be a mapping' });
      return;
    }
    const problems: PolicyYamlError[] = [];
    const text = (key: string, required: boolean): string => {
      const field = spec[key];
      if (field === undefined || field === null) {
        if (required) problems.push({ doc, path: `spec.${key}`, message: 'is required' });
        return '';
      }
      if (typeof field !== 'string') {
        problems.push({ doc, path: `spec.${key}`, message: `must be a string, got ${typeof field}` });
        return '';
      }
      if (required && field.trim() === '') problems.push({ doc, path: `spec.${key}`, message: 'must not be blank' });
      return field;
    };
    const name = text('name', true).trim();
    const query = text('query', true);
    const description = text('description', false);
    const resolution = text('resolution', false);
    // The REST API's checks, so `osqsim server --policies` cannot start with a policy the API
    // would refuse (mutating SQL sent to every host, or a value the MySQL columns cannot hold).
    const longName = tooLongProblem('name', name.normalize('NFC'), FIELD_LIMITS.policyName);
    if (longName) problems.push({ doc, path: 'spec.name', message: longName });
    if (query.trim() !== '') {
      const sqlProblem = readOnlyProblem(query);
      if (sqlProblem) problems.push({ doc, path: `spec.query${name ? ` (policy "${name}")` : ''}`, message: `invalid policy query: ${sqlProblem}` });
    }
    const resolutionBytes = Buffer.byteLength(resolution, 'utf8');
    if (resolutionBytes > FIELD_LIMITS.policyResolutionBytes) {
      problems.push({ doc, path: 'spec.resolution', message: `is too long (${resolutionBytes} bytes; at most ${FIELD_LIMITS.policyResolutionBytes})` });
    }
    const platform = normalisePlatformList(text('platform', false));
    for (const entry of platform ? platform.split(',') : []) {
      if (!POLICY_PLATFORMS.includes(entry)) {
        problems.push({ doc, path: 'spec.platform', message: `unknown platform "${entry}" (expected ${POLICY_PLATFORMS.join(', ')})` });
      }
    }
    let critical = false;
    if (spec.critical !== undefined && spec.critical !== null) {
      if (typeof spec.critical === 'boolean') critical = spec.critical;
      else problems.push({ doc, path: 'spec.critical', message: 'must be true or false' });
    }
    let team: string | undefined;
    if (spec.team !== undefined && spec.team !== null) {
      if (typeof spec.team === 'string') team = spec.team.trim() === '' ? undefined : spec.team.trim();
      else problems.push({ doc, path: 'spec.team', message: 'must be a string (a team name, "No team" or "")' });
    }
    const labelList = (key: 'labels_include_any' | 'labels_exclude_any'): string[] | undefined => {
      const field = spec[key];
      if (field === undefined || field === null) return undefined;
      if (!Array.isArray(field) || field.some((item) => typeof item !== 'string' || item.trim() === '')) {
        problems.push({ doc, path: `spec.${key}`, message: 'must be a list of label names' });
        return undefined;
      }
      return field as string[];
    };
    const labelsIncludeAny = labelList('labels_include_any');
    const labelsExcludeAny = labelList('labels_exclude_any');
    if (problems.length > 0) {
      errors.push(...problems);
      return;
    }
    specs.push({
      name,
      query,
      description,
      resolution,
      platform,
      critical,
      team,
      ...(labelsIncludeAny === undefined ? {} : { labelsIncludeAny }),
      ...(labelsExcludeAny === undefined ? {} : { labelsExcludeAny }),
    });
  });

  const seen = new Map<string, number>();
  specs.forEach((spec, index) => {
    const key = `${spec.team ?? ''}\u0000${spec.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.push({ doc: 0, path: `specs[${index}].name`, message: `policy "${spec.name}" appears twice for the same team` });
    }
    seen.set(key, index);
  });
  const firstDoc = new Map<string, number>();
  queries.forEach((query, index) => {
    const key = `${query.team ?? ''}\u0000${query.name}`;
    const first = firstDoc.get(key);
    if (first !== undefined) {
      errors.push({ doc: queryDocs[index]!, path: 'spec.name', message: `report "${query.name}" appears twice for the same team (first in doc ${first})` });
    } else firstDoc.set(key, queryDocs[index]!);
  });
  return { specs, queries, skipped, notices, errors };
}

/** One line per error, for CLI output: `file.yml doc 2 spec.name: is required`. */
export function formatPolicyYamlErrors(fileName: string, errors: readonly PolicyYamlError[]): string {
  return errors
    .map((error) => `${fileName}${error.doc ? ` doc ${error.doc}` : ''}${error.path ? ` ${error.path}` : ''}: ${error.message}`)
    .join('\n');
}
