/**
 * bench/soak-heap-probe.cjs — preloaded into the server process by bench/soak.ts (NODE_OPTIONS=--require):
 * after every major (mark-compact) GC it appends `{"at": epoch ms, "pid", "heap_mb"}` to the file named by
 * OSQSIM_SOAK_HEAP_FILE, the V8 heap in use right after the collection (v8.getHeapStatistics
 * used_heap_size: the live heap, plus whatever was allocated between the GC and this callback). Resident
 * memory is a sawtooth of GC phases; the heap after a major GC is the level a leak raises. Bench-only:
 * the server itself is unchanged. Plain CommonJS so `--require` loads it in any Node process. Main
 * thread only (below).
 */
'use strict';
const file = process.env.OSQSIM_SOAK_HEAP_FILE;
// A `--require` in NODE_OPTIONS is preloaded into every worker thread of the process too, each with its
// own heap (the server's workers: ≈ 8 and ≈ 19 MB beside its ≈ 40 MB main heap at 300 hosts): only the
// main thread's heap is sampled, or the medians would mix isolates.
if (file && require('node:worker_threads').isMainThread) {
  const { appendFileSync } = require('node:fs');
  const { PerformanceObserver, constants } = require('node:perf_hooks');
  const { getHeapSpaceStatistics, getHeapStatistics } = require('node:v8');
  const observer = new PerformanceObserver((list) => {
    if (!list.getEntries().some((entry) => entry.detail && entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) return;
    // Per space as well (diagnosis only: the bench reads heap_mb): compiled code lives in code_space.
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_used_size / 1e5) / 10]));
    const line = { at: Date.now(), pid: process.pid, heap_mb: Math.round(getHeapStatistics().used_heap_size / 1e5) / 10, spaces };
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // The bench reads what is there; a full disk must not take the server down.
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  // OSQSIM_SOAK_HEAP_GC_MS: also force a full GC that often, so a short run has samples in every window
  // (at 300 hosts the server's own major GCs can be ~100 s apart). Costs a pause per collection.
  const every = Number(process.env.OSQSIM_SOAK_HEAP_GC_MS ?? 0);
  if (every > 0) {
    require('node:v8').setFlagsFromString('--expose-gc');
    const gc = require('node:vm').runInNewContext('gc');
    setInterval(() => gc(), every).unref();
  }
}
