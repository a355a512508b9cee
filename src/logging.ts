/** The process logger: JSON lines on stderr, with secrets redacted. */
import pino, { type Logger } from 'pino';

/**
 * Field paths that may carry secrets or a hit's values, which pino replaces before a line is
 * written. mysql2 sets `err.sql` to the failed statement with its values inlined.
 */
const REDACTED_PATHS = [
  'password', '*.password', 'token', '*.token', 'token_auth', '*.token_auth', 'tokenAuth', '*.tokenAuth',
  'salt', '*.salt', 'req.headers.authorization', 'req.headers.cookie', 'headers.cookie', 'headers.authorization',
  'err.sql',
];

/** Creates the logger; `destination` defaults to stderr so that stdout stays free for `--json` output. */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, base: undefined, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

/** A logger that writes nothing, for tests and library use. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
