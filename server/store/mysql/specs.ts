/** fleetctl apply of a whole file: labels, then policies and queries, upserted in one transaction, all or nothing. */
import type { SpecsInput, SpecsOutcome } from '../store.js';
import { MAX_NAME_CHARS, assertFits } from '../limits.js';
import { type Db, run } from './db.js';
import { applyLabelSpecsTx, checkLabelSpecNames } from './labels.js';
import { applyPolicySpecsTx } from './policies.js';
import { applyQuerySpecsTx } from './queries.js';
import { assertTeam, tx } from './tx.js';

export async function applySpecs(db: Db, specs: SpecsInput): Promise<SpecsOutcome> {
  // Checked before the transaction writes anything (a rollback would undo it anyway).
  for (const spec of specs.queries) assertFits('query name', spec.name.normalize('NFC'), MAX_NAME_CHARS);
  const labelSpecs = specs.labels ?? [];
  checkLabelSpecNames(labelSpecs);
  return run(() =>
    tx(db.pool, async (c) => {
      for (const teamId of new Set([...specs.policies, ...specs.queries].map((s) => s.teamId))) await assertTeam(c, teamId);
      // Labels first: the file's policies may be scoped to them (a later failure rolls them back).
      const labels = labelSpecs.length > 0 ? await applyLabelSpecsTx(c, labelSpecs) : [];
      const policies = specs.policies.length > 0 ? await applyPolicySpecsTx(c, specs.policies) : [];
      const queries = await applyQuerySpecsTx(c, specs.queries);
      return { labels, policies, queries };
    }),
  );
}
