/**
 * Database outage, 30 s per mode (issue 16 item 1; docs/RELIABILITY.md "Database outage"):
 *
 *   npx tsx bench/outage.ts [--seconds 30] [--hosts 200] [--mysql URL] [--out FILE]
 */
import { runFaultBench } from './faults.js';

await runFaultBench(['outage', ...process.argv.slice(2)]);
