/** Leases (on this process's clock) and the stats-run log. */
import type { StatsRun } from '../types.js';
import type { MemoryState } from './state.js';

export function acquireLease(state: MemoryState, name: string, owner: string, ttlMs: number): boolean {
  const now = Date.now();
  const lease = state.leases.get(name);
  if (lease && lease.owner !== owner && lease.expiresAt >= now) return false;
  state.leases.set(name, { owner, expiresAt: now + ttlMs });
  return true;
}

export function releaseLease(state: MemoryState, name: string, owner: string): void {
  if (state.leases.get(name)?.owner === owner) state.leases.delete(name);
}

export function recordStatsRun(state: MemoryState, run: StatsRun): StatsRun {
  const stored: StatsRun = { ...run, id: state.nextRunId++ };
  state.runs.push(stored);
  return stored;
}

export function listStatsRuns(state: MemoryState, limit: number): StatsRun[] {
  if (limit <= 0) return [];
  return state.runs.slice(-Math.floor(limit)).reverse();
}
