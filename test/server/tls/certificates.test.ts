import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOsqsimError } from '../../../lib/errors.js';
import { buildServer } from '../../../server/app.js';
import { loadTlsFiles } from '../../../server/tls/certificates.js';
import { generateSelfSigned } from '../../../server/tls/self-signed.js';

const DAY = 86_400_000;

function writePair(cert: string, key: string): { certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'osqsim-tls-test-'));
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key);
  return { certFile, keyFile };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isOsqsimError(error) ? error.code : `not a catalogue error: ${String(error)}`;
  }
  return undefined;
}

describe('server certificate checks at start', () => {
  it('accepts a valid certificate and its key', async () => {
    const { cert, key } = await generateSelfSigned(['127.0.0.1']);
    expect(loadTlsFiles(writePair(cert, key)).cert).toBe(cert);
  });

  it('refuses an expired certificate (TLS_CERT_EXPIRED)', async () => {
    const { cert, key } = await generateSelfSigned(['127.0.0.1'], new Date(Date.now() - 10 * DAY), 2);
    expect(codeOf(() => loadTlsFiles(writePair(cert, key)))).toBe('TLS_CERT_EXPIRED');
  });

  it('refuses a certificate that is not valid yet (TLS_CERT_NOT_YET_VALID)', async () => {
    const { cert, key } = await generateSelfSigned(['127.0.0.1'], new Date(Date.now() + 10 * DAY));
    expect(codeOf(() => loadTlsFiles(writePair(cert, key)))).toBe('TLS_CERT_NOT_YET_VALID');
  });

  it('refuses a key that belongs to another certificate (TLS_KEY_MISMATCH)', async () => {
    const one = await generateSelfSigned(['127.0.0.1']);
    const other = await generateSelfSigned(['127.0.0.1']);
    expect(codeOf(() => loadTlsFiles(writePair(one.cert, other.key)))).toBe('TLS_KEY_MISMATCH');
  });

  it('refuses a missing file (TLS_FILE_UNREADABLE) and a file that is not PEM (TLS_FILE_INVALID)', async () => {
    const { cert, key } = await generateSelfSigned(['127.0.0.1']);
    const pair = writePair(cert, key);
    expect(codeOf(() => loadTlsFiles({ ...pair, certFile: join(tmpdir(), 'osqsim-no-such-file.pem') }))).toBe('TLS_FILE_UNREADABLE');
    expect(codeOf(() => loadTlsFiles(writePair('not a certificate', key)))).toBe('TLS_FILE_INVALID');
    expect(codeOf(() => loadTlsFiles(writePair(cert, 'not a key')))).toBe('TLS_FILE_INVALID');
  });

  it('buildServer refuses a bad certificate before listening', async () => {
    const { cert, key } = await generateSelfSigned(['127.0.0.1'], new Date(Date.now() - 10 * DAY), 2);
    const pair = writePair(cert, key);
    await expect(buildServer({ tlsCertFile: pair.certFile, tlsKeyFile: pair.keyFile, logLevel: 'silent' })).rejects.toMatchObject({ code: 'TLS_CERT_EXPIRED' });
  });
});
