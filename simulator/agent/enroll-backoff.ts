/**
 * osquery's enroll retry schedule (plugins/remote/enroll/tls_enroll.cpp, TLSEnrollPlugin::enroll):
 * up to `tls_enroll_max_attempts` attempts (0 = unlimited); after the k-th failure it waits
 * min(k², tls_enroll_max_interval) seconds — 1, 4, 9, 16 … s, deterministic, no jitter. (osquery
 * raises the step only while the wait is below the cap, so the cap then holds: min(k², cap) is the
 * same sequence.) After the last attempt `enroll()` returns "" and the caller sends its request
 * with an empty node key; the next request that needs a key starts a new sequence.
 */

/** The wait after the `failures`-th failed enroll attempt (1-based), in ms. */
export function enrollWaitMs(failures: number, maxIntervalMs: number): number {
  return Math.min(failures * failures * 1000, maxIntervalMs);
}

/** Whether another attempt follows the `failures`-th failure. */
export function enrollRetries(failures: number, maxAttempts: number): boolean {
  return maxAttempts === 0 || failures < maxAttempts;
}
