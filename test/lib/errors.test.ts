import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, formatMessage, isOsqsimError, OsqsimError, osqsimError } from '../../lib/errors.js';

const docsPath = new URL('../../docs/errors.md', import.meta.url);

function documentedCodes(): Map<string, { status: number; exit: string }> {
  const codes = new Map<string, { status: number; exit: string }>();
  for (const line of readFileSync(docsPath, 'utf8').split('\n')) {
    const match = /^\|\s*([A-Z][A-Z0-9_]+)\s*\|\s*(\d+)\s*\|\s*(\w+)\s*\|/.exec(line);
    if (match) codes.set(match[1]!, { status: Number(match[2]), exit: match[3]! });
  }
  return codes;
}

describe('error catalogue', () => {
  it('docs/errors.md lists exactly the codes of lib/errors.ts', () => {
    const documented = documentedCodes();
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it('docs/errors.md shows the status and the exit class of each code', () => {
    for (const [code, documented] of documentedCodes()) {
      const definition = ERRORS[code as keyof typeof ERRORS];
      expect(documented, code).toEqual({ status: definition.status, exit: definition.exit });
    }
  });

  it('every entry has a message and a hint, a valid status and an exit class', () => {
    for (const [code, definition] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(definition.message.length, code).toBeGreaterThan(0);
      expect(definition.hint.length, code).toBeGreaterThan(0);
      expect(definition.status === 0 || (definition.status >= 400 && definition.status < 600), code).toBe(true);
      expect(['input', 'error'], code).toContain(definition.exit);
    }
  });

  it('a request the server refuses as the client\'s fault (4xx) is invalid input; a server failure (5xx) is an error', () => {
    for (const [code, definition] of Object.entries(ERRORS)) {
      if (definition.status >= 400) expect(definition.exit, code).toBe(definition.status < 500 ? 'input' : 'error');
    }
  });

  it('fills message templates and keeps unknown placeholders', () => {
    expect(formatMessage('a {x} b {y}', { x: 1 })).toBe('a 1 b {y}');
    const error = osqsimError('OSQ_NODE_INVALID', { reason: 'invalid node key' });
    expect(error).toBeInstanceOf(OsqsimError);
    expect(error.message).toBe('authentication error: invalid node key');
    expect(error.status).toBe(401);
    expect(error.code).toBe('OSQ_NODE_INVALID');
  });

  it('recognises errors by code, also after a structured clone', () => {
    const error = osqsimError('STORE_UNAVAILABLE', { reason: 'down' }, new Error('cause'));
    const cloned = structuredClone({ code: error.code, message: error.message });
    expect(isOsqsimError(cloned)).toBe(true);
    expect(isOsqsimError(cloned, 'STORE_UNAVAILABLE')).toBe(true);
    expect(isOsqsimError(cloned, 'STORE_CONFLICT')).toBe(false);
    expect(isOsqsimError({ code: 'NOT_A_CODE' })).toBe(false);
    expect(isOsqsimError(new Error('plain'))).toBe(false);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
