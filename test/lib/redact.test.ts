import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../lib/redact.js';

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
