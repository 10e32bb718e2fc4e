/**
 * `osqsim server`: the Fleet-compatible policy server. Parses flags (and the environment variables
 * of the option table, server/options/schema.ts), builds the server, prints the URL, and on
 * SIGINT/SIGTERM drains in-flight requests, flushes pending writes, closes the store and exits 0.
 * Invalid flags exit 2.
 */
import { Option, type Command } from 'commander';
import { EXIT } from '../lib/exit-codes.js';
import { buildServer } from '../server/app.js';
import { flagWithPlaceholder, optionHelp } from '../server/options/describe.js';
import { serverOptionsFromFlags, type ServerFlags } from '../server/options/resolve.js';
import { OPTION_ROWS } from '../server/options/schema.js';
import type { ServerOptions } from '../server/options/options.js';
import { tlsModeDir } from '../server/options/value-kinds.js';
import { agentEnrollSecret, writeFlagfile } from '../server/tls/agent-files.js';
import { flagfileText, osqueryFlags } from '../server/tls/osquery-flags.js';
import type { SelfSignedFiles } from '../server/tls/self-signed.js';
import { exitTwoOnUsageErrors, reportError } from '../lib/cli-usage.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** What `--tls self-signed` set up: the files, and the agent's enroll secret file. */
interface SelfSignedSetup {
  readonly files: SelfSignedFiles;
  readonly secretFile: string;
  /** What the agent connects to (--tls_hostname). */
  readonly agentHost: string;
}

/** `--tls self-signed[:DIR]` → the same options with --tls-cert/--tls-key pointing at the created (or re-used) files. */
async function withSelfSigned(options: ServerOptions): Promise<{ options: ServerOptions; setup?: SelfSignedSetup }> {
  if (options.tls === undefined) return { options };
  const dir = tlsModeDir(options.tls);
  // Loaded only here: the certificate generator (and its reflect-metadata polyfill) is not every command's start-up cost.
  const { agentHost, certificateNames, ensureSelfSigned } = await import('../server/tls/self-signed.js');
  const files = await ensureSelfSigned({ ...(dir === undefined ? {} : { dir }), names: certificateNames(options.host) });
  const secret = agentEnrollSecret(files.dir, options.enrollSecrets);
  return {
    options: {
      ...options,
      tls: undefined,
      tlsCertFile: files.certFile,
      tlsKeyFile: files.keyFile,
      enrollSecrets: secret.missing ? [...options.enrollSecrets, { secret: secret.secret }] : options.enrollSecrets,
    },
    setup: { files, secretFile: secret.file, agentHost: agentHost(options.host) },
  };
}

/** The lines printed after "listening on": where the files are and the agent's flags (also written as a flagfile). */
export function selfSignedReport(setup: SelfSignedSetup, options: ServerOptions, url: string): string {
  const { files } = setup;
  const flags = osqueryFlags({
    host: setup.agentHost,
    port: Number(new URL(url).port),
    caFile: files.caFile,
    enrollSecretFile: setup.secretFile,
    configRefreshSeconds: options.configRefreshSeconds,
    distributedIntervalSeconds: options.distributedIntervalSeconds,
    loggerTlsPeriodSeconds: options.loggerTlsPeriodSeconds,
  });
  const flagfile = writeFlagfile(files.dir, flagfileText(flags));
  return [
    `TLS: self-signed CA and server certificate ${files.reused ? 're-used from' : 'created in'} ${files.dir}`,
    `  CA (trust this: osqsim simulate --ca, osquery --tls_server_certs): ${files.caFile}`,
    `  certificate: ${files.certFile}  key: ${files.keyFile}  enroll secret: ${setup.secretFile}`,
    `osquery flags for a real agent (osqueryd --flagfile=${flagfile}):`,
    ...flags.map((flag) => `  ${flag}`),
    '',
  ].join('\n');
}

export async function runServer(flags: ServerFlags): Promise<number> {
  let options: ServerOptions;
  let setup: SelfSignedSetup | undefined;
  try {
    ({ options, setup } = await withSelfSigned(serverOptionsFromFlags(flags)));
  } catch (error) {
    return reportError('osqsim server', error);
  }
  let server;
  try {
    server = await buildServer(options);
  } catch (error) {
    return reportError('osqsim server', error);
  }
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    process.stderr.write(`osqsim server: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    await server.close().catch(() => undefined);
    return EXIT.ERROR;
  }
  process.stdout.write(`osqsim server listening on ${url} (store: ${server.context.store.kind})\n`);
  if (setup !== undefined) process.stdout.write(selfSignedReport(setup, options, url));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      server.context.log.info({ signal }, 'shutting down: draining requests, flushing writes');
      server.close().then(
        () => resolve(EXIT.OK),
        (error: unknown) => {
          process.stderr.write(`osqsim server: shutdown failed: ${(error as Error).message}\n`);
          resolve(EXIT.ERROR);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  const command = exitTwoOnUsageErrors(program.command('server')).description('Run the Fleet-compatible osquery policy server');
  // One option per row of the table; no commander defaults, so a flag that was not given leaves
  // room for its environment variable and the table's default (server/options/resolve.ts).
  for (const row of OPTION_ROWS) {
    const option = new Option(flagWithPlaceholder(row), optionHelp(row));
    command.addOption(row.kind.repeatable === true ? option.argParser(collect) : option);
  }
  command.action(async (flags: ServerFlags) => {
    const code = await runServer(flags);
    process.exitCode = code;
    // Everything is closed; if a stray handle still holds the loop, do not hang the shell.
    setTimeout(() => process.exit(code), 2_000).unref();
  });
}
