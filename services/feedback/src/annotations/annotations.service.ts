import { cursorTimeSql, decodeCursor, type Page, toPage } from '@ihf/platform';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import {
  type AuthenticatedUser,
  assertHubAccess,
  canAccessHub,
  hubScopeCondition,
} from '@ihf/auth';
import { type AnnotationSubmittedV1, type EventEnvelope, Subjects } from '@ihf/contracts';
import { NonRetryableError, Outbox } from '@ihf/messaging';
import { isTriager } from '../common/roles.js';
import { query, queryOne } from '@ihf/persistence';
import { WidgetNotFoundError } from '../read-models/read-models.errors.js';
import { WidgetDirectory } from '../read-models/widget-directory.service.js';
import {
  ANNOTATION_COLUMNS,
  annotationCreatedPayload,
  AnnotationRepository,
  type AnnotationRow,
  type AnnotationView,
  type NewAnnotation,
  toAnnotationView,
} from './annotation.repository.js';
import {
  AnnotationIdTakenError,
  AnnotationNotFoundError,
  InvalidParentError,
  InvalidThreadError,
  RetractForbiddenError,
  WidgetRetiredError,
} from './annotations.errors.js';
import { type CreateAnnotationDto, type ListAnnotationsQuery } from './dto/annotation.dto.js';

const DEFAULT_PAGE_SIZE = 50;

/**
 * Annotations: stored from ingestion's annotation events and from signed-in users, never
 * edited or deleted; a retraction hides one by default and keeps its body for the audit.
 */
@Injectable()
export class AnnotationsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(WidgetDirectory) private readonly widgets: WidgetDirectory,
  ) {}

  /** A signed-in user annotates a widget of a hub they belong to. */
  async create(user: AuthenticatedUser, dto: CreateAnnotationDto): Promise<AnnotationView> {
    const widgetId = dto.widget_id.toLowerCase();
    // Outside the transaction: the fallback look-up may wait on ingestion.
    const widget = await this.widgets.find(this.orm.em.fork(), widgetId);
    if (!widget || !canAccessHub(user, widget.hub_id)) throw new WidgetNotFoundError(widgetId);
    if (widget.status === 'retired') throw new WidgetRetiredError(widgetId);
    const id = (dto.id ?? randomUUID()).toLowerCase();
    return this.orm.em.fork().transactional(async (em) => {
      const parentId = dto.parent_id?.toLowerCase() ?? null;
      let threadId = dto.thread_id?.toLowerCase() ?? null;
      if (parentId) {
        const parent = await AnnotationRepository.find(em, parentId);
        if (!parent || parent.widget_id !== widgetId) throw new InvalidParentError(parentId);
        threadId ??= parent.thread_id;
      }
      if (threadId && !(await this.threadOnWidget(em, threadId, widgetId))) {
        throw new InvalidThreadError(threadId);
      }
      const row = await AnnotationRepository.insert(em, {
        id,
        hubId: widget.hub_id,
        widgetId,
        widgetVersion: widget.version,
        parentId,
        threadId,
        body: dto.body,
        category: dto.category ?? 'friction',
        severity: dto.severity ?? 'medium',
        actorId: user.id,
        actorType: user.kind,
        widgetStateRef: dto.widget_state_ref ?? null,
        source: 'api',
        createdAt: new Date(),
      });
      if (!row) {
        // A re-sent request with the same client id: answer what was stored the first time.
        const existing = await AnnotationRepository.find(em, id);
        if (existing && existing.actor_id === user.id && existing.widget_id === widgetId) {
          return toAnnotationView(existing);
        }
        throw new AnnotationIdTakenError(id);
      }
      this.created(em, row);
      return toAnnotationView(row);
    });
  }

  /**
   * Stores an annotation submitted through ingestion, inside the consumer's transaction. The
   * annotation id is the idempotency key: a second event for the same id writes nothing.
   */
  async storeSubmitted(
    em: EntityManager,
    envelope: EventEnvelope<AnnotationSubmittedV1>,
  ): Promise<void> {
    const p = envelope.payload;
    // Category and severity are the contract's value sets: the consumer runner refused anything
    // else before this handler, and ingestion refuses it at the door.
    const { category, severity } = p;
    const id = p.annotation_id.toLowerCase();
    const widgetId = p.widget_id.toLowerCase();
    const parentId = p.parent_id?.toLowerCase() ?? null;
    let threadId: string | null = null;
    if (parentId) {
      const parent = await AnnotationRepository.find(em, parentId);
      // The parent may still be on its way (events arrive in any order): retry later.
      if (!parent) throw new Error(`parent annotation ${parentId} is not stored yet`);
      if (parent.widget_id !== widgetId) {
        throw new NonRetryableError(`parent annotation ${parentId} is on another widget`);
      }
      threadId = parent.thread_id;
    }
    const annotation: NewAnnotation = {
      id,
      hubId: p.hub_id.toLowerCase(),
      widgetId,
      widgetVersion: p.widget_version,
      parentId,
      threadId,
      body: p.body,
      category,
      severity,
      actorId: p.actor_id,
      actorType: p.actor_type,
      widgetStateRef: p.widget_state_ref,
      source: 'ingestion',
      createdAt: new Date(p.submitted_at),
    };
    if (!annotation.body.trim()) throw new NonRetryableError('annotation body is blank');
    const row = await AnnotationRepository.insert(em, annotation);
    if (row) this.created(em, row);
  }

  async get(user: AuthenticatedUser, id: string): Promise<AnnotationView> {
    return toAnnotationView(await this.visible(this.orm.em.fork(), user, id));
  }

  async list(user: AuthenticatedUser, q: ListAnnotationsQuery): Promise<Page<AnnotationView>> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(q.cursor, false);
    const scope = hubScopeCondition(user, 'hub_id');
    const where: string[] = [scope.sql];
    const params: unknown[] = [...scope.params];
    if (q.hub_id) {
      where.push('hub_id = ?');
      params.push(q.hub_id.toLowerCase());
    }
    if (q.widget_id) {
      where.push('widget_id = ?');
      params.push(q.widget_id.toLowerCase());
    }
    if (q.thread_id) {
      where.push('thread_id = ?');
      params.push(q.thread_id.toLowerCase());
    }
    if (!q.include_retracted) where.push('retracted_at is null');
    if (after) {
      where.push('(created_at, id) < (?::timestamptz, ?::uuid)');
      params.push(after.at, after.id);
    }
    const rows = await query<AnnotationRow & { cursor_at: string }>(
      this.orm.em.fork(),
      `select ${ANNOTATION_COLUMNS}, ${cursorTimeSql('created_at')} as cursor_at
       from feedback.annotations where ${where.join(' and ')}
       order by created_at desc, id desc limit ?`,
      [...params, limit + 1],
    );
    return toPage(rows, limit, (r) => ({ at: r.cursor_at, id: r.id }), toAnnotationView);
  }

  /** Retracts an annotation (its author or a triager); retracting twice changes nothing. */
  async retract(user: AuthenticatedUser, id: string): Promise<AnnotationView> {
    return this.orm.em.fork().transactional(async (em) => {
      const row = await this.visible(em, user, id, true);
      if (row.actor_id !== user.id && !isTriager(user)) throw new RetractForbiddenError();
      if (row.retracted_at) return toAnnotationView(row);
      const now = new Date();
      const retracted = await AnnotationRepository.retract(em, row.id, user.id, now);
      this.outbox.add(
        em,
        Subjects.Feedback.AnnotationRetractedV1,
        {
          annotation_id: row.id,
          widget_id: row.widget_id,
          retracted_by: user.id,
          retracted_at: now.toISOString(),
        },
        { hubId: row.hub_id, aggregateId: row.id },
      );
      return toAnnotationView(retracted);
    });
  }

  /** The annotation, or 404 when it does not exist or is in a hub the caller cannot see. */
  async visible(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
    lock = false,
  ): Promise<AnnotationRow> {
    const row = await AnnotationRepository.find(em, id.toLowerCase(), lock);
    if (!row || !canAccessHub(user, row.hub_id)) throw new AnnotationNotFoundError(id);
    return row;
  }

  private async threadOnWidget(em: EntityManager, threadId: string, widgetId: string) {
    const row = await queryOne<{ id: string }>(
      em,
      'select id from feedback.annotation_threads where id = ? and widget_id = ?',
      [threadId, widgetId],
    );
    return row !== undefined;
  }

  private created(em: EntityManager, row: AnnotationRow): void {
    this.outbox.add(em, Subjects.Feedback.AnnotationCreatedV1, annotationCreatedPayload(row), {
      hubId: row.hub_id,
      aggregateId: row.id,
    });
  }
}
