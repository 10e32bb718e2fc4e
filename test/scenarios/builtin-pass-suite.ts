/**
 * Every built-in scenario passes its own thresholds out of the box, at reduced scale: HOSTS hosts, and
 * time compressed (`--time-scale`, scenarios/time-scale.ts) so each run lasts about RUN_SECONDS with
 * its whole timeline in proportion. What time compression cannot shrink keeps its wall-clock length,
 * so the runs leave room for it: the simulator's workers need ~3–5 s to start and warm up (the warm-up is at least
 * WARMUP_MIN_S), and a server restart takes as long as a process start (~5–9 s here), so a scenario
 * with `restart_server` runs RESTART_RUN_SECONDS. One store per test file (builtin-pass.memory /
 * builtin-pass.mysql), runs one after another: runs side by side on the 2-core CI machine saturate
 * the generator and fail latency limits for reasons that are not the server's.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCommand } from '../../cli/run.js';
import type { ResultDocument } from '../../contract/result.js';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.js';
import { readScenario } from '../../scenarios/read.js';

export const HOSTS = '20';
export const RUN_SECONDS = 12;
export const RESTART_RUN_SECONDS = 30;
export const WARMUP_MIN_S = 5;

/** `--time-scale` and `--warmup` for `name`. */
export function miniatureOf(name: string): { timeScale: string; warmup: string } {
  const loaded = readScenario(name);
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.issues)}`);
  const { scenario } = loaded;
  const seconds = scenario.timeline.some((event) => event.kind === 'restart_server') ? RESTART_RUN_SECONDS : RUN_SECONDS;
  const factor = Math.max(1, scenario.duration / 1000 / seconds);
  const warmupS = Math.max(WARMUP_MIN_S, scenario.warmup / 1000 / factor);
  return { timeScale: String(factor), warmup: `${Math.round(warmupS * 1000)}ms` };
}

export interface BuiltinOutcome {
  name: string;
  code: number;
  failed: string[];
  output: string;
}

/** Runs `name` on `store` in miniature; one outcome per strategy run. */
export async function runBuiltin(name: string, store: string): Promise<BuiltinOutcome[]> {
  const out = mkdtempSync(join(tmpdir(), `osqsim-builtin-${name}-`));
  const lines: string[] = [];
  const code = await runCommand(name, { store, hosts: HOSTS, ...miniatureOf(name), out }, (t) => lines.push(t), (t) => lines.push(t));
  const output = lines.join('');
  const results = [...output.matchAll(/result: (\S+result\.json)/g)].map((match) => JSON.parse(readFileSync(match[1]!, 'utf8')) as ResultDocument);
  if (results.length === 0) return [{ name, code, failed: ['no result written'], output }];
  return results.map((doc) => ({
    name: `${name} [${String((doc.scenario.server as { stats?: { strategy?: unknown } } | undefined)?.stats?.strategy ?? '-')}]`,
    code,
    failed: doc.thresholds.filter((t) => !t.ok).map((t) => `${t.expr} (${t.no_data ? 'no data' : t.value})`),
    output,
  }));
}

/** One test per built-in scenario; `storeFor` gives each run its store (a fresh MySQL database, or memory). */
export function builtinScenarioTests(storeFor: () => Promise<{ url: string; dispose(): Promise<void> }>): void {
  for (const name of BUILTIN_SCENARIOS) {
    it(`${name} passes its thresholds`, { timeout: 150_000 }, async () => {
      const store = await storeFor();
      try {
        const outcomes = await runBuiltin(name, store.url);
        const failures = outcomes.filter((o) => o.code !== 0 || o.failed.length > 0);
        expect(failures.map((o) => `${o.name}: exit ${o.code}, ${o.failed.join('; ')}`), failures.map((o) => o.output).join('\n----\n')).toEqual([]);
      } finally {
        await store.dispose();
      }
    });
  }
}
