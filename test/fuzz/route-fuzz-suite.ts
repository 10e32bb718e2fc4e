/**
 * Runs route fuzz targets (bench/fuzz/routes.ts) as vitest cases: one fast-check property per
 * route, every case checked by bench/fuzz/check.ts (no 5xx but documented ones, the family's error
 * shape, nothing changed by a rejected request, an answer within the time limit). Seeds are random
 * on each run; a failure prints fast-check's seed and path to replay it, and the finding itself.
 *
 * Cost (docs/RELIABILITY.md "Fuzzing"): requests go through fastify's inject (no socket), a case
 * takes one store snapshot (FixtureHolder.stateBefore), and REST targets share one server per file
 * whose store is restored in place between targets and after a success that deleted a fixture
 * entity. Every test counts the cases it checked, asserts the count, and the
 * file prints the counts per route when it ends.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FixtureHolder, checkRouteCase } from '../../bench/fuzz/check.js';
import type { FuzzFixture } from '../../bench/fuzz/fixture.js';
import { routeCases, type RouteCase, type RouteTarget } from '../../bench/fuzz/routes.js';

export interface RouteFuzzOptions {
  /** How a fixture is made (default: the memory store). */
  readonly make?: () => Promise<FuzzFixture>;
  /** One fixture for every target (MySQL: one database; REST on memory: one server per file). */
  readonly shared?: boolean;
  /** Reset the store in place (REST targets only: see FuzzFixture.restore). */
  readonly restoreInPlace?: boolean;
  readonly timeoutMs?: number;
}

/** The fast-check property of one route: throws with the finding when a case breaks it; counts the cases it checked. */
export async function routeProperty(holder: FixtureHolder, target: RouteTarget, count: { cases: number }): Promise<fc.IAsyncProperty<[RouteCase]>> {
  return fc.asyncProperty(routeCases(target, (await holder.get()).ids), async (input) => {
    count.cases++;
    const finding = await checkRouteCase(holder, target, input);
    if (finding !== undefined) throw new Error(`fuzz finding: ${JSON.stringify(finding, null, 2)}`);
  });
}

export function describeRouteFuzz(title: string, targets: readonly RouteTarget[], runsOf: (target: RouteTarget) => number, options: RouteFuzzOptions = {}): void {
  describe(title, () => {
    const holderOptions = { ...(options.make === undefined ? {} : { make: options.make }), restoreInPlace: options.restoreInPlace ?? false };
    const shared = options.shared ? new FixtureHolder(holderOptions) : undefined;
    const tally: Array<{ route: string; cases: number; ms: number; builds: number; restores: number }> = [];
    afterAll(async () => {
      await shared?.close();
      const total = tally.reduce((sum, row) => sum + row.cases, 0);
      const lines = tally.map((row) => `  ${String(row.cases).padStart(5)} cases ${String(row.ms).padStart(6)} ms  ${row.route}${row.builds + row.restores > 0 ? ` (fixture: ${row.builds} built, ${row.restores} restored)` : ''}`);
      console.log(`fuzz cases, ${title}: ${total} over ${tally.length} routes\n${lines.join('\n')}`);
    });
    for (const target of targets) {
      const runs = runsOf(target);
      const holder = shared ?? new FixtureHolder(holderOptions);
      if (!shared) afterAll(() => holder.close());
      it(`${target.method} ${target.path} (${target.name}): ${runs} cases, bad input is a 4xx in its shape, never a 5xx, and changes nothing`, async () => {
        const started = Date.now();
        const [builds, restores] = [holder.builds, holder.restores];
        // A shared holder starts every target on a freshly seeded store (restored in place, or a new server over it).
        if (shared) await holder.reset();
        const count = { cases: 0 };
        await fc.assert(await routeProperty(holder, target, count), { numRuns: runs, endOnFailure: true });
        expect(count.cases).toBe(runs);
        tally.push({ route: `${target.method} ${target.path} (${target.name})`, cases: count.cases, ms: Date.now() - started, builds: holder.builds - builds, restores: holder.restores - restores });
      }, options.timeoutMs ?? 120_000);
    }
  });
}
