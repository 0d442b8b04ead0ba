import { gzipSync } from 'node:zlib';
import { BodyTooLargeError, InvalidGzipError, UnsupportedEncodingError } from './body.errors.js';
import { decodeBody } from './gzip-guard.js';

describe('decodeBody', () => {
  const json = Buffer.from(JSON.stringify({ events: [{ a: 1 }] }));

  it('passes plain bodies through', () => {
    expect(decodeBody(json, undefined, 1024)).toBe(json);
    expect(decodeBody(json, 'identity', 1024)).toBe(json);
  });

  it('decompresses gzip', () => {
    expect(decodeBody(gzipSync(json), 'gzip', 1024).equals(json)).toBe(true);
    expect(decodeBody(gzipSync(json), ' GZIP ', 1024).equals(json)).toBe(true);
  });

  it('measures the limit after decompression', () => {
    const big = Buffer.alloc(2048, 'a');
    expect(() => decodeBody(gzipSync(big), 'gzip', 1024)).toThrow(BodyTooLargeError);
    expect(() => decodeBody(big, undefined, 1024)).toThrow(BodyTooLargeError);
  });

  it('stops a gzip bomb at the limit', () => {
    // 64 MiB of zeros compress to ~64 KiB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const started = Date.now();
    expect(() => decodeBody(bomb, 'gzip', 1024 * 1024)).toThrow(BodyTooLargeError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses broken gzip and other encodings', () => {
    expect(() => decodeBody(Buffer.from('not gzip'), 'gzip', 1024)).toThrow(InvalidGzipError);
    expect(() => decodeBody(json, 'br', 1024)).toThrow(UnsupportedEncodingError);
  });
});
