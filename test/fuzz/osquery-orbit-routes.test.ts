/**
 * Fuzzing the osquery remote API and the orbit/device routes on the memory store (issue 16 item 4).
 * CI budget (docs/RELIABILITY.md "Fuzzing"): 500 cases per osquery route (the two log targets are
 * one route: 1,000), 300 per orbit/device route; `npx tsx bench/fuzz.ts` runs 100,000.
 */
import { ROUTE_TARGETS } from '../../bench/fuzz/routes.js';
import { describeRouteFuzz } from './route-fuzz-suite.js';

describeRouteFuzz('osquery routes (fuzz)', ROUTE_TARGETS.filter((t) => t.shape === 'osquery'), () => 500);
describeRouteFuzz('orbit and device routes (fuzz)', ROUTE_TARGETS.filter((t) => t.shape === 'orbit'), () => 300);
