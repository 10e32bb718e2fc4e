/**
 * What a worker's transport reports about itself each window (transport.ts takeHealth), carried in
 * the worker's window (recorder.ts) to the saturation rules. Types only.
 */

/** The transport's own health over a stretch of time (a window), for the saturation rules. */
export interface TransportHealth {
  /** Requests handed to the HTTP client (which writes them at once), and the p99 / max of their wait inside the simulator before that, ms. */
  written: number;
  queueP99Ms: number;
  queueMaxMs: number;
  /** Requests that had to wait because the elastic connection limit (the open-file share) was reached. */
  limited: number;
  /** Requests that failed on an OS limit, by errno (EMFILE, ENFILE, EADDRNOTAVAIL). */
  limitErrors: Record<string, number>;
  /** Most requests handed to clients at once (≈ connections in use). */
  peakConnections: number;
}
