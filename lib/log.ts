/**
 * Logging: one pino logger factory so every part logs the same way. The hot paths never log at
 * info level per request (DESIGN §3); they count in metrics instead.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { REDACTED, SECRET_FIELDS } from './redact.js';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Credential fields masked by pino itself, at the top of a log object and one level down (`err`,
 * `request`…): a secret put into a log object by mistake is written as `***`. Messages are not
 * rewritten; code never puts a secret in one (the generated API token's one announcement aside).
 */
const REDACT_PATHS: readonly string[] = [
  ...[...SECRET_FIELDS].flatMap((field) => [field, `*.${field}`]),
  'authorization', 'headers.authorization', '*.headers.authorization',
];

/** A logger writing JSON lines to stdout, or to `destination` (tests). */
export function createLogger(level: LevelWithSilent = 'info', name = 'osqsim', destination?: DestinationStream): Logger {
  const options = { name, level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: [...REDACT_PATHS], censor: REDACTED } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

export function isLogLevel(value: string): value is LevelWithSilent {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
