/**
 * Fuzzing every REST route (policies, team policies, specs, teams, hosts, labels, queries, osqsim's
 * spec file, stats runs and faults) on the memory store (issue 16 item 4): 1,000 cases per route
 * and method (51 routes, 51,000 cases) in two files so vitest's two workers share them; one server
 * per file, its store restored in place between routes (docs/RELIABILITY.md "Fuzzing").
 * This file: policies, teams and hosts; rest-routes-labels-queries.test.ts the rest.
 * `npx tsx bench/fuzz.ts` runs 100,000.
 */
import { REST_FUZZ_RUNS, restTargets } from './rest-targets.js';
import { describeRouteFuzz } from './route-fuzz-suite.js';

describeRouteFuzz('REST routes: policies, teams, hosts (fuzz)', restTargets('first'), () => REST_FUZZ_RUNS, { shared: true, restoreInPlace: true });
