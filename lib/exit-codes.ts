/** Exit codes shared by every osqsim command (README "Exit codes", docs/errors.md). */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  INVALID_INPUT: 2,
  THRESHOLDS_FAILED: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
