/**
 * Test files kept out of `npm test` (CI); `npm run test:long` runs them. The soak's 3-minute CI
 * variant passed 5 of 7 runs on 2026-12-05 (an InnoDB deadlock in membership ingest, a write timeout
 * at load average 31): it joins `npm test` once it passes reliably (docs/RELIABILITY.md "Soak").
 */
export const LONG_TESTS: string[] = ['test/bench/soak.test.ts'];
