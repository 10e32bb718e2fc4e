/**
 * `npm test`'s file order: vitest's own (failed first, then the longest by its cache, else the
 * largest file), except that the soak's CI variant (test/bench/soak.test.ts, ≈ 195 s) and then the
 * built-in scenario files (test/scenarios/builtin/, ~30–110 s each, mostly waiting on their runs)
 * start first, longest first. Started in the middle they would end the suite alone on one of the two
 * workers; started first, the short files fill in beside them.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first when vitest has no durations yet: three strategy runs, then the 30 s runs with a server restart. */
export const BUILTIN_FIRST = ['stats-strategies', 'reconnect-wave'];

/** Files that start before the built-in scenarios: the soak's 3-minute CI variant. */
export const START_FIRST = ['test/bench/soak.test.ts'];

const startsFirst = (file: string): boolean => START_FIRST.some((name) => file.replace(/\\/g, '/').endsWith(name));

const builtinName = (file: string): string | undefined => /test[\\/]scenarios[\\/]builtin[\\/]([^\\/]+)\.test\.ts$/.exec(file)?.[1];

/** `files` (already in vitest's order) with START_FIRST, then the built-in scenario files (longest first), moved to the front. */
export function builtinFirst<T>(files: readonly T[], path: (file: T) => string): T[] {
  const rank = (file: T): number => {
    if (startsFirst(path(file))) return -1;
    const index = BUILTIN_FIRST.indexOf(builtinName(path(file)) ?? '');
    return index === -1 ? BUILTIN_FIRST.length : index;
  };
  const early = (file: T): boolean => startsFirst(path(file)) || builtinName(path(file)) !== undefined;
  const front = files.filter(early);
  return [...front.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f), ...files.filter((f) => !early(f))];
}

export class BuiltinFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return builtinFirst(await super.sort(files), (file) => file.moduleId);
  }
}
