/** Teams and enroll secrets (Fleet: server/datastore/mysql/teams.go, enroll_secrets in the same). */
import type { RowDataPacket } from 'mysql2/promise';
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, MAX_SECRET_CHARS, MAX_TEAM_DESCRIPTION_CHARS, assertFits } from '../limits.js';
import type { EnrollSecret, Team } from '../types.js';
import { type Db, exec, readRows, run } from './db.js';
import { isDuplicate } from './errors.js';
import { BUMP_POLICIES_VERSION, deletePoliciesTx } from './policies.js';
import { BULK_ROWS, chunks } from './sql.js';
import { deleteTeamQueriesTx } from './queries.js';
import { assertTeam, tx } from './tx.js';

interface TeamRow extends RowDataPacket {
  id: number;
  name: string;
  description: string;
  created_at: Date;
}

interface SecretRow extends RowDataPacket {
  secret: string;
  team_id: number | null;
  created_at: Date;
}

function toTeam(r: TeamRow): Team {
  return { id: r.id, name: r.name, description: r.description, createdAt: r.created_at };
}

function toSecret(r: SecretRow): EnrollSecret {
  return { secret: r.secret, teamId: r.team_id, createdAt: r.created_at };
}

export async function createTeam(db: Db, name: string, description = ''): Promise<Team> {
  return run(async () => {
    assertFits('team name', name, MAX_NAME_CHARS);
    assertFits('team description', description, MAX_TEAM_DESCRIPTION_CHARS);
    const createdAt = new Date();
    try {
      const result = await exec(db, 'INSERT INTO teams (name, description, created_at) VALUES (?, ?, ?)', [
        name, description, createdAt,
      ]);
      return { id: result.insertId, name, description, createdAt };
    } catch (err) {
      if (isDuplicate(err)) throw osqsimError('STORE_CONFLICT', { what: `team "${name}"` });
      throw err;
    }
  });
}

export async function getTeam(db: Db, id: number): Promise<Team | undefined> {
  return run(async () => {
    const rows = await readRows<TeamRow>(db, 'SELECT * FROM teams WHERE id = ?', [id]);
    return rows[0] && toTeam(rows[0]);
  });
}

export async function getTeamByName(db: Db, name: string): Promise<Team | undefined> {
  return run(async () => {
    const rows = await readRows<TeamRow>(db, 'SELECT * FROM teams WHERE name = ?', [name]);
    return rows[0] && toTeam(rows[0]);
  });
}

export async function listTeams(db: Db): Promise<Team[]> {
  return run(async () => (await readRows<TeamRow>(db, 'SELECT * FROM teams ORDER BY id')).map(toTeam));
}

export async function deleteTeam(db: Db, id: number): Promise<boolean> {
  return run(() =>
    tx(db.pool, async (c) => {
      const [team] = await c.query<RowDataPacket[]>('SELECT id FROM teams WHERE id = ? FOR UPDATE', [id]);
      if (team.length === 0) return false;
      // Hosts first, as every writer of membership rows locks them first.
      const [moved] = await c.query<RowDataPacket[]>('SELECT id FROM hosts WHERE team_id = ? ORDER BY id FOR UPDATE', [id]);
      await c.query('UPDATE hosts SET team_id = NULL, updated_at = ? WHERE team_id = ?', [new Date(), id]);
      for (const chunk of chunks(moved.map((h) => Number(h.id)), BULK_ROWS)) {
        await c.query('UPDATE policy_membership SET host_team_id = 0 WHERE host_id IN (?)', [chunk]);
      }
      const [policies] = await c.query<RowDataPacket[]>('SELECT id FROM policies WHERE team_id = ? ORDER BY id FOR UPDATE', [id]);
      await deletePoliciesTx(db, c, policies.map((p) => Number(p.id)));
      await c.query('DELETE FROM policy_stats WHERE inherited_team_id = ?', [id]);
      await c.query('DELETE FROM enroll_secrets WHERE team_id = ?', [id]);
      await deleteTeamQueriesTx(c, id);
      await c.query('DELETE FROM teams WHERE id = ?', [id]);
      await c.query(BUMP_POLICIES_VERSION);
      return true;
    }),
  );
}

export async function findEnrollSecret(db: Db, secret: string): Promise<EnrollSecret | undefined> {
  return run(async () => {
    const rows = await readRows<SecretRow>(db, 'SELECT * FROM enroll_secrets WHERE secret = ?', [secret]);
    return rows[0] && toSecret(rows[0]);
  });
}

export async function listEnrollSecrets(db: Db, teamId: number | null): Promise<EnrollSecret[]> {
  return run(async () =>
    (await readRows<SecretRow>(db, 'SELECT * FROM enroll_secrets WHERE team_id <=> ? ORDER BY created_at, secret', [teamId])).map(
      toSecret,
    ),
  );
}

export async function replaceEnrollSecrets(
  db: Db,
  teamId: number | null,
  secrets: readonly string[],
): Promise<EnrollSecret[]> {
  const wanted = [...new Set(secrets)];
  return run(() =>
    tx(db.pool, async (c) => {
      await assertTeam(c, teamId);
      for (const secret of wanted) assertFits('enroll secret', secret, MAX_SECRET_CHARS);
      if (wanted.length > 0) {
        const [existing] = await c.query<SecretRow[]>('SELECT * FROM enroll_secrets WHERE secret IN (?) FOR UPDATE', [wanted]);
        if (existing.some((r) => r.team_id !== teamId)) throw osqsimError('STORE_CONFLICT', { what: 'enroll secret' });
        await c.query('DELETE FROM enroll_secrets WHERE team_id <=> ? AND secret NOT IN (?)', [teamId, wanted]);
        const now = new Date();
        await c.query('INSERT IGNORE INTO enroll_secrets (secret, team_id, created_at) VALUES ?', [
          wanted.map((s) => [s, teamId, now]),
        ]);
      } else {
        await c.query('DELETE FROM enroll_secrets WHERE team_id <=> ?', [teamId]);
        return [];
      }
      const [rows] = await c.query<SecretRow[]>('SELECT * FROM enroll_secrets WHERE secret IN (?)', [wanted]);
      const bySecret = new Map(rows.map((r) => [r.secret, toSecret(r)]));
      return wanted.map((s) => bySecret.get(s)!);
    }),
  );
}

export async function ensureEnrollSecret(db: Db, secret: string, teamId: number | null): Promise<EnrollSecret> {
  return run(() =>
    tx(db.pool, async (c) => {
      assertFits('enroll secret', secret, MAX_SECRET_CHARS);
      const [existing] = await c.query<SecretRow[]>('SELECT * FROM enroll_secrets WHERE secret = ? FOR UPDATE', [secret]);
      if (existing[0]) return toSecret(existing[0]);
      await assertTeam(c, teamId);
      const createdAt = new Date();
      await c.query('INSERT INTO enroll_secrets (secret, team_id, created_at) VALUES (?, ?, ?)', [secret, teamId, createdAt]);
      return { secret, teamId, createdAt };
    }),
  );
}
