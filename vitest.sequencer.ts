/**
 * `npm test`'s file order: vitest's own (failed first, then the longest by its cache, else the
 * largest file), except that the built-in scenario files (test/scenarios/builtin/, ~30–110 s each,
 * mostly waiting on their runs) start first, longest first, and the soak's CI variant
 * (test/bench/soak.test.ts, ≈ 190 s, 300 hosts on MySQL) starts last. Started in the middle the
 * built-in files would end the suite alone on one of the two workers. The soak must not run beside a
 * built-in miniature, whose read p99 limits (200–250 ms at 20 hosts) have little margin on 2 cores:
 * started first it overlapped the first one, started right after them the last one, and a memory
 * miniature failed its read p99 each time (CI runs of 2026-12-05, 17:29, 19:00 and 19:21 UTC).
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first when vitest has no durations yet: three strategy runs, then the 30 s runs with a server restart. */
export const BUILTIN_FIRST = ['stats-strategies', 'reconnect-wave'];

/** Files that start last: the soak's 3-minute CI variant. */
export const START_LAST = ['test/bench/soak.test.ts'];

const startsLast = (file: string): boolean => START_LAST.some((name) => file.replace(/\\/g, '/').endsWith(name));

const builtinName = (file: string): string | undefined => /test[\\/]scenarios[\\/]builtin[\\/]([^\\/]+)\.test\.ts$/.exec(file)?.[1];

/** `files` (already in vitest's order) with the built-in scenario files (longest first) moved to the front and START_LAST to the end. */
export function builtinFirst<T>(files: readonly T[], path: (file: T) => string): T[] {
  const rank = (file: T): number => {
    const index = BUILTIN_FIRST.indexOf(builtinName(path(file)) ?? '');
    return index === -1 ? BUILTIN_FIRST.length : index;
  };
  const last = files.filter((f) => startsLast(path(f)));
  const rest = files.filter((f) => !startsLast(path(f)));
  const builtin = rest.filter((f) => builtinName(path(f)) !== undefined);
  const sortedBuiltin = builtin.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  return [...sortedBuiltin, ...rest.filter((f) => builtinName(path(f)) === undefined), ...last];
}

export class BuiltinFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return builtinFirst(await super.sort(files), (file) => file.moduleId);
  }
}
