// A small HTTP client for driving the services through their public APIs only: every call
// names the status it expects, and any other answer fails with the method, URL, status and
// body (problem+json says which field and why), so a broken hop says where it broke.
export interface CallOptions {
  readonly method?: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Statuses that count as success (default: any 2xx). */
  readonly expect?: readonly number[];
}

export class HttpError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(message: string, status: number, body: string) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function call<T>(url: string, options: CallOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined || typeof options.body === 'string'
        ? {}
        : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  const ok = options.expect ? options.expect.includes(response.status) : response.ok;
  if (!ok) {
    throw new HttpError(
      `${method} ${url}: ${response.status} ${text.slice(0, 1000)}`,
      response.status,
      text,
    );
  }
  return (
    text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
  ) as T;
}

/**
 * Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. A check that
 * throws is retried too (a read model still catching up answers 404 or 422; a service being
 * restarted refuses the connection); the last error is in the time-out's message.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 45_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}` +
          (last instanceof Error ? `; last error: ${last.message}` : ''),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every item of a cursor-paginated list (`items`, `next_cursor`). */
export async function allPages<T>(url: string, token: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | null | undefined;
  do {
    const page = await call<{ items: T[]; next_cursor?: string | null }>(
      next ? `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(next)}` : url,
      { token },
    );
    out.push(...page.items);
    next = page.next_cursor;
  } while (next);
  return out;
}
