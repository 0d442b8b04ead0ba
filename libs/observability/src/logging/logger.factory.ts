import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { RequestContext } from '../context/request-context.js';
import { traceLogFields } from '../tracing/trace-context.js';

/** Log levels accepted by {@link createLogger} (pino's, plus `silent`). */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/**
 * Keys whose values never reach a log line, wherever they sit in the logged object (up to
 * {@link REDACT_MAX_DEPTH} levels deep). Header names are lower-case, as Node gives them.
 */
export const REDACTED_KEYS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'password',
  'password_hash',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'secret',
  'client_secret',
];

/**
 * How many levels of nesting the redaction covers. pino's redact paths cannot say "at any
 * depth" (no `**`), so each key is listed once per depth: `password`, `*.password`,
 * `*.*.password`, … Deeper values are not redacted: do not log whole unknown payloads.
 */
export const REDACT_MAX_DEPTH = 5;

/** The censor that replaces a redacted value. */
export const REDACTED = '[REDACTED]';

/** pino redact paths for {@link REDACTED_KEYS} at depth 0 to {@link REDACT_MAX_DEPTH}. */
export function redactPaths(
  keys: readonly string[] = REDACTED_KEYS,
  maxDepth = REDACT_MAX_DEPTH,
): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    // Bracket notation so that keys with dashes (`x-api-key`) are valid paths.
    const leaf = `["${key}"]`;
    for (let depth = 0; depth <= maxDepth; depth++) {
      paths.push(`${Array<string>(depth).fill('*').join('.')}${leaf}`);
    }
  }
  return paths;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, written as `service` on every line. */
  readonly service: string;
  /** pino level; defaults to `LOG_LEVEL` from the environment, else `info`. */
  readonly level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the lines back. */
  readonly destination?: DestinationStream;
}

/**
 * The ids of the current unit of work, as log fields (snake_case, absent ones left out).
 * Used as pino's `mixin`, so every line written inside a {@link RequestContext} carries them,
 * and, when tracing is on, the active span's `trace_id` and `span_id` (the same unit of work
 * in the trace backend).
 */
export function contextLogFields(): Record<string, string> {
  const ctx = RequestContext.current();
  if (!ctx) return traceLogFields();
  const fields: Record<string, string> = {
    correlation_id: ctx.correlationId,
    ...traceLogFields(),
  };
  if (ctx.requestId) fields.request_id = ctx.requestId;
  if (ctx.causationId) fields.causation_id = ctx.causationId;
  if (ctx.userId) fields.user_id = ctx.userId;
  return fields;
}

/**
 * Creates the service's pino logger: one JSON object per line on stdout, ISO timestamps,
 * level as a label (`"level":"info"`), a `service` field, the request-context ids of
 * {@link contextLogFields}, errors under `err` with their stack, and secrets redacted
 * ({@link REDACTED_KEYS}).
 *
 * @throws Error when `level` is not one of {@link LOG_LEVELS}.
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`Unknown log level '${level}'; expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return pino(
    {
      level,
      base: { service: options.service, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: contextLogFields,
      redact: { paths: redactPaths(), censor: REDACTED },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
