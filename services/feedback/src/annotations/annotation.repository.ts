import { type EntityManager } from '@mikro-orm/core';
import {
  type ActorType,
  type AnnotationCategory,
  type AnnotationSource,
  type FeedbackAnnotationCreatedV1,
  type Severity,
} from '@ihf/contracts';
import { iso, isoRequired, query, queryOne } from '@ihf/persistence';

/** A row of `feedback.annotations`. */
export interface AnnotationRow {
  readonly id: string;
  readonly hub_id: string;
  readonly widget_id: string;
  readonly widget_version: number | null;
  readonly parent_id: string | null;
  readonly thread_id: string | null;
  readonly body: string;
  readonly category: AnnotationCategory;
  readonly severity: Severity;
  readonly actor_id: string | null;
  readonly actor_type: ActorType;
  readonly widget_state_ref: string | null;
  readonly source: AnnotationSource;
  readonly retracted_at: Date | null;
  readonly retracted_by: string | null;
  readonly created_at: Date;
}

/** An annotation on the wire. */
export interface AnnotationView {
  readonly id: string;
  readonly hub_id: string;
  readonly widget_id: string;
  readonly widget_version: number | null;
  readonly parent_id: string | null;
  readonly thread_id: string | null;
  readonly body: string;
  readonly category: AnnotationCategory;
  readonly severity: Severity;
  readonly actor_id: string | null;
  readonly actor_type: ActorType;
  readonly widget_state_ref: string | null;
  readonly source: AnnotationSource;
  readonly retracted: boolean;
  readonly retracted_at: string | null;
  readonly retracted_by: string | null;
  readonly created_at: string;
}

export const ANNOTATION_COLUMNS = `id, hub_id, widget_id, widget_version, parent_id, thread_id, body,
  category, severity, actor_id, actor_type, widget_state_ref, source, retracted_at, retracted_by,
  created_at`;

export function toAnnotationView(row: AnnotationRow): AnnotationView {
  return {
    id: row.id,
    hub_id: row.hub_id,
    widget_id: row.widget_id,
    widget_version: row.widget_version,
    parent_id: row.parent_id,
    thread_id: row.thread_id,
    body: row.body,
    category: row.category,
    severity: row.severity,
    actor_id: row.actor_id,
    actor_type: row.actor_type,
    widget_state_ref: row.widget_state_ref,
    source: row.source,
    retracted: row.retracted_at !== null,
    retracted_at: iso(row.retracted_at),
    retracted_by: row.retracted_by,
    created_at: isoRequired(row.created_at),
  };
}

/** The payload of `ihf.feedback.annotation.created.v1` for a stored annotation. */
export function annotationCreatedPayload(row: AnnotationRow): FeedbackAnnotationCreatedV1 {
  return {
    annotation_id: row.id,
    widget_id: row.widget_id,
    parent_id: row.parent_id,
    thread_id: row.thread_id,
    category: row.category,
    severity: row.severity,
    actor_id: row.actor_id,
    actor_type: row.actor_type,
    source: row.source,
    created_at: isoRequired(row.created_at),
  };
}

/** What inserting an annotation takes. */
export interface NewAnnotation {
  readonly id: string;
  readonly hubId: string;
  readonly widgetId: string;
  readonly widgetVersion: number | null;
  readonly parentId: string | null;
  readonly threadId: string | null;
  readonly body: string;
  readonly category: AnnotationCategory;
  readonly severity: Severity;
  readonly actorId: string | null;
  readonly actorType: ActorType;
  readonly widgetStateRef: string | null;
  readonly source: AnnotationSource;
  readonly createdAt: Date;
}

/** SQL access to `feedback.annotations`. */
export class AnnotationRepository {
  static async find(
    em: EntityManager,
    id: string,
    lock = false,
  ): Promise<AnnotationRow | undefined> {
    return queryOne<AnnotationRow>(
      em,
      `select ${ANNOTATION_COLUMNS} from feedback.annotations where id = ?${lock ? ' for update' : ''}`,
      [id],
    );
  }

  /** Inserts; undefined when an annotation with this id exists already (nothing written). */
  static async insert(em: EntityManager, a: NewAnnotation): Promise<AnnotationRow | undefined> {
    return queryOne<AnnotationRow>(
      em,
      `insert into feedback.annotations (id, hub_id, widget_id, widget_version, parent_id,
         thread_id, body, category, severity, actor_id, actor_type, widget_state_ref, source,
         created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do nothing
       returning ${ANNOTATION_COLUMNS}`,
      [
        a.id,
        a.hubId,
        a.widgetId,
        a.widgetVersion,
        a.parentId,
        a.threadId,
        a.body,
        a.category,
        a.severity,
        a.actorId,
        a.actorType,
        a.widgetStateRef,
        a.source,
        a.createdAt,
      ],
    );
  }

  static async retract(
    em: EntityManager,
    id: string,
    by: string | null,
    at: Date,
  ): Promise<AnnotationRow> {
    const rows = await query<AnnotationRow>(
      em,
      `update feedback.annotations set retracted_at = ?, retracted_by = ?
       where id = ? and retracted_at is null returning ${ANNOTATION_COLUMNS}`,
      [at, by, id],
    );
    return rows[0];
  }
}
