/**
 * Labels, label membership and the label scope of policies (Fleet: server/datastore/mysql/labels.go
 * — NewLabel, SaveLabel, DeleteLabel, ApplyLabelSpecs, LabelQueriesForHost,
 * RecordLabelQueryExecutions — and policy_labels in policies.go).
 */
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, assertFits } from '../limits.js';
import { labelPlatformMatches, labelPlatformOf } from '../label-rules.js';
import type {
  HostLabelResults,
  Label,
  LabelInput,
  LabelMembershipType,
  LabelPatch,
  LabelRef,
  LabelSpecInput,
  MembershipChange,
  Policy,
} from '../types.js';
import { type Db, readRows, run } from './db.js';
import { isDuplicate } from './errors.js';
import { BULK_ROWS, type CellRow, chunks, ids, toPasses } from './sql.js';
import { tx } from './tx.js';

const BUMP_POLICIES_VERSION =
  "INSERT INTO change_counters (name, value) VALUES ('policies', 1) ON DUPLICATE KEY UPDATE value = value + 1";

const LABEL_SELECT = `SELECT l.id, l.name, l.description, l.query, l.platform, l.label_type, l.label_membership_type,
  l.created_at, l.updated_at,
  (SELECT COUNT(*) FROM label_membership lm JOIN hosts h ON h.id = lm.host_id WHERE lm.label_id = l.id) AS host_count
  FROM labels l`;

interface LabelRow extends RowDataPacket {
  id: number;
  name: string;
  description: string;
  query: string;
  platform: string;
  label_type: number;
  label_membership_type: number;
  created_at: Date;
  updated_at: Date;
  host_count: number | string;
}

const membershipCode = (type: LabelMembershipType): number => (type === 'manual' ? 1 : 0);

function toLabel(r: LabelRow): Label {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    query: r.query,
    platform: r.platform,
    labelType: r.label_type === 1 ? 'builtin' : 'regular',
    membershipType: r.label_membership_type === 1 ? 'manual' : 'dynamic',
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    hostCount: Number(r.host_count),
  };
}

async function labelById(c: PoolConnection, id: number): Promise<Label | undefined> {
  const [rows] = await c.query<LabelRow[]>(`${LABEL_SELECT} WHERE l.id = ?`, [id]);
  return rows[0] && toLabel(rows[0]);
}

async function assertHosts(c: PoolConnection, hostIds: readonly number[] | undefined): Promise<void> {
  const wanted = ids(hostIds ?? []);
  if (wanted.length === 0) return;
  const [rows] = await c.query<RowDataPacket[]>('SELECT id FROM hosts WHERE id IN (?)', [wanted]);
  const found = new Set(rows.map((r) => Number(r.id)));
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) throw osqsimError('STORE_NOT_FOUND', { what: `host ${missing}` });
}

async function replaceMembers(c: PoolConnection, labelId: number, hostIds: readonly number[], now: Date): Promise<void> {
  await c.query('DELETE FROM label_membership WHERE label_id = ?', [labelId]);
  for (const chunk of chunks(ids(hostIds), BULK_ROWS)) {
    await c.query('INSERT INTO label_membership (updated_at, label_id, host_id) VALUES ?', [chunk.map((hostId) => [now, labelId, hostId])]);
  }
}

const conflict = (name: string) => osqsimError('STORE_CONFLICT', { what: `label "${name}"` });

async function insertLabel(c: PoolConnection, input: LabelInput, now: Date): Promise<number> {
  try {
    const [result] = await c.query<ResultSetHeader>('INSERT INTO labels SET ?', [
      {
        name: input.name,
        description: input.description ?? '',
        query: input.membershipType === 'manual' ? '' : input.query,
        platform: input.platform ?? '',
        label_type: 0,
        label_membership_type: membershipCode(input.membershipType),
        created_at: now,
        updated_at: now,
      },
    ]);
    return result.insertId;
  } catch (err) {
    if (isDuplicate(err)) throw conflict(input.name);
    throw err;
  }
}

export async function createLabel(db: Db, input: LabelInput): Promise<Label> {
  assertFits('label name', input.name, MAX_NAME_CHARS);
  return run(() =>
    tx(db.pool, async (c) => {
      await assertHosts(c, input.hostIds);
      const now = new Date();
      const id = await insertLabel(c, input, now);
      if (input.membershipType === 'manual') await replaceMembers(c, id, input.hostIds ?? [], now);
      return (await labelById(c, id))!;
    }),
  );
}

export async function getLabel(db: Db, id: number): Promise<Label | undefined> {
  return run(async () => {
    const rows = await readRows<LabelRow>(db, `${LABEL_SELECT} WHERE l.id = ?`, [id]);
    return rows[0] && toLabel(rows[0]);
  });
}

export async function getLabelByName(db: Db, name: string): Promise<Label | undefined> {
  return run(async () => {
    const rows = await readRows<LabelRow>(db, `${LABEL_SELECT} WHERE l.name = ?`, [name]);
    return rows[0] && toLabel(rows[0]);
  });
}

export async function listLabels(db: Db): Promise<Label[]> {
  return run(async () => (await readRows<LabelRow>(db, `${LABEL_SELECT} ORDER BY l.id`)).map(toLabel));
}

export async function updateLabel(db: Db, id: number, patch: LabelPatch): Promise<Label | undefined> {
  if (patch.name !== undefined) assertFits('label name', patch.name, MAX_NAME_CHARS);
  return run(() =>
    tx(db.pool, async (c) => {
      const [rows] = await c.query<LabelRow[]>('SELECT id, name, label_membership_type FROM labels WHERE id = ? FOR UPDATE', [id]);
      const old = rows[0];
      if (!old) return undefined;
      await assertHosts(c, patch.hostIds);
      const now = new Date();
      const set: Record<string, unknown> = { updated_at: now };
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.description !== undefined) set['description'] = patch.description;
      try {
        await c.query('UPDATE labels SET ? WHERE id = ?', [set, id]);
      } catch (err) {
        if (isDuplicate(err)) throw conflict(patch.name ?? old.name);
        throw err;
      }
      if (patch.hostIds !== undefined && old.label_membership_type === 1) await replaceMembers(c, id, patch.hostIds, now);
      return labelById(c, id);
    }),
  );
}

export async function deleteLabel(db: Db, id: number): Promise<boolean> {
  return run(() =>
    tx(db.pool, async (c) => {
      const [rows] = await c.query<RowDataPacket[]>('SELECT id FROM labels WHERE id = ? FOR UPDATE', [id]);
      if (rows.length === 0) return false;
      const [scoped] = await c.query<ResultSetHeader>('DELETE FROM policy_labels WHERE label_id = ?', [id]);
      await c.query('DELETE FROM label_membership WHERE label_id = ?', [id]);
      await c.query('DELETE FROM labels WHERE id = ?', [id]);
      // Policies scoped by this label changed scope: the change feed's policies version moves.
      if (scoped.affectedRows > 0) await c.query(BUMP_POLICIES_VERSION);
      return true;
    }),
  );
}

export async function applyLabelSpecs(db: Db, specs: readonly LabelSpecInput[]): Promise<Label[]> {
  checkLabelSpecNames(specs);
  return run(() => tx(db.pool, (c) => applyLabelSpecsTx(c, specs)));
}

/** The checks made before a label-spec transaction starts. */
export function checkLabelSpecNames(specs: readonly LabelSpecInput[]): void {
  for (const spec of specs) assertFits('label name', spec.name, MAX_NAME_CHARS);
}

/** Upserts label specs by name inside the caller's transaction (a whole-file apply writes them first). */
export async function applyLabelSpecsTx(c: PoolConnection, specs: readonly LabelSpecInput[]): Promise<Label[]> {
  const now = new Date();
  const out: Label[] = [];
  for (const spec of specs) {
    await assertHosts(c, spec.hostIds);
    const [found] = await c.query<RowDataPacket[]>('SELECT id FROM labels WHERE name = ? FOR UPDATE', [spec.name]);
    let id = found[0] ? Number(found[0].id) : undefined;
    if (id === undefined) {
      id = await insertLabel(c, spec, now);
    } else {
      await c.query('UPDATE labels SET ? WHERE id = ?', [
        {
          description: spec.description,
          query: spec.membershipType === 'manual' ? '' : spec.query,
          platform: spec.platform,
          label_membership_type: membershipCode(spec.membershipType),
          updated_at: now,
        },
        id,
      ]);
    }
    if (spec.membershipType === 'manual' && spec.hostIds !== undefined) await replaceMembers(c, id, spec.hostIds, now);
    out.push((await labelById(c, id))!);
  }
  return out;
}

interface LabelQueryRow extends RowDataPacket {
  id: number;
  query: string;
  platform: string;
}

async function dynamicLabels(read: (sql: string) => Promise<LabelQueryRow[]>, platform: string, osVersion: string) {
  const hostPlatform = labelPlatformOf(platform, osVersion);
  const rows = await read('SELECT id, query, platform FROM labels WHERE label_membership_type = 0 ORDER BY id');
  return rows.filter((r) => labelPlatformMatches(r.platform, hostPlatform)).map((r) => ({ id: r.id, query: r.query }));
}

export async function labelQueriesForHost(db: Db, platform: string, osVersion: string): Promise<Array<{ id: number; query: string }>> {
  return run(() => dynamicLabels((sql) => readRows<LabelQueryRow>(db, sql), platform, osVersion));
}

export async function recordLabelResults(db: Db, batch: HostLabelResults): Promise<void> {
  return run(() =>
    tx(db.pool, async (c) => {
      const [hosts] = await c.query<RowDataPacket[]>('SELECT platform, os_version FROM hosts WHERE id = ?', [batch.hostId]);
      const host = hosts[0];
      if (!host) return;
      const read = async (sql: string) => (await c.query<LabelQueryRow[]>(sql))[0];
      const applicable = new Set((await dynamicLabels(read, String(host.platform), String(host.os_version))).map((l) => l.id));
      const members: number[] = [];
      const others: number[] = [];
      for (const { labelId, member } of batch.results) {
        // A label that is not among the host's label queries is forced to false, as Fleet does.
        (member === true && applicable.has(labelId) ? members : others).push(labelId);
      }
      // Sorted label ids "to minimize deadlocks" (Fleet, issue #1146).
      const sortedMembers = ids(members);
      if (sortedMembers.length > 0) {
        await c.query(
          'INSERT INTO label_membership (updated_at, label_id, host_id) VALUES ? ON DUPLICATE KEY UPDATE updated_at = VALUES(updated_at)',
          [sortedMembers.map((labelId) => [batch.reportedAt, labelId, batch.hostId])],
        );
      }
      const sortedOthers = ids(others);
      if (sortedOthers.length > 0) {
        // Delete only rows that exist, by their exact primary keys: a DELETE that matches nothing takes
        // gap locks (REPEATABLE READ), which deadlock against other hosts' membership inserts into
        // the same gaps (seen in bench/soak.ts). The plain SELECT is a consistent read: no locks.
        const [existing] = await c.query<RowDataPacket[]>('SELECT label_id FROM label_membership WHERE host_id = ? AND label_id IN (?)', [batch.hostId, sortedOthers]);
        const present = ids(existing.map((row) => Number(row.label_id)));
        if (present.length > 0) await c.query('DELETE FROM label_membership WHERE host_id = ? AND label_id IN (?)', [batch.hostId, present]);
      }
      await c.query('UPDATE hosts SET label_updated_at = ? WHERE id = ?', [batch.reportedAt, batch.hostId]);
    }),
  );
}

export async function hostLabelIds(db: Db, hostId: number): Promise<number[]> {
  return run(async () =>
    (await readRows<RowDataPacket>(db, 'SELECT label_id FROM label_membership WHERE host_id = ? ORDER BY label_id', [hostId])).map((r) =>
      Number(r.label_id),
    ),
  );
}

export async function labelHostIds(db: Db, labelId: number): Promise<number[]> {
  return run(async () =>
    (
      await readRows<RowDataPacket>(
        db,
        'SELECT lm.host_id FROM label_membership lm JOIN hosts h ON h.id = lm.host_id WHERE lm.label_id = ? ORDER BY lm.host_id',
        [labelId],
      )
    ).map((r) => Number(r.host_id)),
  );
}

/** The POL-F scope test in SQL, for policy `p` and membership of host `pm.host_id`. */
const OUTSIDE_SCOPE = `(
    (EXISTS (SELECT 1 FROM policy_labels pl WHERE pl.policy_id = pm.policy_id AND pl.exclude = 0)
      AND NOT EXISTS (SELECT 1 FROM policy_labels pl JOIN label_membership lm ON lm.label_id = pl.label_id AND lm.host_id = pm.host_id
                      WHERE pl.policy_id = pm.policy_id AND pl.exclude = 0))
    OR EXISTS (SELECT 1 FROM policy_labels pl JOIN label_membership lm ON lm.label_id = pl.label_id AND lm.host_id = pm.host_id
               WHERE pl.policy_id = pm.policy_id AND pl.exclude = 1))`;

export async function clearPolicyMembershipOutsideLabels(db: Db, policyId: number): Promise<readonly MembershipChange[]> {
  return run(() =>
    tx(db.pool, async (c) => {
      const [rows] = await c.query<(CellRow & { team_id: number | null })[]>(
        `SELECT pm.policy_id, pm.host_id, pm.passes, h.team_id FROM policy_membership pm LEFT JOIN hosts h ON h.id = pm.host_id
          WHERE pm.policy_id = ? AND ${OUTSIDE_SCOPE} ORDER BY pm.host_id FOR UPDATE`,
        [policyId],
      );
      if (rows.length === 0) return [];
      for (const chunk of chunks(rows.map((r) => r.host_id), BULK_ROWS)) {
        await c.query('DELETE FROM policy_membership WHERE policy_id = ? AND host_id IN (?)', [policyId, chunk]);
      }
      return rows.map((r) => ({ policyId, hostId: r.host_id, hostTeamId: r.team_id ?? null, before: toPasses(r.passes), after: undefined }));
    }),
  );
}

// --- the label scope of policies (called by policies.ts inside its transactions) -------------

/** Label refs for names (case-insensitive); STORE_NOT_FOUND for an unknown name; undefined stays undefined. */
export async function resolveLabelRefs(c: PoolConnection, names: readonly string[] | undefined): Promise<LabelRef[] | undefined> {
  if (names === undefined) return undefined;
  if (names.length === 0) return [];
  const [rows] = await c.query<RowDataPacket[]>('SELECT id, name FROM labels WHERE name IN (?) ORDER BY id', [[...new Set(names)]]);
  const byKey = new Map(rows.map((r) => [String(r.name).toLowerCase().replace(/ +$/, ''), { id: Number(r.id), name: String(r.name) }]));
  const refs = new Map<number, LabelRef>();
  for (const name of names) {
    const ref = byKey.get(name.toLowerCase().replace(/ +$/, ''));
    if (!ref) throw osqsimError('STORE_NOT_FOUND', { what: `label "${name}"` });
    refs.set(ref.id, ref);
  }
  return [...refs.values()].sort((a, b) => a.id - b.id);
}

/** Replaces a policy's policy_labels rows with its scope. */
export async function writePolicyLabels(c: PoolConnection, policy: Policy): Promise<void> {
  await c.query('DELETE FROM policy_labels WHERE policy_id = ?', [policy.id]);
  const rows = [
    ...(policy.labelsIncludeAny ?? []).map((ref) => [policy.id, ref.id, 0]),
    ...(policy.labelsExcludeAny ?? []).map((ref) => [policy.id, ref.id, 1]),
  ];
  if (rows.length > 0) await c.query('INSERT INTO policy_labels (policy_id, label_id, exclude) VALUES ?', [rows]);
}

/** The policies with their label scope read from policy_labels (one query). */
export async function attachPolicyLabels(
  query: (sql: string, values: unknown[]) => Promise<RowDataPacket[]>,
  policies: Policy[],
): Promise<Policy[]> {
  if (policies.length === 0) return policies;
  const rows = await query(
    `SELECT pl.policy_id, pl.label_id, pl.exclude, l.name FROM policy_labels pl JOIN labels l ON l.id = pl.label_id
      WHERE pl.policy_id IN (?) ORDER BY pl.label_id`,
    [policies.map((p) => p.id)],
  );
  const scopes = new Map<number, { include: LabelRef[]; exclude: LabelRef[] }>();
  for (const r of rows) {
    const policyId = Number(r.policy_id);
    let scope = scopes.get(policyId);
    if (!scope) scopes.set(policyId, (scope = { include: [], exclude: [] }));
    (Number(r.exclude) === 1 ? scope.exclude : scope.include).push({ id: Number(r.label_id), name: String(r.name) });
  }
  return policies.map((p) => ({ ...p, labelsIncludeAny: scopes.get(p.id)?.include ?? [], labelsExcludeAny: scopes.get(p.id)?.exclude ?? [] }));
}
