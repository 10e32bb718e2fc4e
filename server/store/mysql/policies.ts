/**
 * Policies (Fleet: server/datastore/mysql/policies.go). Every policy write bumps the `policies`
 * change counter, which the change feed reports as the policies version.
 */
import { createHash } from 'node:crypto';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { newPolicyRecord, patchPolicy, specFields, withLabelScope } from '../common.js';
import type { PolicyUpdateResult } from '../store.js';
import type { Policy, PolicyInput, PolicyPatch, PolicySpecInput } from '../types.js';
import { type Db, readRows, run } from './db.js';
import { isDuplicate } from './errors.js';
import { ids } from './sql.js';
import { attachPolicyLabels, resolveLabelRefs, writePolicyLabels } from './labels.js';
import { assertTeam, tx } from './tx.js';

/** Policies with their label scope (policy_labels), read on the main pool. */
async function withLabels(db: Db, policies: Policy[]): Promise<Policy[]> {
  return attachPolicyLabels((sql, values) => readRows<RowDataPacket>(db, sql, values), policies);
}

async function withLabelsTx(c: PoolConnection, policies: Policy[]): Promise<Policy[]> {
  return attachPolicyLabels(async (sql, values) => (await c.query<RowDataPacket[]>(sql, values))[0], policies);
}

export const BUMP_POLICIES_VERSION =
  "INSERT INTO change_counters (name, value) VALUES ('policies', 1) ON DUPLICATE KEY UPDATE value = value + 1";

const POLICY_SELECT = `SELECT id, team_id, name, query, description, resolution, platforms, critical, author_id,
  author_name, author_email, created_at, updated_at, query_changed_at FROM policies`;

interface PolicyRow extends RowDataPacket {
  id: number;
  team_id: number | null;
  name: string;
  query: string;
  description: string;
  resolution: string;
  platforms: string;
  critical: number;
  author_id: number | null;
  author_name: string;
  author_email: string;
  created_at: Date;
  updated_at: Date;
  query_changed_at: Date | null;
}

function toPolicy(r: PolicyRow): Policy {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    query: r.query,
    description: r.description,
    resolution: r.resolution,
    platforms: r.platforms,
    critical: r.critical === 1,
    authorId: r.author_id,
    authorName: r.author_name,
    authorEmail: r.author_email,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.query_changed_at === null ? {} : { queryChangedAt: r.query_changed_at }),
  };
}

function checksum(teamId: number | null, name: string): Buffer {
  return createHash('md5').update(`${teamId ?? ''}\u0000${name}`).digest();
}

/** The `policies` columns of a new policy, for `INSERT … SET ?`. */
function policyColumns(policy: Policy): Record<string, unknown> {
  return {
    team_id: policy.teamId,
    name: policy.name,
    query: policy.query,
    description: policy.description,
    resolution: policy.resolution,
    platforms: policy.platforms,
    critical: policy.critical ? 1 : 0,
    author_id: policy.authorId,
    author_name: policy.authorName,
    author_email: policy.authorEmail,
    checksum: checksum(policy.teamId, policy.name),
    created_at: policy.createdAt,
    updated_at: policy.updatedAt,
  };
}

export async function createPolicy(db: Db, input: PolicyInput): Promise<Policy> {
  return run(() =>
    tx(db.pool, async (c) => {
      await assertTeam(c, input.teamId);
      const policy = await insertPolicy(c, input);
      await c.query(BUMP_POLICIES_VERSION);
      return policy;
    }),
  );
}

async function insertPolicy(c: PoolConnection, input: PolicyInput): Promise<Policy> {
  const include = await resolveLabelRefs(c, input.labelsIncludeAny);
  const exclude = await resolveLabelRefs(c, input.labelsExcludeAny);
  const policy = withLabelScope(newPolicyRecord(input), include ?? [], exclude ?? []).policy;
  try {
    const [result] = await c.query<ResultSetHeader>('INSERT INTO policies SET ?', [policyColumns(policy)]);
    const created = { ...policy, id: result.insertId };
    await writePolicyLabels(c, created);
    return created;
  } catch (err) {
    if (isDuplicate(err)) throw osqsimError('STORE_CONFLICT', { what: `policy "${policy.name}"` });
    throw err;
  }
}

/** INSERT … ON DUPLICATE KEY UPDATE on the checksum key: creates the policy, or locks the existing row. */
async function upsertPolicyRow(c: PoolConnection, input: PolicyInput): Promise<{ created: boolean; policy: Policy }> {
  const include = await resolveLabelRefs(c, input.labelsIncludeAny);
  const exclude = await resolveLabelRefs(c, input.labelsExcludeAny);
  const policy = withLabelScope(newPolicyRecord(input), include ?? [], exclude ?? []).policy;
  const [result] = await c.query<ResultSetHeader>(
    `INSERT INTO policies SET ? ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), updated_at = '1970-01-01 00:00:00.000'`,
    [policyColumns(policy)],
  );
  const created = result.affectedRows === 1;
  if (created) await writePolicyLabels(c, { ...policy, id: result.insertId });
  return { created, policy: { ...policy, id: result.insertId } };
}

export async function getPolicy(db: Db, id: number): Promise<Policy | undefined> {
  return run(async () => {
    const rows = await readRows<PolicyRow>(db, `${POLICY_SELECT} WHERE id = ?`, [id]);
    return rows[0] && (await withLabels(db, [toPolicy(rows[0])]))[0];
  });
}

export async function listPolicies(db: Db, teamId: number | null): Promise<Policy[]> {
  return run(async () =>
    withLabels(db, (await readRows<PolicyRow>(db, `${POLICY_SELECT} WHERE team_id <=> ? ORDER BY id`, [teamId])).map(toPolicy)),
  );
}

export async function listAllPolicies(db: Db): Promise<Policy[]> {
  return run(async () => withLabels(db, (await readRows<PolicyRow>(db, `${POLICY_SELECT} ORDER BY id`)).map(toPolicy)));
}

export async function policiesForHost(db: Db, teamId: number | null, fleetPlatform: string): Promise<Policy[]> {
  return run(async () =>
    withLabels(
      db,
      (
        await readRows<PolicyRow>(
          db,
          `${POLICY_SELECT}
            WHERE (team_id IS NULL OR team_id = ?)
              AND (REPLACE(platforms, ' ', '') = '' OR (? <> '' AND FIND_IN_SET(?, REPLACE(platforms, ' ', '')) > 0))
            ORDER BY id`,
          [teamId ?? 0, fleetPlatform, fleetPlatform],
        )
      ).map(toPolicy),
    ),
  );
}

export async function updatePolicy(db: Db, id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined> {
  return run(() =>
    tx(db.pool, async (c) => {
      const result = await updatePolicyTx(c, id, patch);
      // The version row is locked last in every transaction (after the policy rows): no lock cycle.
      if (result !== undefined) await c.query(BUMP_POLICIES_VERSION);
      return result;
    }),
  );
}

async function updatePolicyTx(
  c: PoolConnection,
  id: number,
  patch: PolicyPatch,
): Promise<PolicyUpdateResult | undefined> {
  const [rows] = await c.query<PolicyRow[]>(`${POLICY_SELECT} WHERE id = ? FOR UPDATE`, [id]);
  if (!rows[0]) return undefined;
  const old = (await withLabelsTx(c, [toPolicy(rows[0])]))[0]!;
  const include = await resolveLabelRefs(c, patch.labelsIncludeAny);
  const exclude = await resolveLabelRefs(c, patch.labelsExcludeAny);
  const patched = patchPolicy(old, patch);
  const scoped = withLabelScope(patched.policy, include, exclude);
  const result: PolicyUpdateResult = { ...patched, policy: scoped.policy, labelsChanged: scoped.labelsChanged };
  const { policy } = result;
  const name = policy.name;
  try {
    await c.query('UPDATE policies SET ? WHERE id = ?', [
      {
        name,
        query: policy.query,
        description: policy.description,
        resolution: policy.resolution,
        platforms: policy.platforms,
        critical: policy.critical ? 1 : 0,
        checksum: checksum(policy.teamId, name),
        updated_at: policy.updatedAt,
        ...(policy.queryChangedAt === undefined ? {} : { query_changed_at: policy.queryChangedAt }),
      },
      id,
    ]);
  } catch (err) {
    if (isDuplicate(err)) throw osqsimError('STORE_CONFLICT', { what: `policy "${name}"` });
    throw err;
  }
  if (scoped.labelsChanged) await writePolicyLabels(c, policy);
  return result;
}

export async function deletePolicies(db: Db, policyIds: readonly number[]): Promise<number[]> {
  const wanted = ids(policyIds);
  if (wanted.length === 0) return [];
  return run(() =>
    tx(db.pool, async (c) => {
      const [rows] = await c.query<RowDataPacket[]>('SELECT id FROM policies WHERE id IN (?) ORDER BY id FOR UPDATE', [wanted]);
      const existing = rows.map((r) => Number(r.id));
      await deletePoliciesTx(db, c, existing);
      if (existing.length > 0) await c.query(BUMP_POLICIES_VERSION);
      return existing;
    }),
  );
}

/** Deletes policies (already locked by the caller) with their membership and stats, in the caller's transaction. */
export async function deletePoliciesTx(db: Db, c: PoolConnection, policyIds: readonly number[]): Promise<void> {
  if (policyIds.length === 0) return;
  await c.query('DELETE FROM policy_membership WHERE policy_id IN (?)', [policyIds]);
  await c.query('DELETE FROM policy_stats WHERE policy_id IN (?)', [policyIds]);
  await c.query('DELETE FROM policy_labels WHERE policy_id IN (?)', [policyIds]);
  await c.query('DELETE FROM policies WHERE id IN (?)', [policyIds]);
  for (const key of db.clearCursors.keys()) {
    if (policyIds.includes(Number(key.split(':')[0]))) db.clearCursors.delete(key);
  }
}

export async function applyPolicySpecs(
  db: Db,
  specs: readonly PolicySpecInput[],
): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>> {
  return run(() => tx(db.pool, (c) => applyPolicySpecsTx(c, specs)));
}

/** applyPolicySpecs inside a caller's transaction (also used by the whole-file apply, specs.ts). */
export async function applyPolicySpecsTx(
  c: PoolConnection,
  specs: readonly PolicySpecInput[],
): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>> {
      for (const teamId of new Set(specs.map((s) => s.teamId))) await assertTeam(c, teamId);
      const out: Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }> = [];
      for (const spec of specs) {
        const name = spec.name.normalize('NFC');
        const fields = specFields(spec);
        const [found] = await c.query<RowDataPacket[]>('SELECT id FROM policies WHERE checksum = ? FOR UPDATE', [
          checksum(spec.teamId, name),
        ]);
        let id = found[0] ? Number(found[0].id) : undefined;
        if (id === undefined) {
          // Upsert at the source (as Fleet does): a concurrent apply of the same new (team, name)
          // may insert it between the SELECT and here. ON DUPLICATE KEY waits for that insert and
          // then locks the row; its update sets a value no committed row holds (updated_at is
          // rewritten below), so 2 affected rows means "existed" even with CLIENT_FOUND_ROWS.
          const inserted = await upsertPolicyRow(c, { teamId: spec.teamId, name, ...fields });
          if (inserted.created) {
            out.push({ policy: inserted.policy, result: 'created' });
            continue;
          }
          id = inserted.policy.id;
        }
        const result = (await updatePolicyTx(c, id, fields))!;
        out.push({ policy: result.policy, result });
      }
      if (out.length > 0) await c.query(BUMP_POLICIES_VERSION);
      return out;
}
