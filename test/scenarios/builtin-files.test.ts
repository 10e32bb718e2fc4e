/** CI runs every built-in scenario: each has its file in test/scenarios/builtin/, and those files start first (vitest.sequencer.ts). */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.js';
import { BUILTIN_FIRST, builtinFirst } from '../../vitest.sequencer.js';

describe('built-in scenarios in CI', () => {
  it('every built-in scenario has its test file, and no file names a scenario that is gone', () => {
    const files = readdirSync(new URL('./builtin/', import.meta.url)).filter((f) => f.endsWith('.test.ts'));
    expect(files.map((f) => f.replace(/\.test\.ts$/, '')).sort()).toEqual([...BUILTIN_SCENARIOS].sort());
    expect(BUILTIN_FIRST.every((name) => (BUILTIN_SCENARIOS as readonly string[]).includes(name))).toBe(true);
  });

  it('the soak\'s CI variant starts last (never beside a latency-judged built-in miniature)', () => {
    const order = ['/r/test/bench/soak.test.ts', '/r/test/a.test.ts', '/r/test/scenarios/builtin/quickstart.test.ts', '/r/test/scenarios/builtin/stats-strategies.test.ts', '/r/test/b.test.ts'];
    expect(builtinFirst(order, (f) => f)).toEqual([
      '/r/test/scenarios/builtin/stats-strategies.test.ts',
      '/r/test/scenarios/builtin/quickstart.test.ts',
      '/r/test/a.test.ts',
      '/r/test/b.test.ts',
      '/r/test/bench/soak.test.ts',
    ]);
  });

  it('the sequencer moves them to the front, longest first, and keeps vitest\'s order otherwise', () => {
    const order = ['/r/test/a.test.ts', '/r/test/scenarios/builtin/quickstart.test.ts', '/r/test/b.test.ts', '/r/test/scenarios/builtin/reconnect-wave.test.ts', '/r/test/scenarios/builtin/cis-like.test.ts', '/r/test/scenarios/builtin/stats-strategies.test.ts'];
    expect(builtinFirst(order, (f) => f)).toEqual([
      '/r/test/scenarios/builtin/stats-strategies.test.ts',
      '/r/test/scenarios/builtin/reconnect-wave.test.ts',
      '/r/test/scenarios/builtin/quickstart.test.ts',
      '/r/test/scenarios/builtin/cis-like.test.ts',
      '/r/test/a.test.ts',
      '/r/test/b.test.ts',
    ]);
  });
});
