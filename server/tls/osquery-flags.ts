/**
 * The osquery flags a real agent needs to enroll in this server over TLS, as a flagfile.
 *
 * Sources: osquery's "Remotely interfacing osquery" (docs/wiki/deployment/remote.md,
 * https://osquery.readthedocs.io/en/latest/deployment/remote/): --tls_hostname (host[:port], no
 * scheme), --tls_server_certs (the PEM CA bundle that verifies the server), --enroll_secret_path,
 * --enroll_tls_endpoint and the tls config, logger and distributed plugins with their endpoints; and
 * Fleet's docs/Contributing/Enroll-hosts-with-plain-osquery.md, whose flagfile this follows
 * (--host_identifier=uuid, the /api/osquery/… endpoints, --disable_distributed=false,
 * --distributed_tls_max_attempts=3). Pure.
 */
import { isIP } from 'node:net';

export interface OsqueryFlagsInput {
  /** Host name or address the agent connects to (covered by the server certificate). */
  readonly host: string;
  readonly port: number;
  /** PEM CA bundle the agent verifies the server with. */
  readonly caFile: string;
  readonly enrollSecretFile: string;
  readonly configRefreshSeconds: number;
  readonly distributedIntervalSeconds: number;
  readonly loggerTlsPeriodSeconds: number;
}

/** `--name=value` lines for osqueryd, one flag each, in the order of Fleet's example flagfile. */
export function osqueryFlags(input: OsqueryFlagsInput): string[] {
  const host = isIP(input.host) === 6 ? `[${input.host}]` : input.host;
  return [
    `--tls_hostname=${host}:${input.port}`,
    `--tls_server_certs=${input.caFile}`,
    `--enroll_secret_path=${input.enrollSecretFile}`,
    '--host_identifier=uuid',
    '--enroll_tls_endpoint=/api/osquery/enroll',
    '--config_plugin=tls',
    '--config_tls_endpoint=/api/osquery/config',
    `--config_refresh=${input.configRefreshSeconds}`,
    '--disable_distributed=false',
    '--distributed_plugin=tls',
    `--distributed_interval=${input.distributedIntervalSeconds}`,
    '--distributed_tls_max_attempts=3',
    '--distributed_tls_read_endpoint=/api/osquery/distributed/read',
    '--distributed_tls_write_endpoint=/api/osquery/distributed/write',
    '--logger_plugin=tls',
    '--logger_tls_endpoint=/api/osquery/log',
    `--logger_tls_period=${input.loggerTlsPeriodSeconds}`,
  ];
}

/** The flagfile's text: a comment naming how to use it, then one flag per line. */
export function flagfileText(flags: readonly string[]): string {
  return `# osqueryd --flagfile=<this file>   (written by osqsim server --tls self-signed)\n${flags.join('\n')}\n`;
}
