/**
 * What counting policy results costs per count strategy, on MySQL: the script form of
 * `osqsim bench stats` (capacity/stats-bench*.ts; flags and output are the command's).
 *
 *   npx tsx bench/stats.ts --store mysql://root@127.0.0.1:3306/osqsim_bench [--hosts 100000] [--policies 100]
 *                          [--teams 10] [--strategies cron,incremental,realtime] [--buffer-pool 2GiB] [--reset] [--json]
 */
import { statsBench } from '../capacity/stats-bench-command.js';
import { defineBench } from './harness.js';

await defineBench(statsBench).main();
