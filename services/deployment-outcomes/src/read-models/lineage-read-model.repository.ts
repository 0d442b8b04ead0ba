import { type EntityManager } from '@mikro-orm/core';
import {
  type DecisionRecordedV1,
  type FeedbackCandidateCreatedV1,
  type RequirementPromotedV1,
  type WidgetSnapshotV1,
  type WorkItemLinkedV1,
} from '@ihf/contracts';
import { query } from '@ihf/persistence';

/**
 * The read models of the lineage decision → requirement → candidate → source widget, kept from
 * governance, feedback and ingestion events. Every write is an upsert that a redelivery leaves
 * as it is (and the consumer's inbox makes it run once anyway).
 */
export const LineageReadModel = {
  async applyWidget(em: EntityManager, w: WidgetSnapshotV1): Promise<void> {
    // Events may arrive out of order: only a newer version replaces the row.
    await query(
      em,
      `insert into deployment.widgets (id, hub_id, name, version) values (?, ?, ?, ?)
       on conflict (id) do update set name = excluded.name, version = excluded.version,
         synced_at = now()
       where deployment.widgets.version < excluded.version`,
      [w.widget_id, w.hub_id, w.name, w.version],
    );
  },

  async applyCandidate(
    em: EntityManager,
    hubId: string,
    c: FeedbackCandidateCreatedV1,
  ): Promise<void> {
    await query(
      em,
      `insert into deployment.candidates
         (id, hub_id, title, source_widget_id, source_thread_id, source_annotation_id)
       values (?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
      [
        c.candidate_id,
        hubId,
        c.title,
        c.source_widget_id,
        c.source_thread_id,
        c.source_annotation_id,
      ],
    );
  },

  async applyRequirement(
    em: EntityManager,
    hubId: string,
    r: RequirementPromotedV1,
  ): Promise<void> {
    await query(
      em,
      `insert into deployment.requirements (id, hub_id, candidate_id, title) values (?, ?, ?, ?)
       on conflict (id) do nothing`,
      [r.requirement_id, hubId, r.candidate_id, r.title ?? null],
    );
  },

  async applyRequirementTitle(
    em: EntityManager,
    requirementId: string,
    title: string,
  ): Promise<void> {
    await query(
      em,
      `update deployment.requirements set title = ?, synced_at = now() where id = ?`,
      [title, requirementId],
    );
  },

  async applyDecision(em: EntityManager, hubId: string, d: DecisionRecordedV1): Promise<void> {
    await query(
      em,
      `insert into deployment.decisions
         (id, hub_id, title, outcome, requirement_id, candidate_id, decided_at)
       values (?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
      [
        d.decision_id,
        hubId,
        d.title,
        d.outcome,
        d.requirement_id ?? null,
        d.candidate_id ?? null,
        new Date(d.decided_at),
      ],
    );
  },

  async applyWorkItem(em: EntityManager, hubId: string, w: WorkItemLinkedV1): Promise<void> {
    await query(
      em,
      `insert into deployment.work_items (id, hub_id, decision_id, system, work_item_ref)
       values (?, ?, ?, ?, ?) on conflict (id) do nothing`,
      [w.work_item_id, hubId, w.decision_id, w.system, w.work_item_ref],
    );
  },
};
