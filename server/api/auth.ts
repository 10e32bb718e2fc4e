/**
 * Bearer-token auth for the REST API. The token is the apiToken option (`--api-token`, else
 * OSQSIM_API_TOKEN, read by the option table), else one generated at plugin start and logged once
 * at warn level. `apiTokenOf(context)` hands it to the server command and tests. Compared in
 * constant time over SHA-256 digests (equal lengths).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerContext } from '../context.js';

const tokens = new WeakMap<ServerContext, string>();

/** Resolves (and on first call, generates) the token of this server. */
export function resolveApiToken(context: ServerContext): string {
  const existing = tokens.get(context);
  if (existing !== undefined) return existing;
  const configured = context.options.apiToken;
  let token: string;
  if (configured !== undefined && configured !== '') {
    token = configured;
  } else {
    token = randomBytes(24).toString('base64url');
    const line = `REST API token generated: ${token} (set one with --api-token or OSQSIM_API_TOKEN)`;
    // Printed once: through the log at warn level, or straight to stderr when the log is quieter.
    if (context.log.isLevelEnabled('warn')) context.log.warn(line);
    else if (context.options.logLevel !== 'silent') process.stderr.write(`${line}\n`);
  }
  tokens.set(context, token);
  return token;
}

/** The token the REST API accepts, once the API plugin has started; undefined before. */
export function apiTokenOf(context: ServerContext): string | undefined {
  return tokens.get(context);
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Builds a checker for `Authorization` headers that compares in constant time. */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    if (header === undefined) return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    return timingSafeEqual(digest(match[1]!), expected);
  };
}
