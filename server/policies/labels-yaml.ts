/**
 * fleetctl `kind: label` documents (reference fleet-host-vitals.md §3.6; Fleet's fleet.LabelSpec and
 * ApplyLabelSpecs): `spec: {name, description, query, platform, label_membership_type, hosts}`.
 * Its own module beside the policy parser (fleetctl-yaml.ts), which passes these documents over
 * (`label` is one of its SERVED_KINDS); callers that apply a file read its labels here. Re-applying an unchanged built-in label (as `fleetctl get labels`
 * prints them) is accepted and changes nothing, as Fleet does; any other built-in name is refused.
 */
import { parseAllDocuments } from 'yaml';
import { flowNestingProblem } from '../../lib/yaml-depth.js';
import { BUILTIN_LABELS } from '../store/label-rules.js';
import { labelSpecProblems, type LabelSpecDoc } from './label-specs.js';
import { documentValue, LABEL_KIND, type PolicyYamlError } from './fleetctl-yaml.js';

export { LABEL_KIND };

export interface LabelYamlResult {
  readonly specs: LabelSpecDoc[];
  /** Unchanged built-in labels in the file (nothing to apply). */
  readonly builtins: string[];
  readonly errors: PolicyYamlError[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseLabelYaml(text: string): LabelYamlResult {
  const specs: LabelSpecDoc[] = [];
  const builtins: string[] = [];
  const errors: PolicyYamlError[] = [];
  // Too deep for the YAML library (lib/yaml-depth.ts): reported by the policy parser.
  if (flowNestingProblem(text) !== undefined) return { specs, builtins, errors };
  parseAllDocuments(text).forEach((document, index) => {
    const doc = index + 1;
    if (document.errors.length > 0) return; // reported by the policy parser
    const read = documentValue(document);
    if ('error' in read) return; // reported by the policy parser too
    const value = read.value;
    if (!isRecord(value) || value.kind !== LABEL_KIND) return;
    const spec = value.spec;
    if (!isRecord(spec)) {
      errors.push({ doc, path: 'spec', message: 'must be a mapping' });
      return;
    }
    const problems: PolicyYamlError[] = [];
    const text = (key: string): string => {
      const field = spec[key];
      if (field === undefined || field === null) return '';
      if (typeof field === 'string') return field;
      problems.push({ doc, path: `spec.${key}`, message: `must be a string, got ${typeof field}` });
      return '';
    };
    const name = text('name').trim();
    const description = text('description');
    const query = text('query');
    const platform = text('platform').trim();
    const type = text('label_membership_type').trim();
    const labelType = text('label_type').trim();
    let hosts: string[] | undefined;
    if (spec.hosts !== undefined && spec.hosts !== null) {
      if (Array.isArray(spec.hosts) && spec.hosts.every((host) => typeof host === 'string' && host.trim() !== '')) hosts = spec.hosts as string[];
      else problems.push({ doc, path: 'spec.hosts', message: 'must be a list of host names' });
    }
    if (type !== '' && type !== 'dynamic' && type !== 'manual') {
      problems.push({ doc, path: 'spec.label_membership_type', message: `"${type}" is not supported (expected dynamic or manual; osqsim has no host_vitals labels)` });
    }
    if (problems.length > 0) {
      errors.push(...problems);
      return;
    }
    const builtin = BUILTIN_LABELS.find((label) => label.name === name);
    if (labelType === 'builtin' || builtin) {
      if (builtin && builtin.query === query) builtins.push(name);
      else errors.push({ doc, path: 'spec', message: builtin ? 'cannot modify or add built-in label' : `cannot add built-in label "${name}"` });
      return;
    }
    const membershipType = type === 'manual' || (type === '' && query.trim() === '') ? 'manual' : 'dynamic';
    const parsed: LabelSpecDoc = { name, description, query, platform, membershipType, ...(hosts === undefined ? {} : { hosts }) };
    const found = labelSpecProblems(parsed, 'spec');
    if (found.length > 0) {
      for (const problem of found) errors.push({ doc, path: name ? `spec (label "${name}")` : 'spec', message: problem.reason });
      return;
    }
    specs.push(parsed);
  });
  const seen = new Set<string>();
  for (const spec of specs) {
    const key = spec.name.toLowerCase();
    if (seen.has(key)) errors.push({ doc: 0, path: 'spec.name', message: `label "${spec.name}" appears twice` });
    seen.add(key);
  }
  return { specs, builtins, errors };
}

/** Label names the policies of a file scope themselves by. */
export function labelNamesUsed(policies: ReadonlyArray<{ labelsIncludeAny?: readonly string[]; labelsExcludeAny?: readonly string[] }>): string[] {
  return [...new Set(policies.flatMap((p) => [...(p.labelsIncludeAny ?? []), ...(p.labelsExcludeAny ?? [])]))];
}
