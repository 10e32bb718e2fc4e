import { describe, expect, it } from 'vitest';
import { configIntervals, isNodeInvalid, parseNodeKey, scheduledRunsPerMs } from '../../simulator/server-answers.js';

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

  it('adopts intervals (seconds, numbers or strings) and counts scheduled runs from a config', () => {
    const config = JSON.stringify({
      options: { distributed_interval: 10, logger_tls_period: '30', config_tls_refresh: 60 },
      packs: { Global: { queries: { a: { interval: 3600 }, b: { interval: '60' }, c: { interval: 0 } } } },
    });
    expect(configIntervals(config)).toEqual({ distributedMs: 10_000, loggerMs: 30_000, configRefreshMs: 60_000, resultLinesPerMs: 1 / 3_600_000 + 1 / 60_000 });
    expect(configIntervals('{"options":{"distributed_interval":-1}}')).toEqual({ resultLinesPerMs: 0 });
    expect(configIntervals('not json')).toBeUndefined();
    expect(scheduledRunsPerMs(null)).toBe(0);
  });
});
