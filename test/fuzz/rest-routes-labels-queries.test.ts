/**
 * Fuzzing the REST routes of labels, queries and osqsim's own routes on the memory store (issue 16
 * item 4): 1,000 cases per route and method; the other half is in rest-routes.test.ts.
 */
import { REST_FUZZ_RUNS, restTargets } from './rest-targets.js';
import { describeRouteFuzz } from './route-fuzz-suite.js';

describeRouteFuzz('REST routes: labels, queries, osqsim (fuzz)', restTargets('second'), () => REST_FUZZ_RUNS, { shared: true, restoreInPlace: true });
