/**
 * Reading the server's answers the way an osquery agent does: the node key of an enroll, the
 * `node_invalid` flag of any answer, and the options and schedule a config carries. Pure functions
 * over the response text; the agent (agent.ts) applies what they return to its per-host state.
 */

/** The node key of an enroll answer; undefined when the server refused (or sent none). */
export function parseNodeKey(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { node_key?: unknown; node_invalid?: unknown };
    if (body.node_invalid === true) return undefined;
    return typeof body.node_key === 'string' && body.node_key !== '' ? body.node_key : undefined;
  } catch {
    return undefined;
  }
}

/** `node_invalid: true` in an answer's body, whatever its status: the host must re-enroll. */
export function isNodeInvalid(text: string): boolean {
  if (text.indexOf('node_invalid') === -1) return false;
  try {
    return (JSON.parse(text) as { node_invalid?: unknown }).node_invalid === true;
  } catch {
    return false;
  }
}

/** Result-log lines per ms from the config's scheduled queries (one line per run of each). */
export function scheduledRunsPerMs(packs: unknown): number {
  if (typeof packs !== 'object' || packs === null) return 0;
  let perMs = 0;
  for (const pack of Object.values(packs as Record<string, unknown>)) {
    const queries = (pack as { queries?: unknown } | null)?.queries;
    if (typeof queries !== 'object' || queries === null) continue;
    for (const q of Object.values(queries as Record<string, unknown>)) {
      const interval = Number((q as { interval?: unknown } | null)?.interval);
      if (Number.isFinite(interval) && interval > 0) perMs += 1 / (interval * 1000);
    }
  }
  return perMs;
}

/** What a host adopts from a config answer; intervals in ms (osquery's options are seconds). */
export interface AdoptedConfig {
  distributedMs?: number;
  loggerMs?: number;
  configRefreshMs?: number;
  /** Result-log lines per ms from the scheduled queries. */
  resultLinesPerMs: number;
}

/** The intervals and schedule of a config answer; undefined when it is not JSON. */
export function configIntervals(text: string): AdoptedConfig | undefined {
  let config: { options?: Record<string, unknown>; packs?: Record<string, unknown> };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    return undefined;
  }
  const options = config.options ?? {};
  const seconds = (value: unknown): number | undefined => {
    const n = typeof value === 'string' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : undefined;
  };
  const distributedMs = seconds(options.distributed_interval);
  const loggerMs = seconds(options.logger_tls_period);
  const configRefreshMs = seconds(options.config_refresh) ?? seconds(options.config_tls_refresh);
  return {
    ...(distributedMs !== undefined ? { distributedMs } : {}),
    ...(loggerMs !== undefined ? { loggerMs } : {}),
    ...(configRefreshMs !== undefined ? { configRefreshMs } : {}),
    resultLinesPerMs: scheduledRunsPerMs(config.packs),
  };
}
