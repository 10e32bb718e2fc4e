/**
 * A random-history driver for the count-strategy property tests. It plays the server's part:
 * calls the store the way ingest, the REST API and the edit clean-up job do, and emits the same
 * events in the same order (server/ingest/policy-ingest.ts, server/api/*, server/api/cleanup-job.ts).
 * Next to the store it keeps its own model of hosts, teams, policies and results, from which
 * `bruteForceCounts()` counts what every strategy must report.
 */
import { SeededRandom } from '../../../lib/rng.js';
import { ServerEvents } from '../../../server/events.js';
import type { Store } from '../../../server/store/store.js';
import type { PolicyCount, PolicyPasses } from '../../../server/store/types.js';
import { cellKey } from '../../../server/stats/counts.js';

export type Operation =
  | 'team'
  | 'policy'
  | 'enroll'
  | 'write'
  | 'edit-query'
  | 'edit-name'
  | 'delete-policy'
  | 'move'
  | 're-enroll'
  | 'delete-host'
  | 'delete-team';

const WEIGHTS: ReadonlyArray<readonly [Operation, number]> = [
  ['team', 2],
  ['policy', 4],
  ['enroll', 8],
  ['write', 30],
  ['edit-query', 2],
  ['edit-name', 1],
  ['delete-policy', 1],
  ['move', 4],
  ['re-enroll', 3],
  ['delete-host', 2],
];

export interface WorldOptions {
  readonly seed: number;
  /** Team deletion moves hosts without membership events; only strategies that recompute handle it. */
  readonly deleteTeams?: boolean;
  /** Clean-up batch size (small, to exercise batching). */
  readonly clearBatch?: number;
}

interface ModelHost {
  readonly osqueryHostId: string;
  teamId: number | null;
}

export class World {
  readonly events = new ServerEvents();
  readonly rng: SeededRandom;
  readonly log: string[] = [];
  private readonly teams = new Set<number>();
  private readonly hosts = new Map<number, ModelHost>();
  private readonly policies = new Map<number, { teamId: number | null; version: number }>();
  /** `${policyId}:${hostId}` → passes. */
  private readonly cells = new Map<string, PolicyPasses>();
  private serial = 0;

  constructor(readonly store: Store, private readonly options: WorldOptions) {
    this.rng = new SeededRandom(options.seed);
  }

  async run(steps: number): Promise<void> {
    for (let i = 0; i < steps; i++) await this.step(this.pickOperation());
  }

  pickOperation(): Operation {
    const weights: Array<readonly [Operation, number]> = [...WEIGHTS];
    if (this.options.deleteTeams) weights.push(['delete-team', 1]);
    const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.rng.next() * total;
    for (const [operation, weight] of weights) {
      roll -= weight;
      if (roll < 0) return operation;
    }
    return 'write';
  }

  async step(operation: Operation): Promise<void> {
    const { store, events, rng } = this;
    const hostIds = [...this.hosts.keys()];
    const policyIds = [...this.policies.keys()];
    switch (operation) {
      case 'team': {
        const team = await store.createTeam(`team-${++this.serial}`);
        this.teams.add(team.id);
        this.log.push(`team ${team.id}`);
        return;
      }
      case 'policy': {
        const roll = rng.next();
        const teamId = roll < 0.5 || this.teams.size === 0 ? null : roll < 0.65 ? 0 : rng.pick([...this.teams]);
        const policy = await store.createPolicy({ teamId, name: `policy-${++this.serial}`, query: `SELECT ${this.serial};` });
        this.policies.set(policy.id, { teamId, version: 0 });
        events.emit('policiesChanged', [policy.id]);
        this.log.push(`policy ${policy.id} team ${teamId}`);
        return;
      }
      case 'enroll': {
        const teamId = this.randomHostTeam();
        const osqueryHostId = `host-${++this.serial}`;
        const { host } = await store.enrollHost(identity(osqueryHostId), `node-${this.serial}`, teamId, new Date());
        this.hosts.set(host.id, { osqueryHostId, teamId });
        this.log.push(`enroll ${host.id} team ${teamId}`);
        return;
      }
      case 'write': {
        if (hostIds.length === 0) return;
        // Up to three hosts in one ingest batch, like a group commit.
        const batch = [];
        for (const hostId of new Set([rng.pick(hostIds), rng.pick(hostIds), rng.pick(hostIds)].slice(0, rng.int(1, 3)))) {
          const inScope = this.policiesInScope(hostId);
          const results = inScope
            .filter(() => rng.next() < 0.7)
            .map((policyId) => ({ policyId, passes: randomPasses(rng) }));
          batch.push({ hostId, results, reportedAt: new Date() });
        }
        const outcome = await store.recordPolicyResults(batch, { trackChanges: events.wantsMembershipChanges() });
        if (outcome.changes.length > 0) events.emit('membershipChanged', outcome.changes);
        for (const entry of batch) {
          for (const result of entry.results) this.cells.set(`${result.policyId}:${entry.hostId}`, result.passes);
        }
        this.log.push(`write ${batch.map((e) => `${e.hostId}[${e.results.map((r) => `${r.policyId}=${r.passes}`).join(',')}]`).join(' ')}`);
        return;
      }
      case 'edit-query': {
        if (policyIds.length === 0) return;
        const policyId = rng.pick(policyIds);
        const model = this.policies.get(policyId)!;
        model.version += 1;
        const result = await store.updatePolicy(policyId, { query: `SELECT ${policyId} + ${model.version};` });
        if (!result?.queryChanged) throw new Error('query edit did not change the query');
        // As the REST API (invalidateAfterEdit) and the clean-up job do.
        await store.deletePolicyCounts(policyId);
        events.emit('policiesChanged', [policyId]);
        for (;;) {
          const removed = await store.clearPolicyMembershipBatch(policyId, this.options.clearBatch ?? 3);
          if (removed.length > 0) events.emit('membershipChanged', removed);
          if (removed.length < (this.options.clearBatch ?? 3)) break;
        }
        await store.deletePolicyCounts(policyId);
        events.emit('policiesChanged', [policyId]);
        for (const key of [...this.cells.keys()]) if (key.startsWith(`${policyId}:`)) this.cells.delete(key);
        this.log.push(`edit-query ${policyId}`);
        return;
      }
      case 'edit-name': {
        if (policyIds.length === 0) return;
        const policyId = rng.pick(policyIds);
        await store.updatePolicy(policyId, { name: `renamed-${++this.serial}` });
        events.emit('policiesChanged', [policyId]);
        this.log.push(`edit-name ${policyId}`);
        return;
      }
      case 'delete-policy': {
        if (policyIds.length === 0) return;
        const policyId = rng.pick(policyIds);
        await store.deletePolicies([policyId]);
        events.emit('policiesChanged', [policyId]);
        this.policies.delete(policyId);
        for (const key of [...this.cells.keys()]) if (key.startsWith(`${policyId}:`)) this.cells.delete(key);
        this.log.push(`delete-policy ${policyId}`);
        return;
      }
      case 'move': {
        if (hostIds.length === 0) return;
        const moved = [...new Set([rng.pick(hostIds), rng.pick(hostIds)])];
        const teamId = this.randomHostTeam();
        const changes = await store.moveHostsToTeam(moved, teamId);
        if (changes.length > 0) events.emit('membershipChanged', changes);
        for (const hostId of moved) this.moveInModel(hostId, teamId);
        this.log.push(`move ${moved.join(',')} to ${teamId}`);
        return;
      }
      case 're-enroll': {
        if (hostIds.length === 0) return;
        const hostId = rng.pick(hostIds);
        const host = this.hosts.get(hostId)!;
        const teamId = rng.next() < 0.5 ? host.teamId : this.randomHostTeam();
        const result = await store.enrollHost(identity(host.osqueryHostId), `node-${++this.serial}`, teamId, new Date());
        if (result.host.id !== hostId || !result.reenrolled) throw new Error('re-enroll did not keep the host id');
        if (result.removed.length > 0) events.emit('membershipChanged', result.removed);
        host.teamId = teamId;
        for (const key of [...this.cells.keys()]) if (key.endsWith(`:${hostId}`)) this.cells.delete(key);
        this.log.push(`re-enroll ${hostId} team ${teamId}`);
        return;
      }
      case 'delete-host': {
        if (hostIds.length === 0) return;
        const hostId = rng.pick(hostIds);
        const removed = await store.deleteHost(hostId);
        if (removed && removed.length > 0) events.emit('membershipChanged', removed);
        this.hosts.delete(hostId);
        for (const key of [...this.cells.keys()]) if (key.endsWith(`:${hostId}`)) this.cells.delete(key);
        this.log.push(`delete-host ${hostId}`);
        return;
      }
      case 'delete-team': {
        if (this.teams.size === 0) return;
        const teamId = rng.pick([...this.teams]);
        await store.deleteTeam(teamId);
        const gone = [...this.policies].filter(([, p]) => p.teamId === teamId).map(([id]) => id);
        if (gone.length > 0) events.emit('policiesChanged', gone);
        this.teams.delete(teamId);
        for (const id of gone) {
          this.policies.delete(id);
          for (const key of [...this.cells.keys()]) if (key.startsWith(`${id}:`)) this.cells.delete(key);
        }
        for (const host of this.hosts.values()) if (host.teamId === teamId) host.teamId = null;
        this.log.push(`delete-team ${teamId}`);
        return;
      }
    }
  }

  /** What every strategy must report: non-zero cells only. */
  bruteForceCounts(): Map<string, string> {
    const out = new Map<string, { passing: number; failing: number }>();
    const bump = (key: string, passes: boolean): void => {
      const cell = out.get(key) ?? { passing: 0, failing: 0 };
      if (passes) cell.passing += 1;
      else cell.failing += 1;
      out.set(key, cell);
    };
    for (const [key, passes] of this.cells) {
      if (passes === null) continue;
      const [policyId, hostId] = key.split(':').map(Number) as [number, number];
      const policy = this.policies.get(policyId);
      const host = this.hosts.get(hostId);
      if (!policy || !host) continue;
      bump(cellKey(policyId, null), passes);
      if (policy.teamId === null) bump(cellKey(policyId, host.teamId ?? 0), passes);
    }
    return new Map([...out].map(([key, cell]) => [key, `${cell.passing}/${cell.failing}`]));
  }

  /** The model's number of membership rows (to check the store agrees). */
  get membershipRows(): number {
    return this.cells.size;
  }

  private policiesInScope(hostId: number): number[] {
    const host = this.hosts.get(hostId)!;
    return [...this.policies]
      .filter(([, policy]) => policy.teamId === null || policy.teamId === (host.teamId ?? 0))
      .map(([id]) => id);
  }

  private randomHostTeam(): number | null {
    return this.teams.size === 0 || this.rng.next() < 0.3 ? null : this.rng.pick([...this.teams]);
  }

  private moveInModel(hostId: number, teamId: number | null): void {
    const host = this.hosts.get(hostId)!;
    if (host.teamId === teamId) return;
    host.teamId = teamId;
    for (const key of [...this.cells.keys()]) {
      const [policyId, cellHost] = key.split(':').map(Number) as [number, number];
      if (cellHost !== hostId) continue;
      const policy = this.policies.get(policyId);
      if (policy && policy.teamId !== null && policy.teamId !== (teamId ?? 0)) this.cells.delete(key);
    }
  }
}

/** Count rows as the comparable shape of bruteForceCounts (zero cells dropped). */
export function normalizeCounts(rows: readonly PolicyCount[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of rows) {
    if (row.passing === 0 && row.failing === 0) continue;
    out.set(cellKey(row.policyId, row.inheritedTeamId), `${row.passing}/${row.failing}`);
  }
  return out;
}

/** Sorted entries, so a failing expect shows a readable diff. */
export function sorted(map: ReadonlyMap<string, string>): Array<[string, string]> {
  return [...map].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
}

function randomPasses(rng: SeededRandom): PolicyPasses {
  const roll = rng.next();
  return roll < 0.45 ? true : roll < 0.85 ? false : null;
}

function identity(osqueryHostId: string) {
  return {
    osqueryHostId,
    platform: 'ubuntu',
    hostname: osqueryHostId,
    uuid: osqueryHostId,
    hardwareSerial: '',
    osVersion: 'Ubuntu 22.04',
    osqueryVersion: '5.12.1',
  };
}
