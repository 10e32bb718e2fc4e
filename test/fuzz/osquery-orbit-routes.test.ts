/**
 * Fuzzing the osquery remote API and the orbit/device routes on the memory store (issue 16 item 4):
 * 1,000 cases per route (the two `log` targets, status and result bodies, are one route: 2,000),
 * 13 targets, 13,000 cases. A fixture per route (these routes go through the host and auth caches,
 * so the store is never restored under a running server: a reset builds a new one).
 * `npx tsx bench/fuzz.ts` runs 100,000.
 */
import { ROUTE_TARGETS } from '../../bench/fuzz/routes.js';
import { describeRouteFuzz } from './route-fuzz-suite.js';

describeRouteFuzz('osquery routes (fuzz)', ROUTE_TARGETS.filter((t) => t.shape === 'osquery'), () => 1_000);
describeRouteFuzz('orbit and device routes (fuzz)', ROUTE_TARGETS.filter((t) => t.shape === 'orbit'), () => 1_000);
