/**
 * The property every strategy promises, checked on any store: after a random history of writes,
 * query edits, policy deletions, team moves, re-enrolls and host deletions, the counts equal a
 * brute-force count — after a run for cron, immediately for realtime, after a flush for
 * incremental (whose reconcile must then find no drift). Seeded: a failure names its seed.
 */
import { expect, it } from 'vitest';
import type { Store } from '../../../server/store/store.js';
import type { StatsStrategyName } from '../../../contract/vocabulary.js';
import { createStrategy } from '../../../server/stats/index.js';
import { normalizeCounts, sorted, World } from './world.js';

export interface PropertyOptions {
  readonly seeds: readonly number[];
  /** Checkpoints per history and steps between them. */
  readonly checkpoints: number;
  readonly stepsPerCheckpoint: number;
  readonly openStore: () => Promise<Store>;
}

export function strategyProperties(options: PropertyOptions): void {
  for (const strategyName of ['cron', 'realtime', 'incremental'] as const satisfies readonly StatsStrategyName[]) {
    it(`${strategyName}: counts equal a brute-force count after random histories`, async () => {
      for (const seed of options.seeds) await checkHistory(strategyName, seed, options);
    });
  }

  // Flushes (and recomputes of edited policies) racing the writes: a recompute cannot tell whether a
  // change whose event arrives while it runs is in its snapshot, so exactness is promised after the
  // reconcile here, and the reconcile after that must find nothing.
  it('incremental: exact after a reconcile when flushes race the writes (flush interval 0)', async () => {
    for (const seed of options.seeds.slice(0, 3)) await checkHistory('incremental', seed, options, 0);
  });
}

async function checkHistory(
  strategyName: StatsStrategyName,
  seed: number,
  options: PropertyOptions,
  flushIntervalMs = 60_000,
): Promise<void> {
  const store = await options.openStore();
  const world = new World(store, { seed });
  const strategy = createStrategy(strategyName, { store, events: world.events, now: () => new Date() }, { flushIntervalMs });
  strategy.start();
  try {
    for (let checkpoint = 1; checkpoint <= options.checkpoints; checkpoint++) {
      await world.run(options.stepsPerCheckpoint);
      const context = `${strategyName} seed ${seed} checkpoint ${checkpoint}; last steps:\n${world.log.slice(-8).join('\n')}`;
      expect(await store.countMembership(), `store rows vs model (${context})`).toBe(world.membershipRows);
      const expected = sorted(world.bruteForceCounts());
      if (strategyName === 'cron') {
        const outcome = await strategy.periodic!();
        expect(outcome.drift).toBe(0);
      }
      if (strategyName === 'incremental') {
        await strategy.flush();
        if (flushIntervalMs === 0) await strategy.periodic!();
      }
      const read = sorted(normalizeCounts(await strategy.reader.readCounts()));
      expect(read, context).toEqual(expected);
      if (strategyName !== 'realtime') {
        // What other instances read: the store's policy_stats.
        expect(sorted(normalizeCounts(await store.readPolicyCounts())), `persisted, ${context}`).toEqual(expected);
      }
      if (strategyName === 'incremental') {
        const outcome = await strategy.periodic!();
        expect(outcome.drift, `reconcile drift, ${context}`).toBe(0);
      }
    }
  } finally {
    await strategy.stop();
    await store.close();
  }
}
