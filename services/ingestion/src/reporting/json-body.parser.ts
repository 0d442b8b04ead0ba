import { type FastifyRequest } from 'fastify';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MalformedJsonError } from './body.errors.js';
import { decodeBody } from './gzip-guard.js';

const PROTO_RE = /"(__proto__|constructor)"\s*:/;

function reviver(key: string, value: unknown): unknown {
  // As Fastify's own parser: refuse prototype poisoning rather than strip it silently.
  if (key === '__proto__') throw new MalformedJsonError('The request body contains "__proto__"');
  if (
    key === 'constructor' &&
    typeof value === 'object' &&
    value !== null &&
    'prototype' in value
  ) {
    throw new MalformedJsonError('The request body contains "constructor.prototype"');
  }
  return value;
}

/** Parses a JSON body (already decoded); throws {@link MalformedJsonError}. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new MalformedJsonError('The request body is empty');
  try {
    return PROTO_RE.test(text) ? JSON.parse(text, reviver) : JSON.parse(text);
  } catch (error) {
    if (error instanceof MalformedJsonError) throw error;
    throw new MalformedJsonError();
  }
}

/**
 * Registers the `application/json` parser (in place of Nest's default) so that bodies may be
 * sent with `Content-Encoding: gzip`, limited after decompression (Fastify's `bodyLimit`
 * bounds the bytes on the wire).
 */
export function installJsonBodyParser(app: NestFastifyApplication, maxBytes: number): void {
  app.useBodyParser('application/json', {}, (request: FastifyRequest, body: Buffer, done) => {
    try {
      const encoding = request.headers['content-encoding'];
      const decoded = decodeBody(
        body,
        Array.isArray(encoding) ? encoding.join(',') : encoding,
        maxBytes,
      );
      done(null, parseJson(decoded.toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
