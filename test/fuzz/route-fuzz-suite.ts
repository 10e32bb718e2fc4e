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

export interface RouteFuzzOptions {
  /** How a fixture is made (default: the memory store). */
  readonly make?: () => Promise<FuzzFixture>;
  /** One fixture for every target (MySQL: a database per fixture is slow to create). */
  readonly shared?: boolean;
  readonly timeoutMs?: number;
}

export function describeRouteFuzz(title: string, targets: readonly RouteTarget[], runsOf: (target: RouteTarget) => number, options: RouteFuzzOptions = {}): void {
  describe(title, () => {
    const shared = options.shared ? new FixtureHolder(options.make) : undefined;
    if (shared) afterAll(() => shared.close());
    for (const target of targets) {
      const holder = shared ?? new FixtureHolder(options.make);
      if (!shared) afterAll(() => holder.close());
      it(`${target.method} ${target.path} (${target.name}): bad input is a 4xx in its shape, never a 5xx, and changes nothing`, async () => {
        await fc.assert(
          fc.asyncProperty(routeCases(target, (await holder.get()).ids), async (input) => {
            const finding: Finding | undefined = await checkRouteCase(holder, target, input);
            expect(finding).toBeUndefined();
          }),
          { numRuns: runsOf(target), endOnFailure: true },
        );
      }, options.timeoutMs ?? 60_000);
    }
  });
}
