import { type FastifyRequest } from 'fastify';
import { checkJsonBodyText, type JsonBodyParser } from '@ihf/platform';
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
 * The `application/json` parser (in place of the platform's) so that bodies may be sent with
 * `Content-Encoding: gzip`, limited after decompression (Fastify's `bodyLimit` bounds the bytes
 * on the wire) and depth-bounded after decompression too.
 */
export function jsonBodyParser(maxBytes: number): JsonBodyParser {
  return (request: FastifyRequest, body: Buffer) => {
    const encoding = request.headers['content-encoding'];
    const decoded = decodeBody(
      body,
      Array.isArray(encoding) ? encoding.join(',') : encoding,
      maxBytes,
    );
    checkJsonBodyText(request, decoded);
    return parseJson(decoded.toString('utf8'));
  };
}
