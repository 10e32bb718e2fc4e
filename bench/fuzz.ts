/**
 * The long fuzz run (issue 16 item 4): every route target (bench/fuzz/routes.ts, in process on the
 * memory store) and every file format (bench/fuzz/files.ts), in rounds of --chunk cases per target
 * until --cases cases were tried or --max-time passed. Unlike the CI tests (test/fuzz/), a finding
 * does not stop the run: every finding is kept (deduplicated by target, problem and message) and
 * written with the totals to --out. Exit 3 when anything was found.
 *
 * With --store mysql://…/db (the database is dropped and created first) it fuzzes the write routes
 * on MySQL instead, as test/fuzz/routes-mysql.test.ts does (file formats do not touch the store).
 *
 *   npx tsx bench/fuzz.ts [--cases 100000] [--max-time 5m] [--chunk 100] [--seed 1] [--store memory|mysql://…/db] [--out runs/fuzz.json] [--json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import fc from 'fast-check';
import { EXIT } from '../lib/exit-codes.js';
import { parseStoreSpec } from '../server/store/index.js';
import { freshDatabase } from './fresh-database.js';
import { FixtureHolder, checkRouteCase, type Finding } from './fuzz/check.js';
import { FILE_TARGETS, checkFileCase, scratchDir } from './fuzz/files.js';
import { mysqlFuzzFixtures, type MysqlFuzzFixtures } from './fuzz/mysql-fixture.js';
import { ROUTE_TARGETS, routeCases, type RouteTarget } from './fuzz/routes.js';
import { defineBench, durationMs, nonNegativeInt, option, positiveInt, text } from './harness.js';

interface UniqueFinding extends Finding {
  /** How many cases ended in this finding. */
  readonly count: number;
}

interface FuzzResults {
  cases: number;
  seconds: number;
  cases_per_s: number;
  stopped_by: 'cases' | 'time';
  targets: number;
  cases_by_target: Record<string, number>;
  findings: UniqueFinding[];
  unhandled_rejections: string[];
}

const keyOf = (finding: Finding): string => `${finding.target}|${finding.problem}|${finding.detail.replace(/\d+/g, 'N').slice(0, 120)}`;

/** REST targets reset their store in place, as in CI (test/fuzz/route-fuzz-suite.ts); the others go through server caches. */
const restoresInPlace = (target: RouteTarget): boolean => target.shape === 'fleet' || target.shape === 'osqsim';

/** Which holder runs a target's cases. */
interface Holders {
  get(target: RouteTarget): Promise<FixtureHolder>;
  close(): Promise<void>;
}

/** Memory: a holder (and a memory store) per target. */
function memoryHolders(): Holders {
  const holders = new Map(ROUTE_TARGETS.map((t) => [t.name, new FixtureHolder({ restoreInPlace: restoresInPlace(t) })]));
  return {
    get: async (target) => holders.get(target.name)!,
    close: async () => {
      for (const holder of holders.values()) await holder.close();
    },
  };
}

/**
 * MySQL: one database, so one open fixture (bench/fuzz/mysql-fixture.ts): a holder for the REST
 * targets (rows restored in place) and one for the osquery and orbit targets (a new server per
 * reset); turning from one to the other closes the first's fixture.
 */
function mysqlHolders(fixtures: MysqlFuzzFixtures): Holders {
  const make = () => fixtures.make();
  const rest = new FixtureHolder({ make, restoreInPlace: true });
  const agent = new FixtureHolder({ make });
  let open: FixtureHolder | undefined;
  return {
    async get(target) {
      const holder = restoresInPlace(target) ? rest : agent;
      if (open !== holder) await open?.close();
      open = holder;
      return holder;
    },
    async close() {
      await rest.close();
      await agent.close();
      await fixtures.close();
    },
  };
}

await defineBench({
  name: 'fuzz',
  description: 'Property-based fuzzing of every osquery, orbit and REST route and every file format (--store mysql://…: the write routes on MySQL); records what it found',
  params: {
    cases: option('--cases <n>', 'cases to try in all (spread evenly over the targets)', positiveInt, '100000'),
    maxTime: option('--max-time <duration>', 'stop after this long even if fewer cases were tried', durationMs, '5m'),
    chunk: option('--chunk <n>', 'cases per target per round', positiveInt, '100'),
    seed: option('--seed <n>', 'first fast-check seed (round k of target t uses seed + k × targets + t)', nonNegativeInt, '1'),
    store: option('--store <spec>', 'memory: every route and file format; mysql://…/db (dropped and created first): the write routes on MySQL', text, 'memory'),
    out: option('--out <file>', 'JSON of the totals and every finding', text, 'runs/fuzz.json'),
  },
  async run(values, progress) {
    const found = new Map<string, { finding: Finding; count: number }>();
    const rejections: string[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(String((reason as Error)?.stack ?? reason).slice(0, 500));
    process.on('unhandledRejection', onRejection);
    const record = (finding: Finding | undefined): void => {
      if (finding === undefined) return;
      const key = keyOf(finding);
      const entry = found.get(key);
      if (entry) entry.count++;
      else {
        found.set(key, { finding, count: 1 });
        progress(`finding: ${finding.target}: ${finding.problem}: ${finding.detail.slice(0, 200)}`);
      }
    };
    const onMysql = parseStoreSpec(values.store).kind === 'mysql';
    if (onMysql) await freshDatabase(values.store);
    const holders = onMysql ? mysqlHolders(mysqlFuzzFixtures(values.store)) : memoryHolders();
    const routeTargets = onMysql ? ROUTE_TARGETS.filter((t) => t.writes === true) : ROUTE_TARGETS;
    const fileTargets = onMysql ? [] : FILE_TARGETS;
    const scratch = scratchDir();
    const targets = routeTargets.length + fileTargets.length;
    const byTarget: Record<string, number> = {};
    const started = Date.now();
    let cases = 0;
    let stoppedBy: FuzzResults['stopped_by'] = 'cases';
    try {
      for (let round = 0; cases < values.cases; round++) {
        for (let t = 0; t < targets && cases < values.cases; t++) {
          if (Date.now() - started > values.maxTime) {
            stoppedBy = 'time';
            break;
          }
          const numRuns = Math.min(values.chunk, values.cases - cases);
          const seed = values.seed + round * targets + t;
          if (t < routeTargets.length) {
            const target = routeTargets[t]!;
            const holder = await holders.get(target);
            for (const input of fc.sample(routeCases(target, (await holder.get()).ids), { numRuns, seed })) record(await checkRouteCase(holder, target, input));
            byTarget[target.name] = (byTarget[target.name] ?? 0) + numRuns;
          } else {
            const target = fileTargets[t - routeTargets.length]!;
            for (const input of fc.sample(target.texts(), { numRuns, seed })) record(await checkFileCase(target, scratch.dir, input));
            byTarget[target.name] = (byTarget[target.name] ?? 0) + numRuns;
          }
          cases += numRuns;
        }
        if (stoppedBy === 'time') break;
        progress(`round ${round + 1}: ${cases} cases, ${found.size} distinct findings, ${Math.round((Date.now() - started) / 1000)} s`);
      }
    } finally {
      await holders.close();
      scratch.remove();
      process.off('unhandledRejection', onRejection);
    }
    const seconds = (Date.now() - started) / 1000;
    const results: FuzzResults = {
      cases,
      seconds: Math.round(seconds),
      cases_per_s: Math.round(cases / seconds),
      stopped_by: stoppedBy,
      targets,
      cases_by_target: byTarget,
      findings: [...found.values()].map(({ finding, count }) => ({ ...finding, count })),
      unhandled_rejections: rejections,
    };
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify({ bench: 'fuzz', params: values, results }, null, 2)}\n`);
    return { params: values, results };
  },
  format(doc) {
    const r = doc.results;
    return [
      `fuzz: ${r.cases} cases over ${r.targets} targets in ${r.seconds} s (${r.cases_per_s} cases/s, stopped by ${r.stopped_by}); written to ${doc.params.out}`,
      `distinct findings: ${r.findings.length}; unhandled rejections: ${r.unhandled_rejections.length}`,
      ...r.findings.map((f) => `  ${f.target}: ${f.problem} ×${f.count}: ${f.detail.slice(0, 200)}${f.request ? `\n    ${f.request.method} ${f.request.url.slice(0, 150)} ${f.request.payload?.slice(0, 150) ?? ''}` : ''}`),
    ].join('\n');
  },
  exitCode: (doc) => (doc.results.findings.length > 0 || doc.results.unhandled_rejections.length > 0 ? EXIT.THRESHOLDS_FAILED : EXIT.OK),
}).main();
