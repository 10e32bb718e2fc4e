/**
 * The server's certificate and key (`--tls-cert`, `--tls-key`), read and checked once at start so a
 * bad file is a clear error (exit 2) instead of a TLS handshake that fails for every agent later:
 * unreadable, not PEM, expired, not yet valid, or a key that does not belong to the certificate.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { osqsimError } from '../../lib/errors.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** PEM text for node's https/tls options. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw osqsimError('TLS_FILE_UNREADABLE', { file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }, error);
  }
}

/**
 * Checks PEM text: the first certificate of `cert` (the server's; a chain may follow) must be valid at
 * `now` and match `key`. Pure apart from the clock it is given.
 */
export function checkTlsMaterial(material: TlsMaterial, files: TlsFiles, now: Date = new Date()): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(material.cert);
  } catch (error) {
    throw osqsimError('TLS_FILE_INVALID', { file: files.certFile, what: 'a PEM certificate', reason: (error as Error).message }, error);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(material.key);
  } catch (error) {
    throw osqsimError('TLS_FILE_INVALID', { file: files.keyFile, what: 'a PEM private key (unencrypted)', reason: (error as Error).message }, error);
  }
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (now.getTime() > notAfter.getTime()) {
    throw osqsimError('TLS_CERT_EXPIRED', { file: files.certFile, notAfter: notAfter.toISOString() });
  }
  if (now.getTime() < notBefore.getTime()) {
    throw osqsimError('TLS_CERT_NOT_YET_VALID', { file: files.certFile, notBefore: notBefore.toISOString() });
  }
  if (!certificate.checkPrivateKey(key)) {
    throw osqsimError('TLS_KEY_MISMATCH', { certFile: files.certFile, keyFile: files.keyFile });
  }
}

/** Reads and checks the certificate and key files; throws TLS_* catalogue errors (exit 2). */
export function loadTlsFiles(files: TlsFiles, now: Date = new Date()): TlsMaterial {
  const material = { cert: readPem(files.certFile), key: readPem(files.keyFile) };
  checkTlsMaterial(material, files, now);
  return material;
}
