/** How a report states what became of one timeline event. */
import type { TimelineRecord } from '../contract/result.js';

/** `ok`, `skipped: why` (not applied on purpose) or `failed: why`. */
export function timelineResult(event: TimelineRecord): string {
  if (event.ok) return 'ok';
  return `${event.skipped ? 'skipped' : 'failed'}: ${event.error ?? ''}`;
}
