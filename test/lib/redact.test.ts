import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from '../../lib/redact.js';

describe('redactUrl', () => {
  it.each([
    ['mysql://root:secret@127.0.0.1:3306/osqsim', 'mysql://root:***@127.0.0.1:3306/osqsim'],
    ['mysql://u:p%40ss@db/x', 'mysql://u:***@db/x'],
    ['mysql://root@127.0.0.1/osqsim', 'mysql://root@127.0.0.1/osqsim'],
    ['memory', 'memory'],
  ])('%s → %s', (spec, shown) => {
    expect(redactUrl(spec)).toBe(shown);
  });
});

describe('redactSecrets', () => {
  it('masks credential fields at any depth and store URL passwords, and keeps the rest', () => {
    const input = {
      name: 'x',
      enroll_secret: 'e-1',
      server: { api_token: 't-1', store: 'mysql://u:pw@db/x', hosts: 3 },
      hosts: [{ node_key: 'k-1', orbit_node_key: 'o-1', device_auth_token: 'd-1', hostname: 'h' }],
      options: { apiToken: 'T', enrollSecret: '', password: 'p' },
    };
    expect(redactSecrets(input)).toEqual({
      name: 'x',
      enroll_secret: '***',
      server: { api_token: '***', store: 'mysql://u:***@db/x', hosts: 3 },
      hosts: [{ node_key: '***', orbit_node_key: '***', device_auth_token: '***', hostname: 'h' }],
      options: { apiToken: '***', enrollSecret: '', password: '***' },
    });
    expect(input.enroll_secret).toBe('e-1');
  });
});
