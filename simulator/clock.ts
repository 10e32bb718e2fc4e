/**
 * The simulator's clock: epoch milliseconds with sub-millisecond precision (performance.timeOrigin +
 * performance.now()), so every worker and the main thread measure on one monotonic time line.
 */
export const nowMs = (): number => performance.timeOrigin + performance.now();
