import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { type LookupFunction } from 'node:net';
import { type Destination } from './destination-guard.js';

/** What one attempt saw: the status (none when no answer came) and how long it took. */
export interface AttemptResult {
  readonly statusCode: number | null;
  readonly responseMs: number;
  readonly error: string | null;
}

/** A lookup that answers only the addresses the guard checked (no second DNS resolution). */
function pinnedLookup(addresses: readonly Destination[]): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, a: Destination[]) => void)(null, [...addresses]);
    } else {
      callback(null, addresses[0].address, addresses[0].family);
    }
  };
}

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failed attempt), the whole
 * attempt (connect, send, answer) is bounded by `timeoutMs`, and at most 4 KiB of the answer is
 * read (its body is not kept).
 */
export function postDelivery(
  url: URL,
  addresses: readonly Destination[],
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'IHF-Webhooks/1',
      },
      lookup: pinnedLookup(addresses),
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
    });
    req.on('response', (res: IncomingMessage) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > 4096) res.destroy();
      });
      const done = () =>
        resolve({ statusCode: res.statusCode ?? null, responseMs: elapsed(), error: null });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.on('error', (err: Error) =>
      resolve({
        statusCode: null,
        responseMs: elapsed(),
        error: err.name === 'AbortError' ? `timed out after ${timeoutMs} ms` : err.message,
      }),
    );
    req.end(body);
  });
}
