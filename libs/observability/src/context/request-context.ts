import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What travels with one unit of work (an HTTP request, a consumed event, a relay batch):
 * the ids a log line needs so that one user action can be followed across services.
 */
export interface RequestContextData {
  /** Id of the whole causal chain; carried in HTTP (`x-correlation-id`) and NATS headers. */
  readonly correlationId: string;
  /** Id of this unit of work (HTTP request id or consumed event id). */
  readonly requestId?: string;
  /** Id of the event that caused this unit of work, when it is an event handler. */
  readonly causationId?: string;
  /** Authenticated principal, once known. */
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

/** Access to the current unit of work's ids, through AsyncLocalStorage. */
export const RequestContext = {
  /** Runs `fn` with `data` as the current context (nested calls see it through awaits). */
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },
  /** The current context, if any. */
  current(): RequestContextData | undefined {
    return storage.getStore();
  },
  /** The current correlation id, or a new one when called outside any context. */
  correlationId(): string {
    return storage.getStore()?.correlationId ?? randomUUID();
  },
};

/** Header names shared by HTTP and NATS (NATS header names are case-insensitive on read). */
export const CORRELATION_HEADER = 'x-correlation-id';
export const REQUEST_ID_HEADER = 'x-request-id';
