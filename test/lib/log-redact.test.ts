import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log.js';

describe('createLogger: credentials in log objects', () => {
  it('writes credential fields as *** at the top and one level down, and keeps the rest', () => {
    const lines: string[] = [];
    const log = createLogger('debug', 'test', { write: (line: string) => void lines.push(line) });
    log.debug({ enroll_secret: 's1', nodeKey: 'k0', request: { node_key: 'k1', orbit_node_key: 'o1', headers: { authorization: 'Bearer t' } }, hostId: 3 }, 'enroll');
    log.warn({ err: { apiToken: 't2', password: 'p' } }, 'failed');
    const text = lines.join('');
    for (const secret of ['s1', 'k0', 'k1', 'o1', 'Bearer t', 't2', '"p"']) expect(text).not.toContain(secret);
    expect(JSON.parse(lines[0]!)).toMatchObject({ enroll_secret: '***', nodeKey: '***', request: { node_key: '***', orbit_node_key: '***', headers: { authorization: '***' } }, hostId: 3, msg: 'enroll' });
  });
});
