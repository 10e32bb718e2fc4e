import { describe, expect, it } from 'vitest';
import { adoptedOptions, CLI_ONLY_FLAGS, isNodeInvalid, parseNodeKey } from '../../simulator/server-answers.js';

describe('reading the server as osquery does', () => {
  it('takes the node key of an enroll answer, and none from a refusal or a broken body', () => {
    expect(parseNodeKey('{"node_key":"abc"}')).toBe('abc');
    expect(parseNodeKey('{"node_key":"abc","node_invalid":true}')).toBeUndefined();
    expect(parseNodeKey('{"node_key":""}')).toBeUndefined();
    expect(parseNodeKey('<html>')).toBeUndefined();
  });

  it('sees node_invalid in any answer body, and nothing else as it', () => {
    expect(isNodeInvalid('{"error":"invalid node key","node_invalid":true}')).toBe(true);
    expect(isNodeInvalid('{"node_invalid":false}')).toBe(false);
    expect(isNodeInvalid('{"queries":{}}')).toBe(false);
    expect(isNodeInvalid('node_invalid but not JSON')).toBe(false);
  });

  it('adopts ordinary flags from config options (seconds, numbers or strings) and ignores CLI-only flags, as options.cpp does', () => {
    const adopted = adoptedOptions({
      distributed_interval: 10,
      logger_tls_period: '30',
      distributed_tls_max_attempts: 5,
      logger_tls_backoff_max: 600,
      logger_tls_max_lines: '512',
      buffered_log_max: 100,
      distributed_denylist_duration: 60,
      pack_delimiter: '/',
      config_refresh: 5,
      config_tls_refresh: 5,
      config_tls_max_attempts: 9,
      config_accelerated_refresh: 1,
      tls_enroll_max_attempts: 1,
      tls_enroll_max_interval: 1,
    });
    expect(adopted).toEqual({ distributedMs: 10_000, loggerMs: 30_000, distributedAttempts: 5, loggerBackoffMaxMs: 600_000, loggerMaxLines: 512, bufferedLogMax: 100, denylistMs: 60_000, packDelimiter: '/' });
    for (const flag of CLI_ONLY_FLAGS) expect(JSON.stringify(adopted)).not.toContain(flag);
    expect(adoptedOptions({ distributed_interval: -1, distributed_tls_max_attempts: 0, logger_tls_period: 'x' })).toEqual({});
  });
});
