/** Test files too long for `npm test` (CI's budget); `npm run test:long` runs them. */
export const LONG_TESTS: string[] = ['test/scenarios/builtin-pass.*.test.ts'];
