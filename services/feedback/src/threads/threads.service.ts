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
import { type Severity, Subjects, type ThreadChange } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { iso, isoRequired, pgArray, query, queryOne } from '@ihf/persistence';
import { WidgetNotFoundError } from '../read-models/read-models.errors.js';
import { WidgetDirectory } from '../read-models/widget-directory.service.js';
import {
  type AddThreadAnnotationsDto,
  type CreateThreadDto,
  type ListThreadsQuery,
  type UpdateThreadDto,
} from './dto/thread.dto.js';
import {
  AnnotationNotInThreadError,
  AnnotationOnOtherWidgetError,
  ThreadNotFoundError,
} from './threads.errors.js';

const DEFAULT_PAGE_SIZE = 50;

/** A thread as its changes need it. */
interface ThreadRef {
  readonly id: string;
  readonly hub_id: string;
  readonly widget_id: string;
  readonly title: string;
}

interface ThreadRow {
  readonly id: string;
  readonly hub_id: string;
  readonly widget_id: string;
  readonly title: string;
  readonly description: string | null;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
  /** `updated_at` at full precision, for the list's cursor. */
  readonly cursor_at: string;
  readonly annotation_count: number;
  readonly low: number;
  readonly medium: number;
  readonly high: number;
  readonly critical: number;
  readonly last_annotation_at: Date | null;
}

/** A thread on the wire, with its (non-retracted) annotations summarised. */
export interface ThreadView {
  readonly id: string;
  readonly hub_id: string;
  readonly widget_id: string;
  readonly title: string;
  readonly description: string | null;
  readonly created_by: string | null;
  readonly created_at: string;
  readonly annotation_count: number;
  readonly severity_mix: Record<Severity, number>;
  /** The latest of: creation, membership change, newest annotation. */
  readonly last_activity_at: string;
}

const THREAD_SELECT = `select t.id, t.hub_id, t.widget_id, t.title, t.description, t.created_by,
    t.created_at, t.updated_at, ${cursorTimeSql('t.updated_at')} as cursor_at,
    coalesce(s.annotation_count, 0)::int as annotation_count, coalesce(s.low, 0)::int as low,
    coalesce(s.medium, 0)::int as medium, coalesce(s.high, 0)::int as high,
    coalesce(s.critical, 0)::int as critical, s.last_annotation_at
  from feedback.annotation_threads t
  left join lateral (
    select count(*) as annotation_count,
      count(*) filter (where a.severity = 'low') as low,
      count(*) filter (where a.severity = 'medium') as medium,
      count(*) filter (where a.severity = 'high') as high,
      count(*) filter (where a.severity = 'critical') as critical,
      max(a.created_at) as last_annotation_at
    from feedback.annotations a where a.thread_id = t.id and a.retracted_at is null
  ) s on true`;

function toThreadView(r: ThreadRow): ThreadView {
  const times = [new Date(r.updated_at).getTime()];
  if (r.last_annotation_at) times.push(new Date(r.last_annotation_at).getTime());
  return {
    id: r.id,
    hub_id: r.hub_id,
    widget_id: r.widget_id,
    title: r.title,
    description: r.description,
    created_by: r.created_by,
    created_at: isoRequired(r.created_at),
    annotation_count: r.annotation_count,
    severity_mix: { low: r.low, medium: r.medium, high: r.high, critical: r.critical },
    last_activity_at: iso(new Date(Math.max(...times))) ?? isoRequired(r.updated_at),
  };
}

/** Annotation threads: created on a widget, holding annotations of that widget only. */
@Injectable()
export class ThreadsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(WidgetDirectory) private readonly widgets: WidgetDirectory,
  ) {}

  async create(user: AuthenticatedUser, dto: CreateThreadDto): Promise<ThreadView> {
    const widgetId = dto.widget_id.toLowerCase();
    const widget = await this.widgets.find(this.orm.em.fork(), widgetId);
    if (!widget || !canAccessHub(user, widget.hub_id)) throw new WidgetNotFoundError(widgetId);
    const id = randomUUID();
    const now = new Date();
    await this.orm.em.fork().transactional(async (em) => {
      await query(
        em,
        `insert into feedback.annotation_threads
           (id, hub_id, widget_id, title, description, created_by, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, widget.hub_id, widgetId, dto.title.trim(), dto.description ?? null, user.id, now, now],
      );
      this.outbox.add(
        em,
        Subjects.Feedback.ThreadCreatedV1,
        {
          thread_id: id,
          widget_id: widgetId,
          title: dto.title.trim(),
          created_by: user.id,
          created_at: now.toISOString(),
        },
        { hubId: widget.hub_id, aggregateId: id },
      );
      if (dto.annotation_ids?.length) {
        await this.addTo(
          em,
          user,
          { id, hub_id: widget.hub_id, widget_id: widgetId, title: dto.title.trim() },
          dto.annotation_ids,
          now,
        );
      }
    });
    return this.get(user, id);
  }

  async get(user: AuthenticatedUser, id: string): Promise<ThreadView> {
    const row = await queryOne<ThreadRow>(this.orm.em.fork(), `${THREAD_SELECT} where t.id = ?`, [
      id.toLowerCase(),
    ]);
    if (!row || !canAccessHub(user, row.hub_id)) throw new ThreadNotFoundError(id);
    return toThreadView(row);
  }

  /** Most recently changed first. */
  async list(user: AuthenticatedUser, q: ListThreadsQuery): Promise<Page<ThreadView>> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(q.cursor, false);
    const scope = hubScopeCondition(user, 't.hub_id');
    const where = [scope.sql];
    const params: unknown[] = [...scope.params];
    if (q.hub_id) {
      where.push('t.hub_id = ?');
      params.push(q.hub_id.toLowerCase());
    }
    if (q.widget_id) {
      where.push('t.widget_id = ?');
      params.push(q.widget_id.toLowerCase());
    }
    if (after) {
      where.push('(t.updated_at, t.id) < (?::timestamptz, ?::uuid)');
      params.push(after.at, after.id);
    }
    const rows = await query<ThreadRow>(
      this.orm.em.fork(),
      `${THREAD_SELECT} where ${where.join(' and ')} order by t.updated_at desc, t.id desc limit ?`,
      [...params, limit + 1],
    );
    return toPage(rows, limit, (r) => ({ at: r.cursor_at, id: r.id }), toThreadView);
  }

  /** Changes the title and/or description (`description: null` clears it). */
  async update(
    user: AuthenticatedUser,
    threadId: string,
    dto: UpdateThreadDto,
  ): Promise<ThreadView> {
    await this.orm.em.fork().transactional(async (em) => {
      const thread = await this.lockThread(em, user, threadId);
      const changed = await queryOne<{ title: string }>(
        em,
        `update feedback.annotation_threads set
           title = coalesce(?, title),
           description = case when ? then ? else description end,
           updated_at = ?
         where id = ? and (title is distinct from coalesce(?, title)
           or (? and description is distinct from ?))
         returning title`,
        [
          dto.title?.trim() ?? null,
          dto.description !== undefined,
          dto.description ?? null,
          new Date(),
          thread.id,
          dto.title?.trim() ?? null,
          dto.description !== undefined,
          dto.description ?? null,
        ],
      );
      if (changed) {
        this.changed(
          em,
          user,
          { ...thread, title: changed.title },
          null,
          'details_changed',
          new Date(),
        );
      }
    });
    return this.get(user, threadId);
  }

  async addAnnotations(
    user: AuthenticatedUser,
    threadId: string,
    dto: AddThreadAnnotationsDto,
  ): Promise<ThreadView> {
    await this.orm.em.fork().transactional(async (em) => {
      const thread = await this.lockThread(em, user, threadId);
      await this.addTo(em, user, thread, dto.annotation_ids, new Date());
    });
    return this.get(user, threadId);
  }

  async removeAnnotation(
    user: AuthenticatedUser,
    threadId: string,
    annotationId: string,
  ): Promise<ThreadView> {
    await this.orm.em.fork().transactional(async (em) => {
      const thread = await this.lockThread(em, user, threadId);
      const now = new Date();
      const removed = await query<{ id: string }>(
        em,
        `update feedback.annotations set thread_id = null where id = ? and thread_id = ? returning id`,
        [annotationId.toLowerCase(), thread.id],
      );
      if (removed.length === 0) throw new AnnotationNotInThreadError(annotationId);
      await this.touch(em, thread.id, now);
      this.changed(em, user, thread, annotationId.toLowerCase(), 'annotation_removed', now);
    });
    return this.get(user, threadId);
  }

  /**
   * Puts annotations of the thread's widget into it; one taken from another thread leaves
   * that thread (both get their changed event).
   */
  private async addTo(
    em: EntityManager,
    user: AuthenticatedUser,
    thread: ThreadRef,
    annotationIds: readonly string[],
    now: Date,
  ): Promise<void> {
    const ids = [...new Set(annotationIds.map((a) => a.toLowerCase()))];
    const found = await query<{ id: string; thread_id: string | null }>(
      em,
      `select id, thread_id from feedback.annotations where id = any(?::uuid[]) and widget_id = ?
       for update`,
      [pgArray(ids), thread.widget_id],
    );
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw new AnnotationOnOtherWidgetError(missing);
    const moving = found.filter((f) => f.thread_id !== thread.id);
    if (moving.length === 0) return;
    await query(em, `update feedback.annotations set thread_id = ? where id = any(?::uuid[])`, [
      thread.id,
      pgArray(moving.map((m) => m.id)),
    ]);
    await this.touch(em, thread.id, now);
    const previousIds = [...new Set(moving.flatMap((m) => (m.thread_id ? [m.thread_id] : [])))];
    const previous = previousIds.length
      ? await query<ThreadRef>(
          em,
          `select id, hub_id, widget_id, title from feedback.annotation_threads
           where id = any(?::uuid[]) order by id for update`,
          [pgArray(previousIds)],
        )
      : [];
    for (const p of previous) await this.touch(em, p.id, now);
    for (const m of moving) {
      const left = previous.find((p) => p.id === m.thread_id);
      if (left) this.changed(em, user, left, m.id, 'annotation_removed', now);
      this.changed(em, user, thread, m.id, 'annotation_added', now);
    }
  }

  private async lockThread(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
  ): Promise<ThreadRef> {
    const row = await queryOne<ThreadRef>(
      em,
      'select id, hub_id, widget_id, title from feedback.annotation_threads where id = ? for update',
      [id.toLowerCase()],
    );
    if (!row || !canAccessHub(user, row.hub_id)) throw new ThreadNotFoundError(id);
    return row;
  }

  private async touch(em: EntityManager, threadId: string, now: Date): Promise<void> {
    await query(em, 'update feedback.annotation_threads set updated_at = ? where id = ?', [
      now,
      threadId,
    ]);
  }

  private changed(
    em: EntityManager,
    user: AuthenticatedUser,
    thread: ThreadRef,
    annotationId: string | null,
    change: ThreadChange,
    now: Date,
  ): void {
    this.outbox.add(
      em,
      Subjects.Feedback.ThreadChangedV1,
      {
        thread_id: thread.id,
        widget_id: thread.widget_id,
        change,
        annotation_id: annotationId,
        title: thread.title,
        changed_by: user.id,
        changed_at: now.toISOString(),
      },
      { hubId: thread.hub_id, aggregateId: thread.id },
    );
  }
}
