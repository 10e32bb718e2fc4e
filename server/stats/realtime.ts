/**
 * `realtime`: counts computed from policy_membership on every read (Kolide's and Zentral's way,
 * reference peers.md A1.3). Nothing is cached, so a read never misses an acknowledged write; reads
 * that arrive while a computation is running share the *next* one (which starts after they
 * arrived), never the one already under way.
 */
import type { PolicyCount } from '../store/types.js';
import type { CountStrategy, StrategyDeps } from './strategy.js';

export function createRealtimeStrategy(deps: StrategyDeps): CountStrategy {
  const { store } = deps;
  /** Per filter key: the computation running now and the one queued behind it. */
  const inFlight = new Map<string, { running: Promise<PolicyCount[]>; next?: Promise<PolicyCount[]> }>();

  async function compute(policyIds: readonly number[] | undefined): Promise<PolicyCount[]> {
    const computedAt = deps.now();
    const { counts } = await store.computePolicyCounts(policyIds);
    return counts.map((cell) => ({ ...cell, updatedAt: computedAt }));
  }

  function readCounts(policyIds?: readonly number[]): Promise<PolicyCount[]> {
    const key = policyIds === undefined ? '*' : [...policyIds].sort((a, b) => a - b).join(',');
    const slot = inFlight.get(key);
    if (!slot) {
      const running = compute(policyIds).finally(() => advance(key));
      inFlight.set(key, { running });
      return running;
    }
    // Join the queued computation; it starts only after the running one ends, so after this read arrived.
    slot.next ??= slot.running.then(
      () => compute(policyIds),
      () => compute(policyIds),
    );
    return slot.next;
  }

  function advance(key: string): void {
    const slot = inFlight.get(key);
    if (!slot) return;
    if (slot.next) {
      const running = slot.next.finally(() => advance(key));
      inFlight.set(key, { running });
    } else {
      inFlight.delete(key);
    }
  }

  return {
    name: 'realtime',
    reader: { readCounts },
    start() {},
    async stop() {},
    async flush() {},
  };
}
