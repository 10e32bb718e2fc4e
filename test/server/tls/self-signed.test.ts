import { X509Certificate } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../../server/app.js';
import { agentHost, certificateNames, ensureSelfSigned } from '../../../server/tls/self-signed.js';

/** A TLS handshake trusting only `ca` (no system roots); resolves with the verification error, if any. */
function handshake(port: number, ca: string, servername?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, ...(servername === undefined ? {} : { servername }) }, () => {
      socket.end();
      resolve(socket.authorized ? undefined : String(socket.authorizationError));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('--tls self-signed certificates', () => {
  it('covers 127.0.0.1, localhost and the listen host (the machine name for a wildcard)', () => {
    expect(certificateNames('127.0.0.1')).toEqual(['127.0.0.1', 'localhost']);
    expect(certificateNames('fleet.example.test')).toEqual(['127.0.0.1', 'localhost', 'fleet.example.test']);
    expect(certificateNames('0.0.0.0')).toEqual(['127.0.0.1', 'localhost', hostname()]);
    // The agent's --tls_hostname: never a wildcard address it cannot connect to.
    expect([agentHost('127.0.0.1'), agentHost('0.0.0.0'), agentHost('::')]).toEqual(['127.0.0.1', hostname(), hostname()]);
  });

  it('makes a chain a client trusting only ca.pem accepts, for 127.0.0.1 and localhost', async () => {
    const files = await ensureSelfSigned({ dir: mkdtempSync(join(tmpdir(), 'osqsim-ss-')), names: certificateNames('127.0.0.1') });
    const ca = readFileSync(files.caFile, 'utf8');
    const server = await buildServer({ port: 0, tlsCertFile: files.certFile, tlsKeyFile: files.keyFile, logLevel: 'silent' });
    try {
      const url = await server.listen();
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(url).port);
      // node checks the name against the certificate's SAN: the IP for an address, the DNS name otherwise.
      expect(await handshake(port, ca)).toBeUndefined();
      expect(await handshake(port, ca, 'localhost')).toBeUndefined();
      expect(await handshake(port, ca, 'elsewhere.example.test')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      const other = await ensureSelfSigned({ dir: mkdtempSync(join(tmpdir(), 'osqsim-ss-')), names: ['127.0.0.1'] });
      expect(await handshake(port, readFileSync(other.caFile, 'utf8'))).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
    } finally {
      await server.close();
    }
  });

  it('re-uses the files already in DIR (a restarted server keeps the CA its agents trust)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-ss-'));
    const first = await ensureSelfSigned({ dir, names: ['127.0.0.1'] });
    const ca = readFileSync(first.caFile, 'utf8');
    const second = await ensureSelfSigned({ dir, names: ['127.0.0.1'] });
    expect([first.reused, second.reused]).toEqual([false, true]);
    expect(readFileSync(second.caFile, 'utf8')).toBe(ca);
    expect(new X509Certificate(readFileSync(second.certFile)).checkIssued(new X509Certificate(ca))).toBe(true);
  });
});
