/**
 * Runs route fuzz targets (bench/fuzz/routes.ts) as vitest cases: one fast-check property per
 * route, every case checked by bench/fuzz/check.ts (no 5xx but documented ones, the family's error
 * shape, nothing changed by a rejected request, an answer within the time limit). Seeds are random
 * on each run; a failure prints fast-check's seed and path to replay it, and the finding itself.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FixtureHolder, checkRouteCase, type Finding } from '../../bench/fuzz/check.js';
import type { FuzzFixture } from '../../bench/fuzz/fixture.js';
import { routeCases, type RouteTarget } from '../../bench/fuzz/routes.js';

export function describeRouteFuzz(title: string, targets: readonly RouteTarget[], runsOf: (target: RouteTarget) => number, make?: () => Promise<FuzzFixture>, timeoutMs = 60_000): void {
  describe(title, () => {
    for (const target of targets) {
      const holder = new FixtureHolder(make);
      afterAll(() => holder.close());
      it(`${target.method} ${target.path} (${target.name}): bad input is a 4xx in its shape, never a 5xx, and changes nothing`, async () => {
        const ids = (await holder.get()).ids;
        await fc.assert(
          fc.asyncProperty(routeCases(target, ids), async (input) => {
            const finding: Finding | undefined = await checkRouteCase(holder, target, input);
            expect(finding).toBeUndefined();
          }),
          { numRuns: runsOf(target), endOnFailure: true },
        );
      }, timeoutMs);
    }
  });
}
