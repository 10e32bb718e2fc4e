/**
 * `osqsim server`: the Fleet-compatible policy server. Parses flags, builds the server, prints the
 * URL, and on SIGINT/SIGTERM drains in-flight requests, flushes pending writes, closes the store
 * and exits 0. Invalid flags exit 2.
 */
import type { Command } from 'commander';
import { EXIT } from '../lib/exit-codes.js';
import { buildServer } from '../server/app.js';
import { serverOptionsFromFlags, type ServerFlags } from '../server/options/resolve.js';
import { exitTwoOnUsageErrors, reportError } from '../lib/cli-usage.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export async function runServer(flags: ServerFlags): Promise<number> {
  let options;
  try {
    options = serverOptionsFromFlags(flags);
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
  exitTwoOnUsageErrors(program.command('server'))
    .description('Run the Fleet-compatible osquery policy server')
    .option('--store <spec>', 'memory, or mysql://user:pass@host:port/db', 'memory')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8080')
    .option('--enroll-secret <SECRET[:TEAM]>', 'enroll secret, optionally for a team (created on demand); repeatable', collect)
    .option('--policies <file.yml>', 'fleetctl policy YAML applied at start (upsert by team + name)')
    .option('--policy-update-interval <duration>', 'how often a host re-runs its policies', '1h')
    .option('--detail-update-interval <duration>', 'how often a host re-sends its details', '1h')
    .option('--max-jitter-percent <pct>', 'per-host jitter of the update intervals', '10')
    .option('--distributed-interval <seconds>', 'agent option distributed_interval', '10')
    .option('--logger-tls-period <seconds>', 'agent option logger_tls_period', '10')
    .option('--config-refresh <seconds>', 'agent option config_refresh', '60')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .option('--write-body-limit <size>', 'distributed/write body limit', '5MiB')
    .option('--log-body-limit <size>', '/log body limit', '10MiB')
    .option('--body-limit <size>', 'body limit of every other route', '1MiB')
    .option('--host-cache-ttl <duration>', 'hot-path cache age when the host change feed is not live (it polls the store every 1s, so changes made elsewhere show within ≈ 1s; entries then live up to 10m); 0 = no cache', '2s')
    .option('--seen-flush-interval <duration>', 'how often last-seen times are written', '5s')
    .option('--ingest-max-batch <hosts>', 'group commit: hosts per batch', '500')
    .option('--ingest-max-delay <duration>', 'group commit: longest wait for a batch to fill', '5ms')
    .option('--stats-strategy <name>', 'policy count strategy: cron, realtime or incremental', 'cron')
    .option('--stats-interval <duration>', 'count strategy period (cron run, incremental reconcile)', '1h')
    .option('--api-token <token>', 'REST API bearer token (env OSQSIM_API_TOKEN; generated when absent)')
    .action(async (flags: ServerFlags) => {
      const apiToken = flags.apiToken ?? process.env.OSQSIM_API_TOKEN;
      const code = await runServer({ ...flags, ...(apiToken ? { apiToken } : {}) });
      process.exitCode = code;
      // Everything is closed; if a stray handle still holds the loop, do not hang the shell.
      setTimeout(() => process.exit(code), 2_000).unref();
    });
}
