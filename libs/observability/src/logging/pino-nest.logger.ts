import { Inject, Injectable, type LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { PINO_LOGGER } from '../observability.tokens.js';

/**
 * Nest {@link LoggerService} over the service's pino logger, so that Nest's own lines
 * (bootstrap, route mapping, `new Logger(ctx)` in services) come out as the same JSON.
 *
 * Follows Nest's calling convention: the last string argument is the context (written as
 * `context`); for `error`/`fatal`, a string argument before it that looks like a stack is
 * written as `err.stack`. An `Error` passed as message or argument goes under `err`.
 */
@Injectable()
export class PinoNestLogger implements LoggerService {
  constructor(@Inject(PINO_LOGGER) private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
      fields.context = rest.pop();
    }
    const extra: unknown[] = [];
    for (const param of rest) {
      if (param instanceof Error) fields.err = param;
      else if (typeof param === 'string' && (level === 'error' || level === 'fatal')) {
        fields.err = { stack: param };
      } else if (param !== undefined) extra.push(param);
    }
    if (extra.length > 0) fields.params = extra;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
