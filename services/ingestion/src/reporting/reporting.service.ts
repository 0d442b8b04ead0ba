import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { type ApiKeyPrincipal } from '@ihf/auth';
import { MetricsService, sampledTraceparent } from '@ihf/observability';
import { IngestionConfig } from '../config/ingestion.config.js';
import { OverloadedError, RateLimitedError } from '../common/unavailable.error.js';
import { UnsupportedMediaTypeError } from './body.errors.js';
import { type EventResult, type ReportResponse } from './dto/report.dto.js';
import { EventValidator, type RefusedEvent } from './event-validator.js';
import { type EventRow, GroupCommitWriter } from './group-commit.writer.js';
import { BatchTooLargeError, InvalidBatchError } from './reporting.errors.js';
import { TokenBuckets } from './token-bucket.js';

/** Whether a Content-Type is JSON (`application/json`, with or without parameters). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? '');
}

/** The events of a body: `{ events: [...] }`, an array, or one event object. */
export function eventsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    const events = (body as { events?: unknown }).events;
    if (events === undefined) return [body];
    if (Array.isArray(events) && Object.keys(body).length === 1) return events;
  }
  throw new InvalidBatchError(
    'The body must be an event object, an array of events, or { "events": [...] }',
  );
}

function refusedResult(r: RefusedEvent): EventResult {
  return {
    index: r.index,
    id: r.id,
    status: 'rejected',
    reason: r.refusal.reason,
    rule: r.refusal.rule,
    contract_kind: r.refusal.contract_kind,
    contract_version: r.refusal.contract_version,
    field: r.refusal.field,
    message: r.refusal.message,
  };
}

/**
 * The reporting endpoint's rules: shape and size of the batch, the hub's rate limit, the
 * active contract (through {@link EventValidator}), quarantine of refusals, and the group
 * commit that stores accepted events before the answer is given.
 */
@Injectable()
export class ReportingService {
  private readonly buckets: TokenBuckets;
  /** Events of reports between admission and answer. */
  private pendingEvents = 0;
  /** Reports refused (429) by their hub's rate limit; beside `ihf_ingestion_overload_refusals_total`. */
  private readonly rateLimited?: Counter;

  constructor(
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
    @Inject(EventValidator) private readonly validator: EventValidator,
    @Inject(GroupCommitWriter) private readonly writer: GroupCommitWriter,
    @Optional() @Inject(MetricsService) metrics?: MetricsService,
  ) {
    this.buckets = new TokenBuckets(
      config.INGESTION_RATE_LIMIT_EVENTS_PER_SEC,
      config.INGESTION_RATE_LIMIT_BURST,
    );
    this.rateLimited = metrics
      ? new Counter({
          name: 'ihf_ingestion_rate_limit_refusals_total',
          help: "Reports refused with 429 because their hub's rate limit was spent.",
          registers: [metrics.registry],
        })
      : undefined;
  }

  async report(
    key: ApiKeyPrincipal,
    body: unknown,
    contentType: string | undefined,
    abandoned?: AbortSignal,
  ): Promise<ReportResponse> {
    if (!isJsonContentType(contentType)) throw new UnsupportedMediaTypeError();
    const events = eventsOf(body);
    if (events.length === 0) throw new InvalidBatchError('The batch has no events');
    const max = this.config.INGESTION_MAX_BATCH_EVENTS;
    if (events.length > max) throw new BatchTooLargeError(events.length, max);
    const wait = this.buckets.take(key.hubId, events.length);
    if (wait > 0) {
      this.rateLimited?.inc();
      throw new RateLimitedError(wait);
    }
    // Memory and latency stay bounded when Postgres is slower than the clients: events being
    // validated, waiting for a group commit or being written are counted until answered.
    if (this.pendingEvents + events.length > this.config.INGESTION_MAX_PENDING_EVENTS) {
      this.writer.countOverload('pending_events');
      throw new OverloadedError(this.config.INGESTION_OVERLOAD_RETRY_AFTER_SEC, 'pending_events');
    }
    this.pendingEvents += events.length;
    try {
      return await this.store(key.hubId, events, true, abandoned);
    } finally {
      this.pendingEvents -= events.length;
    }
  }

  /**
   * Validates and stores events for `hubId` (new reports and replays alike): accepted ones are
   * written, refused ones quarantined, in one group commit; resolves once committed. Nothing is
   * written if `abandoned` (the client's connection closed) fires before the commit starts.
   */
  async store(
    hubId: string,
    events: readonly unknown[],
    quarantine = true,
    abandoned?: AbortSignal,
  ): Promise<ReportResponse> {
    const { rows, refused } = await this.validator.validate(events, hubId);
    // A sampled request's events carry its trace into the table, so that the relay publishes
    // them inside it (one lookup when tracing is off: there is no active span then).
    const traceparent = sampledTraceparent();

    // An id repeated inside the request: the first occurrence is the event, the rest duplicates.
    const firstIndex = new Map<string, number>();
    const unique: { index: number; row: EventRow }[] = [];
    for (const r of rows) {
      if (!firstIndex.has(r.row.id)) {
        firstIndex.set(r.row.id, r.index);
        unique.push(r);
      }
    }
    // A refused event whose id is already stored was accepted before: a duplicate, not a refusal.
    const stored = await this.validator.storedIds(refused.flatMap((r) => (r.id ? [r.id] : [])));
    const reallyRefused = refused.filter((r) => !(r.id && stored.has(r.id)));
    const outcomes = await this.writer.write(
      unique.map((u) => (traceparent ? { ...u.row, traceparent } : u.row)),
      quarantine ? reallyRefused.map((r) => this.validator.quarantineRow(hubId, r)) : [],
      abandoned,
    );
    this.writer.countRejected(reallyRefused.length);
    const results: EventResult[] = [];
    for (const { index, row } of rows) {
      const first = firstIndex.get(row.id) === index;
      results.push({
        index,
        id: row.id,
        status: first ? (outcomes.get(row.id) ?? 'duplicate') : 'duplicate',
      });
    }
    for (const r of refused) {
      results.push(
        r.id && stored.has(r.id)
          ? { index: r.index, id: r.id, status: 'duplicate' }
          : refusedResult(r),
      );
    }
    results.sort((a, b) => a.index - b.index);
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicate: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      results,
    };
  }
}
