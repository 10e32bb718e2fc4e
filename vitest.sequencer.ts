/**
 * `npm test`'s file order: vitest's own (failed first, then the longest by its cache, else the
 * largest file), except that the built-in scenario files (test/scenarios/builtin/, ~30–110 s each,
 * mostly waiting on their runs) start first, longest first, and the soak's CI variant
 * (test/bench/soak.test.ts, ≈ 195 s) right after them. Started in the middle they would end the suite
 * alone on one of the two workers; started early, the short files fill in beside them. The soak does
 * not start beside the built-in scenarios: its 300 hosts on MySQL took their read p99 past 200 ms in
 * a CI run that started both at once.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first when vitest has no durations yet: three strategy runs, then the 30 s runs with a server restart. */
export const BUILTIN_FIRST = ['stats-strategies', 'reconnect-wave'];

/** Files that start right after the built-in scenarios: the soak's 3-minute CI variant. */
export const AFTER_BUILTIN = ['test/bench/soak.test.ts'];

const afterBuiltin = (file: string): boolean => AFTER_BUILTIN.some((name) => file.replace(/\\/g, '/').endsWith(name));

const builtinName = (file: string): string | undefined => /test[\\/]scenarios[\\/]builtin[\\/]([^\\/]+)\.test\.ts$/.exec(file)?.[1];

/** `files` (already in vitest's order) with the built-in scenario files (longest first), then AFTER_BUILTIN, moved to the front. */
export function builtinFirst<T>(files: readonly T[], path: (file: T) => string): T[] {
  const rank = (file: T): number => {
    if (afterBuiltin(path(file))) return BUILTIN_FIRST.length + 1;
    const index = BUILTIN_FIRST.indexOf(builtinName(path(file)) ?? '');
    return index === -1 ? BUILTIN_FIRST.length : index;
  };
  const early = (file: T): boolean => afterBuiltin(path(file)) || builtinName(path(file)) !== undefined;
  const front = files.filter(early);
  return [...front.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f), ...files.filter((f) => !early(f))];
}

export class BuiltinFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return builtinFirst(await super.sort(files), (file) => file.moduleId);
  }
}
