/**
 * How well the built-in fleet answers real policy libraries (issue 12, "A realistic default
 * fleet"): given fleetctl YAML files (Fleet publishes several, e.g. fleetdm/fleet
 * ee/cis/macos-14/cis-policy-queries.yml), applies them to --hosts hosts of the built-in fleet,
 * evaluated in-process through the simulator's evaluator (no server), and reports per library the
 * policies in scope of some host, how many every in-scope host answered (pass or fail) and the
 * unknown ones with their reason (missing table or column, fleetd-only table, SQL error).
 *
 *   npx tsx bench/policy-library.ts --library /tmp/libs/macos-14.yml [--library …] [--hosts 400]
 *                                   [--agent fleetd|osquery] [--compliance 0.68] [--seed 1] [--json]
 *
 * `--agent` (default fleetd, the agent Fleet's CIS libraries are written for: "(Fleetd Required)")
 * decides whether the built-in hosts run orbit, whose extension tables only fleetd hosts answer.
 *
 * Budget: ≥ 90 % of the in-scope policies answered (exit 3 below it).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { HOST_AGENTS, type HostAgent } from '../contract/fleet-spec.js';
import { builtinFleet, DEFAULT_COMPLIANCE } from '../scenarios/fleets/builtin-fleet.js';
import { checkLibraries, type LibraryResult } from '../scenarios/fleets/library-check.js';
import { osqsimError } from '../lib/errors.js';
import { EXIT } from '../lib/exit-codes.js';
import { defineBench, option, positiveInt, repeatable, toggle } from './harness.js';

const BUDGET_PCT = 90;

const fileList = (value: string): string[] => value.split(',').map((file) => file.trim()).filter(Boolean);

const agent = (value: string, option: string): HostAgent => {
  if ((HOST_AGENTS as readonly string[]).includes(value)) return value as HostAgent;
  throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected one of ${HOST_AGENTS.join(', ')}, got "${value}"` });
};

const compliance = (value: string, option: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected a number from 0 to 1, got "${value}"` });
  return n;
};

export const policyLibraryBench = defineBench({
  name: 'policy-library',
  description: 'applies fleetctl policy libraries to the built-in fleet in-process and reports pass / fail / unknown per policy',
  params: {
    library: repeatable(option('--library <file>', 'fleetctl YAML policy file (repeat, or a comma list, for several libraries)', fileList)),
    hosts: option('--hosts <n>', 'hosts of the built-in fleet, shared among its groups by weight', positiveInt, '400'),
    compliance: option('--compliance <0..1>', "the built-in fleet's compliance level (scenario key fleet.compliance)", compliance, String(DEFAULT_COMPLIANCE)),
    agent: option('--agent <fleetd|osquery>', 'what runs on the built-in hosts (scenario key fleet.agent); only fleetd hosts answer orbit\'s tables', agent, 'fleetd'),
    seed: option('--seed <n>', "the run's seed: which variant of its group each host answers from", positiveInt, '1'),
    unknowns: toggle('--unknowns', 'list every unknown policy with its reason'),
  },
  async run(values, progress) {
    const files = values.library;
    const libraries = files.map((file) => ({ name: basename(file), text: readFileSync(file, 'utf8') }));
    progress(`checking ${libraries.length} ${libraries.length === 1 ? 'library' : 'libraries'} on ${values.hosts} ${values.agent} hosts`);
    const results = await checkLibraries(builtinFleet({ compliance: values.compliance, agent: values.agent }), values.hosts, libraries, { seed: values.seed });
    return {
      params: { libraries: files, hosts: values.hosts, agent: values.agent, compliance: values.compliance, seed: values.seed, budgetPct: BUDGET_PCT },
      results: results.map((r) => ({ ...r, outcomes: r.outcomes.filter((o) => o.unknown > 0 || values.unknowns) })),
    };
  },
  format(doc) {
    const lines = [`${'library'.padEnd(44)} ${'policies'.padStart(8)} ${'in scope'.padStart(8)} ${'pass≥1'.padStart(7)} ${'all fail'.padStart(8)} ${'unknown'.padStart(7)} ${'answered'.padStart(9)} ${'host pass'.padStart(9)}`];
    for (const r of doc.results as LibraryResult[]) {
      lines.push(`${r.library.padEnd(44)} ${String(r.policies).padStart(8)} ${String(r.inScope).padStart(8)} ${String(r.withPass).padStart(7)} ${String(r.allFail).padStart(8)} ${String(r.unknown).padStart(7)} ${`${r.answeredPct}%`.padStart(9)} ${`${r.hostPassPct}%`.padStart(9)}`);
    }
    for (const r of doc.results as LibraryResult[]) {
      const unknown = r.outcomes.filter((o) => o.unknown > 0);
      if (r.refused.length > 0) {
        lines.push('', `${r.library}: refused by osqsim's server (evaluated anyway)`);
        for (const p of r.refused) lines.push(`  ${p.name} — ${p.message}`);
      }
      if (unknown.length === 0) continue;
      lines.push('', `${r.library}: unknown`);
      for (const o of unknown) lines.push(`  [${o.reason}] ${o.name} — ${o.message}`);
    }
    return lines.join('\n');
  },
  exitCode(doc) {
    return (doc.results as LibraryResult[]).every((r) => r.answeredPct >= BUDGET_PCT) ? EXIT.OK : EXIT.THRESHOLDS_FAILED;
  },
});

if (import.meta.url === `file://${process.argv[1]}`) await policyLibraryBench.main();
