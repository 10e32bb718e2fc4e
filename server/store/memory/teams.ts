/** Teams and enroll secrets. */
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, MAX_SECRET_CHARS, MAX_TEAM_DESCRIPTION_CHARS, assertFits } from '../limits.js';
import type { EnrollSecret, Team } from '../types.js';
import { noteHostChanged } from './feed.js';
import { removePolicies } from './policies.js';
import { type MemoryState, assertTeam } from './state.js';

/**
 * Team names compare as MySQL's utf8mb4_unicode_ci (Fleet's teams.name) does for the common cases:
 * case-insensitively and ignoring trailing spaces (PAD SPACE). Accent folding is not modelled.
 */
export function teamNameKey(name: string): string {
  return name.toLowerCase().replace(/ +$/, '');
}

export function createTeam(state: MemoryState, name: string, description = ''): Team {
  assertFits('team name', name, MAX_NAME_CHARS);
  assertFits('team description', description, MAX_TEAM_DESCRIPTION_CHARS);
  if ([...state.teams.values()].some((t) => teamNameKey(t.name) === teamNameKey(name))) {
    throw osqsimError('STORE_CONFLICT', { what: `team "${name}"` });
  }
  const team: Team = { id: state.nextTeamId++, name, description, createdAt: new Date() };
  state.teams.set(team.id, team);
  return team;
}

export function getTeam(state: MemoryState, id: number): Team | undefined {
  return state.teams.get(id);
}

export function getTeamByName(state: MemoryState, name: string): Team | undefined {
  const key = teamNameKey(name);
  for (const team of state.teams.values()) if (teamNameKey(team.name) === key) return team;
  return undefined;
}

export function listTeams(state: MemoryState): Team[] {
  return [...state.teams.values()].sort((a, b) => a.id - b.id);
}

export function deleteTeam(state: MemoryState, id: number): boolean {
  if (!state.teams.has(id)) return false;
  const teamPolicies = [...state.policies.values()].filter((p) => p.teamId === id).map((p) => p.id);
  removePolicies(state, teamPolicies);
  for (const [secret, entry] of state.secrets) if (entry.teamId === id) state.secrets.delete(secret);
  for (const [key, row] of state.counts) if (row.inheritedTeamId === id) state.counts.delete(key);
  const now = new Date();
  for (const host of state.hosts.values()) {
    if (host.teamId === id) {
      state.hosts.set(host.id, { ...host, teamId: null, updatedAt: now });
      noteHostChanged(state, host.id);
    }
  }
  state.teams.delete(id);
  return true;
}

export function findEnrollSecret(state: MemoryState, secret: string): EnrollSecret | undefined {
  return state.secrets.get(secret);
}

export function listEnrollSecrets(state: MemoryState, teamId: number | null): EnrollSecret[] {
  return [...state.secrets.values()]
    .filter((s) => s.teamId === teamId)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.secret < b.secret ? -1 : 1));
}

export function replaceEnrollSecrets(
  state: MemoryState,
  teamId: number | null,
  secrets: readonly string[],
): EnrollSecret[] {
  assertTeam(state, teamId);
  const wanted = [...new Set(secrets)];
  for (const secret of wanted) assertFits('enroll secret', secret, MAX_SECRET_CHARS);
  for (const secret of wanted) {
    const existing = state.secrets.get(secret);
    if (existing && existing.teamId !== teamId) throw osqsimError('STORE_CONFLICT', { what: 'enroll secret' });
  }
  const keep = new Set(wanted);
  for (const [secret, entry] of state.secrets) {
    if (entry.teamId === teamId && !keep.has(secret)) state.secrets.delete(secret);
  }
  const now = new Date();
  return wanted.map((secret) => {
    const existing = state.secrets.get(secret);
    if (existing) return existing;
    const entry: EnrollSecret = { secret, teamId, createdAt: now };
    state.secrets.set(secret, entry);
    return entry;
  });
}

export function ensureEnrollSecret(state: MemoryState, secret: string, teamId: number | null): EnrollSecret {
  assertFits('enroll secret', secret, MAX_SECRET_CHARS);
  const existing = state.secrets.get(secret);
  if (existing) return existing;
  assertTeam(state, teamId);
  const entry: EnrollSecret = { secret, teamId, createdAt: new Date() };
  state.secrets.set(secret, entry);
  return entry;
}
