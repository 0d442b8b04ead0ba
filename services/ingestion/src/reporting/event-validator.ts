import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { ActiveContracts, type ActiveReportingContract } from '../contracts/active-contracts.js';
import { type Refusal } from '../contracts/rule-evaluator.js';
import { IngestionConfig } from '../config/ingestion.config.js';
import { isConnectionError, StorageUnavailableError } from '../common/unavailable.error.js';
import { type EventRow, type QuarantineRow } from './group-commit.writer.js';
import { type WidgetFacts, WidgetFactsCache } from './widget-facts.cache.js';

export type { WidgetFacts } from './widget-facts.cache.js';

/** The fields an interaction event may carry (anything else is refused). */
const EVENT_FIELDS = new Set([
  'id',
  'widget_id',
  'hub_id',
  'event_type',
  'occurred_at',
  'actor_id',
  'actor_type',
  'view_context_ref',
  'metadata',
  'widget_version',
]);

const UUID_FIELDS = ['id', 'hub_id', 'widget_id', 'actor_id'] as const;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Postgres stores neither NUL characters nor unpaired surrogates (JSON.stringify escapes
// only those); one such event must not sink the group it is written with.
const UNSTORABLE_RE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

/** A refused event: its position, what was sent, and why. */
export interface RefusedEvent {
  readonly index: number;
  readonly id: string | null;
  readonly raw: unknown;
  readonly refusal: Refusal;
}

/** The outcome of validating a batch. */
export interface ValidatedBatch {
  readonly rows: { readonly index: number; readonly row: EventRow }[];
  readonly refused: RefusedEvent[];
}

function protocolRefusal(
  reason: string,
  field: string,
  message: string,
  contract: ActiveReportingContract,
): Refusal {
  return {
    reason,
    rule: `protocol:${reason}`,
    contract_kind: 'reporting_contract',
    contract_version: contract.version,
    field,
    message,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Validates reported events against the active reporting contract (its compiled rules) with
 * the facts they refer to (the key's hub, the widgets), for new reports and quarantine replays
 * alike, and shapes the accepted ones into rows.
 */
@Injectable()
export class EventValidator {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(ActiveContracts) private readonly contracts: ActiveContracts,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
    @Inject(WidgetFactsCache) private readonly widgetCache: WidgetFactsCache,
  ) {}

  async validate(
    events: readonly unknown[],
    keyHubId: string,
    now = Date.now(),
  ): Promise<ValidatedBatch> {
    const contract = await this.contracts.reporting();
    const widgets = await this.widgets(events);
    const rows: ValidatedBatch['rows'] = [];
    const refused: RefusedEvent[] = [];
    const key = { hub_id: keyHubId };
    const contractFacts = {
      accepted_event_types: contract.acceptedEventTypes,
      version: contract.version,
    };
    events.forEach((raw, index) => {
      const id =
        isRecord(raw) && typeof raw.id === 'string' && UUID_RE.test(raw.id)
          ? raw.id.toLowerCase()
          : null;
      const refuse = (refusal: Refusal) => refused.push({ index, id, raw, refusal });
      if (!isRecord(raw)) {
        return refuse(
          protocolRefusal('invalid_event', '', 'An event must be a JSON object', contract),
        );
      }
      if (id === null) {
        return refuse(
          protocolRefusal('invalid_id', 'id', 'id must be a UUID chosen by the client', contract),
        );
      }
      const unknown = Object.keys(raw).find((k) => !EVENT_FIELDS.has(k));
      if (unknown !== undefined) {
        return refuse(
          protocolRefusal('unknown_field', unknown, `${unknown} is not an event field`, contract),
        );
      }
      // Text Postgres cannot store (NUL, unpaired surrogates) never gets here: every route's
      // body is refused for it before the handler (`registerStorableTextCheck`, a 400 naming
      // the field), and replays come from jsonb, which cannot hold it. Checking again here
      // serialised every event once more (the benchmark's profile: a twentieth of the CPU).
      // UUIDs compare case-insensitively: the rules see them in lower case.
      const event: Record<string, unknown> = { ...raw };
      for (const field of UUID_FIELDS) {
        const value = event[field];
        if (typeof value === 'string') event[field] = value.toLowerCase();
      }
      const widgetId = typeof event.widget_id === 'string' ? event.widget_id : undefined;
      const widget = widgetId === undefined ? undefined : widgets.get(widgetId);
      const refusal = contract.evaluate(
        { event, key, widget: widget ?? null, contract: contractFacts },
        now,
      );
      if (refusal) return refuse(refusal);
      const occurred = new Date(Date.parse(raw.occurred_at as string));
      const year = occurred.getUTCFullYear();
      // Invariants that hold whatever the active contract says: a key writes to its own hub only.
      if (!widget) {
        return refuse(protocolRefusal('unknown_widget', 'widget_id', 'No such widget', contract));
      }
      if (widget.hub_id !== keyHubId) {
        return refuse(
          protocolRefusal(
            'widget_not_in_hub',
            'widget_id',
            "The widget is not in the key's hub",
            contract,
          ),
        );
      }
      if (Number.isNaN(occurred.getTime()) || year < 1970 || year > 9999) {
        return refuse(
          protocolRefusal(
            'invalid_field',
            'occurred_at',
            'occurred_at is not a usable time',
            contract,
          ),
        );
      }
      const claimed = raw.widget_version;
      // The client's version when given and known, else the widget's current one.
      const version =
        typeof claimed === 'number' &&
        Number.isInteger(claimed) &&
        claimed >= 1 &&
        claimed <= widget.version
          ? claimed
          : widget.version;
      rows.push({
        index,
        row: {
          id,
          hub_id: widget.hub_id,
          widget_id: widget.id,
          widget_version: version,
          event_type: raw.event_type as string,
          actor_id: optionalString(raw.actor_id)?.toLowerCase() ?? null,
          actor_type: optionalString(raw.actor_type) ?? 'user',
          view_context_ref: optionalString(raw.view_context_ref),
          metadata: isRecord(raw.metadata) ? raw.metadata : {},
          occurred_at: occurred.toISOString(),
        },
      });
    });
    return { rows, refused };
  }

  /** A quarantine row for a refusal, with the raw event size-capped. */
  quarantineRow(
    hubId: string,
    refusedEvent: RefusedEvent,
    kind: QuarantineRow['kind'] = 'interaction_event',
  ): QuarantineRow {
    const { raw, refusal, id } = refusedEvent;
    const text = JSON.stringify(raw) ?? 'null';
    const bytes = Buffer.byteLength(text, 'utf8');
    const keep =
      bytes <= this.config.INGESTION_QUARANTINE_RAW_MAX_BYTES && !UNSTORABLE_RE.test(text);
    const widgetId =
      isRecord(raw) && typeof raw.widget_id === 'string' && UUID_RE.test(raw.widget_id)
        ? raw.widget_id
        : null;
    return {
      hub_id: hubId,
      kind,
      event_id: id,
      dedupe_key: id ?? createHash('sha256').update(text, 'utf8').digest('hex'),
      widget_id: widgetId,
      raw: keep ? raw : { truncated: true, bytes },
      raw_truncated: !keep,
      reason_code: refusal.reason,
      rule_id: refusal.rule,
      contract_kind: refusal.contract_kind,
      contract_version: refusal.contract_version,
      detail: refusal.message.slice(0, 500),
    };
  }

  /** Ids among `ids` already stored (a retried event refused now is still a duplicate). */
  async storedIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.query<{ id: string }>(
      'select id from ingestion.interaction_events where id = any(?::uuid[])',
      [`{${ids.join(',')}}`],
    );
    return new Set(rows.map((r) => r.id));
  }

  private async widgets(events: readonly unknown[]): Promise<Map<string, WidgetFacts>> {
    const ids = new Set<string>();
    for (const e of events) {
      if (isRecord(e) && typeof e.widget_id === 'string' && UUID_RE.test(e.widget_id)) {
        ids.add(e.widget_id.toLowerCase());
      }
    }
    if (ids.size === 0) return new Map();
    return this.widgetCache.get(ids, (missing) =>
      this.query<WidgetFacts>(
        'select id, hub_id, status, version from ingestion.widgets where id = any(?::uuid[])',
        [`{${missing.join(',')}}`],
      ),
    );
  }

  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    try {
      return await this.em.getConnection().execute<T[]>(sql, params);
    } catch (error) {
      if (isConnectionError(error))
        throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, error);
      throw error;
    }
  }
}
