import { cursorTimeSql, decodeCursor, type Page, toPage } from '@ihf/platform';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { type AuthenticatedUser, assertHubAccess } from '@ihf/auth';
import { AnnotationsService } from '../annotations/annotations.service.js';
import { IngestionConfig } from '../config/ingestion.config.js';
import { HubsService } from '../hubs/hubs.service.js';
import { ReportingService } from '../reporting/reporting.service.js';
import {
  type ListQuarantineQueryDto,
  type QuarantineCountView,
  type QuarantineEntryView,
  type ReplayQuarantineDto,
  type ReplayResponse,
  type ReplayResultView,
} from './dto/quarantine.dto.js';

interface QuarantineRecord {
  id: string;
  hub_id: string;
  kind: string;
  event_id: string | null;
  widget_id: string | null;
  raw: unknown;
  raw_truncated: boolean;
  reason_code: string;
  rule_id: string;
  contract_kind: string | null;
  contract_version: string | null;
  detail: string | null;
  received_at: Date | string;
  replay_count: number;
}

const COLUMNS = `id, hub_id, kind, event_id, widget_id, raw, raw_truncated, reason_code, rule_id,
  contract_kind, contract_version, detail, received_at, replay_count`;

const PRUNE_EVERY_MS = 60 * 60 * 1000;

function toView(r: QuarantineRecord): QuarantineEntryView {
  return {
    id: r.id,
    hub_id: r.hub_id,
    kind: r.kind,
    event_id: r.event_id,
    widget_id: r.widget_id,
    raw: r.raw,
    raw_truncated: r.raw_truncated,
    reason: r.reason_code,
    rule: r.rule_id,
    contract_kind: r.contract_kind,
    contract_version: r.contract_version,
    detail: r.detail,
    received_at: new Date(r.received_at).toISOString(),
    replay_count: r.replay_count,
  };
}

/**
 * Refused events kept for a while (`INGESTION_QUARANTINE_RETENTION_DAYS`): listed and counted
 * per hub, and replayed once their cause is fixed, each through the same validation and
 * deduplication as a new report. A replayed entry that is stored (or found stored) is marked
 * replayed; one refused again stays pending with its replay count raised.
 */
@Injectable()
export class QuarantineService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QuarantineService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
    @Inject(HubsService) private readonly hubs: HubsService,
    @Inject(ReportingService) private readonly reporting: ReportingService,
    @Inject(AnnotationsService) private readonly annotations: AnnotationsService,
  ) {}

  onApplicationBootstrap(): void {
    const prune = () => {
      this.prune().catch((error: unknown) =>
        this.logger.warn(`Quarantine pruning failed: ${String(error)}`),
      );
    };
    prune();
    this.timer = setInterval(prune, PRUNE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes entries older than the retention. */
  async prune(): Promise<number> {
    const rows = await this.em
      .getConnection()
      .execute<{ id: string }[]>(
        `delete from ingestion.quarantined_events where received_at < now() - (? * interval '1 day') returning id`,
        [this.config.INGESTION_QUARANTINE_RETENTION_DAYS],
      );
    return rows.length;
  }

  async list(
    user: AuthenticatedUser,
    hubId: string,
    q: ListQuarantineQueryDto,
  ): Promise<Page<QuarantineEntryView>> {
    assertHubAccess(user, hubId);
    await this.hubs.assertExists(hubId);
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor);
    const params: unknown[] = [hubId];
    let where = 'hub_id = ? and replayed_at is null';
    if (q.reason) {
      where += ' and reason_code = ?';
      params.push(q.reason);
    }
    if (after) {
      where += ' and (received_at, id) > (?::timestamptz, ?::uuid)';
      params.push(after.at, after.id);
    }
    const rows = await this.em
      .getConnection()
      .execute<(QuarantineRecord & { cursor_at: string })[]>(
        `select ${COLUMNS}, ${cursorTimeSql('received_at')} as cursor_at
         from ingestion.quarantined_events where ${where} order by received_at, id limit ?`,
        [...params, limit + 1],
      );
    return toPage(rows, limit, (r) => ({ at: r.cursor_at, id: r.id }), toView);
  }

  async counts(
    user: AuthenticatedUser,
    hubId: string,
  ): Promise<{ items: QuarantineCountView[]; total: number }> {
    assertHubAccess(user, hubId);
    await this.hubs.assertExists(hubId);
    const rows = await this.em.getConnection().execute<
      {
        reason_code: string;
        rule_id: string;
        contract_kind: string | null;
        contract_version: string | null;
        count: string;
      }[]
    >(
      `select reason_code, rule_id, contract_kind, contract_version, count(*) as count
       from ingestion.quarantined_events where hub_id = ? and replayed_at is null
       group by reason_code, rule_id, contract_kind, contract_version order by count(*) desc, reason_code`,
      [hubId],
    );
    const items = rows.map((r) => ({
      reason: r.reason_code,
      rule: r.rule_id,
      contract_kind: r.contract_kind,
      contract_version: r.contract_version,
      count: Number(r.count),
    }));
    return { items, total: items.reduce((n, i) => n + i.count, 0) };
  }

  async replay(
    user: AuthenticatedUser,
    hubId: string,
    dto: ReplayQuarantineDto,
  ): Promise<ReplayResponse> {
    assertHubAccess(user, hubId);
    await this.hubs.assertExists(hubId);
    const params: unknown[] = [hubId];
    let where = `hub_id = ? and replayed_at is null`;
    if (dto.ids?.length) {
      where += ' and id = any(?::uuid[])';
      params.push(`{${dto.ids.join(',')}}`);
    }
    if (dto.reason) {
      where += ' and reason_code = ?';
      params.push(dto.reason);
    }
    const entries = await this.em
      .getConnection()
      .execute<(QuarantineRecord & { cursor_at: string })[]>(
        `select ${COLUMNS}, ${cursorTimeSql('received_at')} as cursor_at
         from ingestion.quarantined_events where ${where} order by received_at, id limit ?`,
        [...params, dto.limit ?? 1000],
      );
    const replayable = entries.filter((e) => !e.raw_truncated && e.kind === 'interaction_event');
    const annotations = entries.filter((e) => !e.raw_truncated && e.kind === 'annotation');
    const report = replayable.length
      ? await this.reporting.store(
          hubId,
          replayable.map((e) => e.raw),
          false,
        )
      : { results: [] };
    const results: ReplayResultView[] = [];
    const done: { id: string; outcome: string }[] = [];
    const again: string[] = [];
    replayable.forEach((entry, i) => {
      const r = report.results[i];
      if (r.status === 'rejected') {
        again.push(entry.id);
        results.push({
          quarantine_id: entry.id,
          event_id: entry.event_id,
          status: 'rejected',
          reason: r.reason,
          rule: r.rule,
        });
      } else {
        done.push({ id: entry.id, outcome: r.status });
        results.push({ quarantine_id: entry.id, event_id: entry.event_id, status: r.status });
      }
    });
    for (const entry of annotations) {
      const r = await this.annotations.replay(hubId, entry.raw);
      if (r.status === 'rejected') again.push(entry.id);
      else done.push({ id: entry.id, outcome: r.status });
      results.push({ quarantine_id: entry.id, event_id: entry.event_id, ...r });
    }
    for (const entry of entries.filter((e) => e.raw_truncated)) {
      again.push(entry.id);
      results.push({
        quarantine_id: entry.id,
        event_id: entry.event_id,
        status: 'rejected',
        reason: 'raw_truncated',
        rule: 'protocol:raw_truncated',
      });
    }
    if (done.length) {
      await this.em.getConnection().execute(
        `update ingestion.quarantined_events q set replayed_at = now(), replay_count = replay_count + 1,
           replay_outcome = x.outcome
         from jsonb_to_recordset(?::jsonb) as x(id uuid, outcome text) where q.id = x.id`,
        [JSON.stringify(done)],
      );
    }
    if (again.length) {
      await this.em
        .getConnection()
        .execute(
          'update ingestion.quarantined_events set replay_count = replay_count + 1 where id = any(?::uuid[])',
          [`{${again.join(',')}}`],
        );
    }
    return {
      replayed: entries.length,
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicate: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      results,
    };
  }
}
