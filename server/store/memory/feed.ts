/** The host change feed (Store.hostChangesSince) as an in-process log: see MemoryState.feedLog. */
import type { HostChanges } from '../store.js';
import type { MemoryState } from './state.js';

/** Host change feed entries kept; a consumer further behind than this is told to reset. */
const MAX_FEED_LOG = 1_000_000;

/** Logs a change of a host row (every write but last-seen), or its delete. */
export function noteHostChanged(state: MemoryState, hostId: number, deleted = false): void {
  state.feedLog.push(deleted ? -hostId : hostId);
  if (state.feedLog.length > MAX_FEED_LOG) {
    const drop = state.feedLog.length >> 1;
    state.feedLog = state.feedLog.slice(drop);
    state.feedBase += drop;
  }
}

export function hostChangesSince(state: MemoryState, cursor: string | undefined): HostChanges {
  const next = state.feedBase + state.feedLog.length;
  const policiesVersion = String(state.policiesVersion);
  const from = cursor === undefined || !/^\d+$/.test(cursor) ? NaN : Number(cursor);
  if (!(from >= state.feedBase && from <= next)) {
    return { cursor: String(next), reset: true, changedHostIds: [], deletedHostIds: [], policiesVersion };
  }
  const changed = new Set<number>();
  const deleted = new Set<number>();
  for (let i = from - state.feedBase; i < state.feedLog.length; i++) {
    const id = state.feedLog[i]!;
    if (id > 0) changed.add(id);
    else deleted.add(-id);
  }
  return { cursor: String(next), reset: false, changedHostIds: [...changed], deletedHostIds: [...deleted], policiesVersion };
}
