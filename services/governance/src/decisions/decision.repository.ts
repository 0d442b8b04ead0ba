import { type EntityManager } from '@mikro-orm/core';
import { type DecisionOutcome, type WorkItemState, type WorkItemSystem } from '@ihf/contracts';
import { iso, isoRequired, query, queryOne } from '@ihf/persistence';
import {
  type DecisionView,
  type PolicyReferenceView,
  type WorkItemView,
} from '../requirements/dto/requirement.dto.js';

export interface DecisionRow {
  readonly id: string;
  readonly hub_id: string;
  readonly title: string;
  readonly rationale: string;
  readonly outcome: DecisionOutcome;
  readonly requirement_id: string | null;
  readonly candidate_id: string | null;
  readonly widget_id: string | null;
  readonly supersedes_id: string | null;
  readonly superseded_by_id: string | null;
  readonly decided_by: string | null;
  readonly decided_at: Date;
  readonly notes: string | null;
}

/** Columns of a decision `d`, with its successor (the unique `supersedes_id` index). */
export const DECISION_COLUMNS = `d.id, d.hub_id, d.title, d.rationale, d.outcome,
  d.requirement_id, d.candidate_id, d.widget_id, d.supersedes_id,
  (select s.id from governance.decision_records s where s.supersedes_id = d.id) as superseded_by_id,
  d.decided_by, d.decided_at, d.notes`;

export interface PolicyReferenceRow {
  readonly id: string;
  readonly decision_id: string;
  readonly policy_scope: string;
  readonly constraint_note: string | null;
  readonly created_by: string | null;
  readonly created_at: Date;
}

export interface WorkItemRow {
  readonly id: string;
  readonly hub_id: string;
  readonly decision_id: string;
  readonly system: WorkItemSystem;
  readonly work_item_ref: string;
  readonly url: string;
  readonly state: WorkItemState;
  readonly state_changed_at: Date | null;
  readonly linked_by: string | null;
  readonly linked_at: Date;
}

export const WORK_ITEM_COLUMNS = `id, hub_id, decision_id, system, work_item_ref, url, state,
  state_changed_at, linked_by, linked_at`;

export class DecisionRepository {
  static async find(em: EntityManager, id: string, lock = false): Promise<DecisionRow | undefined> {
    if (lock) {
      await query(em, 'select id from governance.decision_records where id = ? for update', [id]);
    }
    return queryOne<DecisionRow>(
      em,
      `select ${DECISION_COLUMNS} from governance.decision_records d where d.id = ?`,
      [id],
    );
  }

  /** Policy references and work items of the decisions `ids`, oldest first. */
  static async links(
    em: EntityManager,
    ids: readonly string[],
  ): Promise<{ policies: PolicyReferenceRow[]; workItems: WorkItemRow[] }> {
    if (ids.length === 0) return { policies: [], workItems: [] };
    const array = `{${ids.join(',')}}`;
    const [policies, workItems] = await Promise.all([
      query<PolicyReferenceRow>(
        em,
        `select id, decision_id, policy_scope, constraint_note, created_by, created_at
         from governance.policy_references where decision_id = any(?::uuid[])
         order by created_at, id`,
        [array],
      ),
      query<WorkItemRow>(
        em,
        `select ${WORK_ITEM_COLUMNS} from governance.implementation_change_references
         where decision_id = any(?::uuid[]) order by linked_at, id`,
        [array],
      ),
    ]);
    return { policies, workItems };
  }
}

export function toDecisionView(d: DecisionRow): DecisionView {
  return { ...d, decided_at: isoRequired(d.decided_at) };
}

export function toPolicyReferenceView(p: PolicyReferenceRow): PolicyReferenceView {
  return { ...p, created_at: isoRequired(p.created_at) };
}

export function toWorkItemView(w: WorkItemRow): WorkItemView {
  return {
    id: w.id,
    decision_id: w.decision_id,
    system: w.system,
    work_item_ref: w.work_item_ref,
    url: w.url,
    state: w.state,
    state_changed_at: iso(w.state_changed_at),
    linked_by: w.linked_by,
    linked_at: isoRequired(w.linked_at),
  };
}
