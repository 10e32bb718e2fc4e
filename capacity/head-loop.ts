/**
 * A closed loop of HEAD requests for the endpoint table's HEAD rows (orbit and Fleet Desktop pings).
 * autocannon cannot drive them: its response parser (http-parser-js) is not told the request was a
 * HEAD, and a keep-alive HEAD answer without Content-Length (Go's net/http and fastify send none for
 * an empty HEAD answer) reads as a body that lasts until the connection closes, so no response ever
 * completes. undici knows HEAD answers have no body.
 */
import { Pool } from 'undici';

export interface HeadLoopResult {
  total: number;
  statusCodes: Record<string, number>;
  errors: number;
  durationS: number;
  /** Milliseconds, sorted ascending. */
  latenciesMs: number[];
}

/** `connections` workers, each sending its next HEAD when the last answer arrived, rotating over `paths`, for `durationMs`. */
export async function headClosedLoop(options: { origin: string; paths: readonly string[]; connections: number; durationMs: number; ca?: string }): Promise<HeadLoopResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1, ...(options.ca === undefined ? {} : { connect: { ca: options.ca } }) });
  const statusCodes: Record<string, number> = {};
  const latenciesMs: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const end = started + options.durationMs;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < end) {
          const path = options.paths[next++ % options.paths.length]!;
          const sent = performance.now();
          try {
            const response = await pool.request({ method: 'HEAD', path });
            await response.body.dump();
            latenciesMs.push(performance.now() - sent);
            statusCodes[response.statusCode] = (statusCodes[response.statusCode] ?? 0) + 1;
          } catch {
            errors++;
          }
        }
      }),
    );
  } finally {
    await pool.close();
  }
  latenciesMs.sort((a, b) => a - b);
  return { total: latenciesMs.length, statusCodes, errors, durationS: (performance.now() - started) / 1000, latenciesMs };
}

/** The `q` quantile of sorted values (0 when empty). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
