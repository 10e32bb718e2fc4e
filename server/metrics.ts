/**
 * The server's Prometheus registry. It lives in lib/metrics.ts because the simulator exports the same
 * text format (simulate --metrics-port) and may not import server/; this re-export keeps the server's
 * imports where they were.
 */
export * from '../lib/metrics.js';
