/** The REST route targets, split in two halves for the two REST fuzz files (hosts' routes end the first half). */
import { ROUTE_TARGETS, type RouteTarget } from '../../bench/fuzz/routes.js';

/** Cases per REST route and method in CI (docs/RELIABILITY.md "Fuzzing"). */
export const REST_FUZZ_RUNS = 1_000;

export function restTargets(half: 'first' | 'second'): RouteTarget[] {
  const rest = ROUTE_TARGETS.filter((t) => t.shape === 'fleet' || t.shape === 'osqsim');
  const split = rest.findIndex((t) => t.name === 'create label');
  return half === 'first' ? rest.slice(0, split) : rest.slice(split);
}
