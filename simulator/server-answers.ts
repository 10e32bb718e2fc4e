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

/**
 * The options osquery adopts from a served config (plugins/config/parsers/options.cpp,
 * OptionsConfigParserPlugin::update): ordinary FLAGs only. CLI-only flags (`config_refresh` /
 * `config_tls_refresh`, `config_tls_max_attempts`, `config_accelerated_refresh`, `tls_enroll_*`) are
 * ignored with a warning, so they are NOT read here: they come from the scenario's `agent:` section.
 * Durations in ms (osquery's options are seconds); absent or invalid options are left out.
 */
export interface AdoptedOptions {
  distributedMs?: number;
  loggerMs?: number;
  distributedAttempts?: number;
  loggerBackoffMaxMs?: number;
  loggerMaxLines?: number;
  bufferedLogMax?: number;
  denylistMs?: number;
  packDelimiter?: string;
}

/** The CLI-only flags a served config may name but osquery ignores. */
export const CLI_ONLY_FLAGS: readonly string[] = ['config_refresh', 'config_tls_refresh', 'config_tls_max_attempts', 'config_accelerated_refresh', 'config_tls_accelerated_refresh', 'tls_enroll_max_attempts', 'tls_enroll_max_interval'];

export function adoptedOptions(options: Record<string, unknown>): AdoptedOptions {
  const number = (value: unknown): number | undefined => {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  // osquery's flags are whole seconds; fractions are accepted so tests and what-ifs can run fast.
  const seconds = (value: unknown, allowZero = false): number | undefined => {
    const n = number(value);
    return n !== undefined && (allowZero || n > 0) ? Math.round(n * 1000) : undefined;
  };
  const count = (value: unknown, min: number): number | undefined => {
    const n = number(value);
    return n !== undefined && n >= min ? Math.floor(n) : undefined;
  };
  const out: AdoptedOptions = {};
  const set = <K extends keyof AdoptedOptions>(key: K, value: AdoptedOptions[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set('distributedMs', seconds(options.distributed_interval));
  set('loggerMs', seconds(options.logger_tls_period));
  set('distributedAttempts', count(options.distributed_tls_max_attempts, 1));
  set('loggerBackoffMaxMs', seconds(options.logger_tls_backoff_max, true));
  set('loggerMaxLines', count(options.logger_tls_max_lines, 1));
  set('bufferedLogMax', count(options.buffered_log_max, 0));
  set('denylistMs', seconds(options.distributed_denylist_duration, true));
  if (typeof options.pack_delimiter === 'string') out.packDelimiter = options.pack_delimiter;
  return out;
}
