import { gunzipSync } from 'node:zlib';
import { BodyTooLargeError, InvalidGzipError, UnsupportedEncodingError } from './body.errors.js';

/**
 * The body as sent, decoded per `Content-Encoding` (none/identity or gzip), never larger than
 * `maxBytes` once decompressed. zlib stops as soon as the output passes the limit, so a gzip
 * bomb costs at most `maxBytes` of memory and the time to produce them.
 *
 * @throws UnsupportedEncodingError (415), InvalidGzipError (400), BodyTooLargeError (413)
 */
export function decodeBody(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const coding = (encoding ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') {
    if (raw.length > maxBytes) throw new BodyTooLargeError(maxBytes);
    return raw;
  }
  if (coding !== 'gzip' && coding !== 'x-gzip') throw new UnsupportedEncodingError(coding);
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if (
      (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ||
      error instanceof RangeError
    ) {
      throw new BodyTooLargeError(maxBytes);
    }
    throw new InvalidGzipError();
  }
}
