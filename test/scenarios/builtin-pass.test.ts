/**
 * Every built-in scenario passes its own thresholds out of the box, on the memory store and on
 * MySQL, at reduced scale: 30 hosts, and time compressed (`--time-scale`, scenarios/time-scale.ts) so
 * each run lasts about RUN_SECONDS with its whole timeline — outages included — in proportion. The
 * two stores run side by side (two chains of `osqsim run`), so the whole file stays within about
 * four minutes on a 2-core machine.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCommand } from '../../cli/run.js';
import type { ResultDocument } from '../../contract/result.js';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.js';
import { readScenario } from '../../scenarios/read.js';
import { createTestDatabase, describeMysql, type TestDatabase } from '../helpers/mysql.js';

const HOSTS = '30';
const RUN_SECONDS = 8;

/** The --time-scale that makes `name` last about RUN_SECONDS. */
function timeScaleOf(name: string): number {
  const loaded = readScenario(name);
  if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.issues)}`);
  return Math.max(1, loaded.scenario.duration / 1000 / RUN_SECONDS);
}

interface Outcome {
  name: string;
  store: string;
  code: number;
  failed: string[];
  output: string;
}

async function runBuiltin(name: string, store: string): Promise<Outcome[]> {
  const out = mkdtempSync(join(tmpdir(), `osqsim-builtin-${name}-`));
  const lines: string[] = [];
  const code = await runCommand(name, { store, hosts: HOSTS, timeScale: String(timeScaleOf(name)), out, quiet: false }, (t) => lines.push(t), (t) => lines.push(t));
  const results = [...lines.join('').matchAll(/result: (\S+result\.json)/g)].map((match) => JSON.parse(readFileSync(match[1]!, 'utf8')) as ResultDocument);
  if (results.length === 0) return [{ name, store, code, failed: ['no result written'], output: lines.join('') }];
  return results.map((doc) => ({
    name: `${name} [${String((doc.scenario.server as { stats?: { strategy?: unknown } } | undefined)?.stats?.strategy ?? "-")}]`,
    store,
    code,
    failed: doc.thresholds.filter((t) => !t.ok).map((t) => `${t.expr} (${t.no_data ? 'no data' : t.value})`),
    output: lines.join(''),
  }));
}

/** Each scenario in turn; on MySQL each on a database of its own (as a new user would start). */
async function chain(store: 'memory' | 'mysql'): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const name of BUILTIN_SCENARIOS) {
    const database: TestDatabase | undefined = store === 'mysql' ? await createTestDatabase() : undefined;
    try {
      outcomes.push(...(await runBuiltin(name, database?.url ?? 'memory')));
    } finally {
      await database?.drop();
    }
  }
  return outcomes;
}

describeMysql('built-in scenarios pass their own thresholds', () => {
  it('on the memory store and on MySQL, at 30 hosts and about 8 s each', { timeout: 420_000 }, async () => {
    const started = Date.now();
    try {
      const outcomes = (await Promise.all([chain('memory'), chain('mysql')])).flat();
      const failures = outcomes.filter((o) => o.code !== 0 || o.failed.length > 0);
      expect(failures.map((o) => `${o.name} on ${o.store.startsWith('mysql') ? 'mysql' : o.store}: exit ${o.code}, ${o.failed.join('; ')}`), failures.map((o) => o.output).join('\n----\n')).toEqual([]);
      expect(outcomes.length).toBeGreaterThanOrEqual(2 * BUILTIN_SCENARIOS.length);
    } finally {
      process.stdout.write(`built-in scenarios, both stores: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
  });
});
