/**
 * `--tls self-signed[:DIR]`: a private CA and a server certificate it signs, for local runs and for
 * real osquery agents (which only speak TLS and pin the CA with --tls_server_certs). Generated in
 * process with @peculiar/x509 on node's WebCrypto (no openssl binary). Files already in DIR are
 * re-used, so a restarted server keeps the CA its agents trust.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname as machineHostname, tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { CA_FILE, CERT_FILE, KEY_FILE } from './agent-files.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);


export interface SelfSignedFiles {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The files were already there (a restart with the same DIR). */
  readonly reused: boolean;
}

/** ECDSA P-256: fast to generate, and in osquery's default TLS cipher list (ECDHE-ECDSA-AES*-GCM). */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(['0.0.0.0', '::', '']);

/**
 * The names the server certificate covers: 127.0.0.1, localhost and the listen host; a wildcard
 * listen address (0.0.0.0, ::) adds the machine's hostname instead. Pure but for os.hostname().
 */
export function certificateNames(listenHost: string): string[] {
  const names = ['127.0.0.1', 'localhost'];
  const extra = agentHost(listenHost);
  if (!names.includes(extra)) names.push(extra);
  return names;
}

/** The name an agent connects to (--tls_hostname): the listen host, or the machine's hostname for a wildcard address. */
export function agentHost(listenHost: string): string {
  return WILDCARD_ADDRESSES.has(listenHost) ? machineHostname() : listenHost;
}

function altName(name: string): x509.JsonGeneralName {
  return isIP(name) === 0 ? { type: 'dns', value: name } : { type: 'ip', value: name };
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function serial(): string {
  // Positive (top bit clear) and unique per certificate.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** PEM text of a new CA certificate, a server certificate it signs for `names`, and the server's key. */
export async function generateSelfSigned(names: readonly string[], now: Date = new Date(), validDays = 365): Promise<{ ca: string; cert: string; key: string }> {
  const notBefore = new Date(now.getTime() - 3_600_000); // an hour of clock skew between machines
  const notAfter = new Date(now.getTime() + validDays * DAY_MS);
  const caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=osqsim self-signed CA, O=osqsim',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names[0] ?? 'localhost'}, O=osqsim`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: serverKeys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map(altName)),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
    ],
  });
  return { ca: ca.toString('pem'), cert: server.toString('pem'), key: await privateKeyPem(serverKeys.privateKey) };
}

/**
 * The CA, server certificate and key in `dir` (created if needed; default a fresh folder under the OS
 * temp dir). Existing files are re-used as they are (the server checks them at start like any other).
 */
export async function ensureSelfSigned(options: { dir?: string; names: readonly string[]; now?: Date }): Promise<SelfSignedFiles> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'osqsim-tls-'));
  mkdirSync(dir, { recursive: true });
  const files = { dir, caFile: join(dir, CA_FILE), certFile: join(dir, CERT_FILE), keyFile: join(dir, KEY_FILE) };
  if ([files.caFile, files.certFile, files.keyFile].every((file) => existsSync(file))) return { ...files, reused: true };
  const generated = await generateSelfSigned(options.names, options.now);
  writeFileSync(files.caFile, generated.ca);
  writeFileSync(files.certFile, generated.cert);
  writeFileSync(files.keyFile, generated.key, { mode: 0o600 });
  return { ...files, reused: false };
}
