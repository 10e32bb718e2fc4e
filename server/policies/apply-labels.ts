/**
 * Applying label specs to a store (fleetctl `kind: label`: `POST /spec/labels`, `osqsim server
 * --policies`): upsert by name in one store call, all or nothing. Manual labels name their hosts
 * by identifier (hostname, UUID, hardware serial or osquery host id, as Fleet's
 * HostIDsByIdentifier); one that matches no host is refused (Fleet drops it silently).
 */
import { osqsimError } from '../../lib/errors.js';
import type { Label, LabelSpecInput, Store } from '../store/store.js';
import type { LabelSpecDoc } from './label-specs.js';

/** Host ids for identifiers; `missing` is the first identifier no host matches. */
export async function hostIdsByIdentifiers(store: Store, identifiers: readonly string[]): Promise<{ ids: number[]; missing?: string }> {
  if (identifiers.length === 0) return { ids: [] };
  const hosts = await store.listHosts({});
  const ids = new Set<number>();
  for (const identifier of identifiers) {
    const host = hosts.find((h) => [h.hostname, h.uuid, h.hardwareSerial, h.osqueryHostId].includes(identifier));
    if (!host) return { ids: [...ids], missing: identifier };
    ids.add(host.id);
  }
  return { ids: [...ids].sort((a, b) => a - b) };
}

/** A 422 (Fleet's "Validation Failed") naming the label. */
const invalid = (name: string, reason: string) =>
  osqsimError('API_VALIDATION_FAILED', { name: `label "${name}"`, reason, items: [{ name: `label "${name}"`, reason }] });

/** API_VALIDATION_FAILED for a duplicate name, a built-in label or an unknown host; otherwise the applied labels. */
export async function applyLabelDocs(store: Store, docs: readonly LabelSpecDoc[]): Promise<Label[]> {
  const inputs = await labelInputsFromDocs(store, docs);
  return inputs.length === 0 ? [] : store.applyLabelSpecs(inputs);
}

/**
 * The store inputs for label docs (manual labels' hosts resolved), checked as applyLabelDocs does;
 * nothing is written (a whole-file apply writes them with its other kinds, in one transaction).
 */
export async function labelInputsFromDocs(store: Store, docs: readonly LabelSpecDoc[]): Promise<LabelSpecInput[]> {
  const seen = new Set<string>();
  const inputs: LabelSpecInput[] = [];
  for (const doc of docs) {
    const key = doc.name.toLowerCase();
    if (seen.has(key)) throw invalid(doc.name, 'appears more than once');
    seen.add(key);
    const existing = await store.getLabelByName(doc.name);
    if (existing?.labelType === 'builtin') throw invalid(doc.name, 'cannot modify or add built-in label');
    let hostIds: number[] | undefined;
    if (doc.membershipType === 'manual' && doc.hosts !== undefined) {
      const resolved = await hostIdsByIdentifiers(store, doc.hosts);
      if (resolved.missing !== undefined) throw invalid(doc.name, `no host matches "${resolved.missing}"`);
      hostIds = resolved.ids;
    }
    inputs.push({
      name: doc.name,
      description: doc.description,
      query: doc.membershipType === 'manual' ? '' : doc.query,
      platform: doc.platform,
      membershipType: doc.membershipType,
      ...(hostIds === undefined ? {} : { hostIds }),
    });
  }
  return inputs;
}
