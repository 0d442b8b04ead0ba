/** What to do after one POST to an IHF endpoint. */
export type PostOutcome =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  /** Network error, timeout, 429 or 5xx: try again later (`after` ms when the server said). */
  | { readonly kind: 'retry'; readonly status?: number; readonly after?: number }
  /** Any other 4xx: retrying the same request cannot succeed. */
  | { readonly kind: 'fail'; readonly status: number; readonly body: unknown };

export interface PostOptions {
  readonly fetch?: typeof fetch;
  /**
   * Send with `keepalive`, so the request outlives the page. The body must then stay under the
   * browser's 64 KiB budget for in-flight keepalive requests.
   */
  readonly keepalive?: boolean;
  readonly timeoutMs?: number;
}

/** Longest wait honoured from a Retry-After header (a broken proxy must not park events forever). */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isNaN(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/**
 * Exponential back-off with "equal jitter": half of the capped exponential delay, plus a random
 * share of the other half, so that clients that failed together do not retry together.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random) {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * POSTs JSON with the hub API key as a bearer token and classifies the answer. Never rejects.
 *
 * Why not `navigator.sendBeacon` for the page-hide flush: a beacon cannot carry an
 * `Authorization` header, and the reporting contract's auth scheme is bearer (putting the key in
 * the URL would leak it to logs). `fetch(..., { keepalive: true })` survives the page just the
 * same and keeps the header.
 */
export async function postJson(
  url: string,
  apiKey: string,
  body: unknown,
  options: PostOptions = {},
): Promise<PostOutcome> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer =
    abort && !options.keepalive
      ? setTimeout(() => abort.abort(), options.timeoutMs ?? 15_000)
      : undefined;
  try {
    const response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
      keepalive: options.keepalive === true,
      credentials: 'omit',
      ...(abort ? { signal: abort.signal } : {}),
    });
    const status = response.status;
    if (status === 429 || status >= 500) {
      const after = retryAfterMs(response.headers.get('retry-after'));
      return after === undefined ? { kind: 'retry', status } : { kind: 'retry', status, after };
    }
    let parsed: unknown = null;
    try {
      parsed = await response.json();
    } catch {
      // An empty or non-JSON body still tells us what the status says.
    }
    return status >= 200 && status < 300
      ? { kind: 'ok', status, body: parsed }
      : { kind: 'fail', status, body: parsed };
  } catch {
    return { kind: 'retry' };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** `https://x.example/` + `/api/v1/...` without a doubled slash. */
export function joinUrl(endpoint: string, path: string): string {
  return endpoint.replace(/\/+$/, '') + path;
}
