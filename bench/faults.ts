/**
 * The long versions of the fault tests (issue 16 items 1–3; docs/RELIABILITY.md): each prints its
 * numbers and writes them as JSON.
 *
 *   npx tsx bench/faults.ts outage          [--seconds 30] [--hosts 200] [--mysql URL] [--out FILE]
 *   npx tsx bench/faults.ts crash           [--crashes 5] [--hosts 200]  [--mysql URL] [--out FILE]
 *   npx tsx bench/faults.ts instance-loss   [--hosts 200]                [--mysql URL] [--out FILE]
 *
 * Each runs on a fresh database (created and dropped) on the MariaDB server of --mysql (default
 * mysql://root@127.0.0.1:3306/). bench/outage.ts is the outage experiment's own entry point.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCrashExperiment } from '../scenarios/faults/crash-experiment.js';
import { runInstanceLossExperiment } from '../scenarios/faults/instance-loss-experiment.js';
import { runOutageExperiment } from '../scenarios/faults/outage-experiment.js';
import { benchDatabase } from './common.js';

export async function runFaultBench(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '30' },
      hosts: { type: 'string', default: '200' },
      crashes: { type: 'string', default: '5' },
      mysql: { type: 'string', default: 'mysql://root@127.0.0.1:3306/' },
      out: { type: 'string' },
    },
  });
  const which = positionals[0] ?? 'outage';
  const hosts = Number(values.hosts);
  if (!['outage', 'crash', 'instance-loss'].includes(which) || !Number.isInteger(hosts) || hosts < 1) {
    console.error('usage: bench/faults.ts outage|crash|instance-loss [--seconds N] [--hosts N] [--crashes N] [--mysql URL] [--out FILE]');
    process.exit(2);
  }
  const db = await benchDatabase(values.mysql);
  const log = (line: string) => console.log(`[${which}] ${line}`);
  let result: unknown;
  try {
    if (which === 'outage') {
      result = await runOutageExperiment({ mysqlUrl: db.url, modes: ['reset', 'drop', 'delay'], outageMs: Number(values.seconds) * 1000, hosts, log });
    } else if (which === 'crash') {
      result = await runCrashExperiment({ mysqlUrl: db.url, hosts, crashes: Number(values.crashes), log });
    } else {
      result = await runInstanceLossExperiment({ mysqlUrl: db.url, hosts, afterMs: 15_000 });
    }
  } finally {
    await db.drop();
  }
  const json = JSON.stringify({ bench: `faults ${which}`, date: new Date().toISOString(), hosts, result }, null, 1);
  console.log(json);
  writeFileSync(values.out ?? `/tmp/osqsim-bench-faults-${which}.json`, json);
}

if (import.meta.url === `file://${process.argv[1]}`) await runFaultBench(process.argv.slice(2));
