/**
 * Fuzzing every REST route (policies, team policies, specs, teams, hosts, labels, queries, osqsim's
 * spec file, stats runs and faults) on the memory store (issue 16 item 4). CI budget
 * (docs/RELIABILITY.md "Fuzzing"): 150 cases per route and method (≈ 8,000 in all);
 * `npx tsx bench/fuzz.ts` runs 100,000.
 */
import { ROUTE_TARGETS } from '../../bench/fuzz/routes.js';
import { describeRouteFuzz } from './route-fuzz-suite.js';

describeRouteFuzz('REST routes (fuzz)', ROUTE_TARGETS.filter((t) => t.shape === 'fleet' || t.shape === 'osqsim'), () => 150);
