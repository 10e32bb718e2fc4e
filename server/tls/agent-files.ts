/**
 * The files of `--tls self-signed:DIR` by name, and the two a real osquery agent needs besides the
 * CA, written beside it: the enroll secret (osquery reads it from --enroll_secret_path) and the
 * flagfile. Light on purpose: the run harness imports the names without the certificate generator.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnrollSecretOption } from '../options/options.js';

export const CA_FILE = 'ca.pem';
export const CERT_FILE = 'server.pem';
export const KEY_FILE = 'server-key.pem';
export const ENROLL_SECRET_FILE = 'enroll_secret';
export const FLAGFILE = 'osquery.flags';

export interface AgentEnrollSecret {
  readonly secret: string;
  readonly file: string;
  /** The secret is not among the server's --enroll-secret values yet: the caller adds it. */
  readonly missing: boolean;
}

/**
 * The secret the agent enrolls with: the first global --enroll-secret, else the one already in
 * DIR/enroll_secret (a restart), else a new random one. Written to DIR/enroll_secret (mode 600).
 */
export function agentEnrollSecret(dir: string, secrets: readonly EnrollSecretOption[]): AgentEnrollSecret {
  const file = join(dir, ENROLL_SECRET_FILE);
  const given = secrets.find((each) => each.team === undefined)?.secret;
  const kept = given === undefined && existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const secret = given ?? (kept !== '' ? kept : randomBytes(18).toString('base64url'));
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, file, missing: given === undefined };
}

/** Writes DIR/osquery.flags and returns its path. */
export function writeFlagfile(dir: string, text: string): string {
  const file = join(dir, FLAGFILE);
  writeFileSync(file, text);
  return file;
}
