/**
 * In-process server events. Writers announce what changed; listeners (hot-path cache, count
 * strategies, metrics) react. Listeners must be fast and must not throw; nothing here crosses
 * instances — other instances learn through the store within the cache's staleness bound.
 */
import { EventEmitter } from 'node:events';
import type { MembershipChange } from './store/types.js';

export interface ServerEventMap {
  /** Membership cells changed (ingest with trackChanges, host delete, re-enroll, team move, edit clean-up). */
  membershipChanged: [changes: readonly MembershipChange[]];
  /** A policy was created, edited or deleted (scope of every host may change). */
  policiesChanged: [policyIds: readonly number[]];
  /** A scheduled query was created, edited or deleted (the agents' schedules may change). */
  queriesChanged: [queryIds: readonly number[]];
  /** A host was changed outside the check-in path (refetch, delete, team move, re-enroll). */
  hostChanged: [hostId: number];
}

export class ServerEvents extends EventEmitter<ServerEventMap> {
  /** True when someone needs per-cell changes (then ingest asks the store to track them). */
  wantsMembershipChanges(): boolean {
    return this.listenerCount('membershipChanged') > 0;
  }
}
