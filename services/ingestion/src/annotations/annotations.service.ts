import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { type ApiKeyPrincipal } from '@ihf/auth';
import { Subjects } from '@ihf/contracts';
import { Outbox, OutboxMessage } from '@ihf/messaging';
import { IngestionConfig } from '../config/ingestion.config.js';
import { isConnectionError, StorageUnavailableError } from '../common/unavailable.error.js';
import { ActiveContracts } from '../contracts/active-contracts.js';
import { type CompiledRules, compileRules } from '../contracts/rule-evaluator.js';
import { type ValidationRule } from '../contracts/validation-rule.js';
import { EventValidator } from '../reporting/event-validator.js';
import { GroupCommitWriter } from '../reporting/group-commit.writer.js';
import { AnnotationRefusedError } from './annotations.errors.js';
import { type AnnotationAnswer, SubmitAnnotationDto } from './dto/annotation.dto.js';

/**
 * The obligations an annotation shares with interaction events (a key writes to its own hub,
 * on an active widget of that hub): data for the same evaluator, enforced under the version
 * of the active reporting contract.
 */
const ANNOTATION_RULES: ValidationRule[] = [
  {
    id: 'hub_matches_key',
    check: 'equals',
    path: 'event.hub_id',
    other: 'key.hub_id',
    reason: 'hub_mismatch',
  },
  { id: 'widget_known', check: 'present', path: 'widget.id', reason: 'unknown_widget' },
  {
    id: 'widget_in_hub',
    check: 'equals',
    path: 'widget.hub_id',
    other: 'event.hub_id',
    reason: 'widget_not_in_hub',
  },
  {
    id: 'widget_active',
    check: 'one_of',
    path: 'widget.status',
    values: ['active'],
    reason: 'widget_not_active',
  },
];

/**
 * Feedback from external UIs: validated like events, then written as an outbox row (the
 * annotation id is the event id) and answered 202 once that row is committed; the relay
 * publishes `ihf.ingestion.annotation.submitted.v1` and the feedback service stores it.
 */
@Injectable()
export class AnnotationsService {
  /** Compiled once per contract version. */
  private readonly compiled = new Map<string, CompiledRules>();

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(ActiveContracts) private readonly contracts: ActiveContracts,
    @Inject(EventValidator) private readonly validator: EventValidator,
    @Inject(GroupCommitWriter) private readonly writer: GroupCommitWriter,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
  ) {}

  async submit(key: ApiKeyPrincipal, dto: SubmitAnnotationDto): Promise<AnnotationAnswer> {
    return this.process(key.hubId, dto, true);
  }

  /**
   * Replays a quarantined annotation for `hubId` through the same validation and
   * deduplication as a new one; a refusal is returned, not quarantined again.
   */
  async replay(
    hubId: string,
    raw: unknown,
  ): Promise<{ status: 'accepted' | 'duplicate' | 'rejected'; reason?: string; rule?: string }> {
    const dto = plainToInstance(SubmitAnnotationDto, raw);
    const errors =
      typeof raw === 'object' && raw !== null
        ? await validate(dto, { whitelist: true, forbidNonWhitelisted: true })
        : [{}];
    if (errors.length > 0) {
      return {
        status: 'rejected',
        reason: 'invalid_annotation',
        rule: 'protocol:invalid_annotation',
      };
    }
    try {
      return { status: (await this.process(hubId, dto, false)).status };
    } catch (error) {
      if (error instanceof AnnotationRefusedError) {
        const { reason, rule } = error.extensions as { reason: string; rule: string };
        return { status: 'rejected', reason, rule };
      }
      throw error;
    }
  }

  private async process(
    hubId: string,
    dto: SubmitAnnotationDto,
    quarantine: boolean,
  ): Promise<AnnotationAnswer> {
    const id = dto.id.toLowerCase();
    const contract = await this.contracts.reporting();
    const [widget] = await this.guard(() =>
      this.em
        .getConnection()
        .execute<{ id: string; hub_id: string; status: string; version: number }[]>(
          'select id, hub_id, status, version from ingestion.widgets where id = ?',
          [dto.widget_id.toLowerCase()],
        ),
    );
    let evaluate = this.compiled.get(contract.version);
    if (!evaluate) {
      evaluate = compileRules(ANNOTATION_RULES, {
        kind: 'reporting_contract',
        version: contract.version,
      });
      this.compiled.set(contract.version, evaluate);
    }
    const event = { ...dto, hub_id: dto.hub_id.toLowerCase() };
    const refusal = evaluate({ event, key: { hub_id: hubId }, widget: widget ?? null }, Date.now());
    if (refusal || !widget) {
      if (await this.alreadySubmitted(id))
        return { id, status: 'duplicate', widget_version: widget?.version ?? 1 };
      const r = refusal ?? {
        reason: 'unknown_widget',
        rule: 'widget_known',
        contract_kind: 'reporting_contract' as const,
        contract_version: contract.version,
        field: 'widget_id',
        message: 'No such widget',
      };
      if (!quarantine) throw new AnnotationRefusedError(r);
      await this.writer.write(
        [],
        [this.validator.quarantineRow(hubId, { index: 0, id, raw: dto, refusal: r }, 'annotation')],
      );
      throw new AnnotationRefusedError(r);
    }
    const version =
      dto.widget_version !== undefined && dto.widget_version <= widget.version
        ? dto.widget_version
        : widget.version;
    const now = new Date();
    try {
      await this.guard(() =>
        this.em.fork().transactional((em) => {
          this.outbox.add(
            em,
            Subjects.Ingestion.AnnotationSubmittedV1,
            {
              annotation_id: id,
              hub_id: widget.hub_id,
              widget_id: widget.id,
              widget_version: version,
              parent_id: dto.parent_id?.toLowerCase() ?? null,
              body: dto.body,
              category: dto.category ?? 'friction',
              severity: dto.severity ?? 'medium',
              actor_id: dto.actor_id?.toLowerCase() ?? null,
              actor_type: dto.actor_type ?? 'user',
              widget_state_ref: dto.widget_state_ref ?? null,
              submitted_at: now.toISOString(),
            },
            { eventId: id, hubId: widget.hub_id, occurredAt: now, aggregateId: id },
          );
          return Promise.resolve();
        }),
      );
    } catch (error) {
      // The outbox row's primary key is the client's id: a retry is this conflict.
      if (error instanceof UniqueConstraintViolationException)
        return { id, status: 'duplicate', widget_version: version };
      throw error;
    }
    return { id, status: 'accepted', widget_version: version };
  }

  private async alreadySubmitted(id: string): Promise<boolean> {
    return (await this.guard(() => this.em.fork().count(OutboxMessage, { id }))) > 0;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isConnectionError(error))
        throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, error);
      throw error;
    }
  }
}
