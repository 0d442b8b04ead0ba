import { type EntityManager } from '@mikro-orm/core';
import { type RequirementChange, type RequirementStatus } from '@ihf/contracts';
import { isoRequired, query, queryOne } from '@ihf/persistence';
import { type RequirementView } from './dto/requirement.dto.js';

export interface RequirementRow {
  readonly id: string;
  readonly hub_id: string;
  readonly title: string;
  readonly description: string;
  readonly source_candidate_id: string;
  readonly source_widget_id: string | null;
  readonly status: RequirementStatus;
  readonly superseded_by_id: string | null;
  readonly version: number;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export const REQUIREMENT_COLUMNS = `id, hub_id, title, description, source_candidate_id,
  source_widget_id, status, superseded_by_id, version, created_by, created_at, updated_at`;

export class RequirementRepository {
  static async find(
    em: EntityManager,
    id: string,
    lock = false,
  ): Promise<RequirementRow | undefined> {
    return queryOne<RequirementRow>(
      em,
      `select ${REQUIREMENT_COLUMNS} from governance.requirements where id = ?${lock ? ' for update' : ''}`,
      [id],
    );
  }

  static async findByCandidate(
    em: EntityManager,
    candidateId: string,
  ): Promise<RequirementRow | undefined> {
    return queryOne<RequirementRow>(
      em,
      `select ${REQUIREMENT_COLUMNS} from governance.requirements where source_candidate_id = ?`,
      [candidateId],
    );
  }

  /** Appends the requirement's state after a change to its audit (append-only table). */
  static async audit(
    em: EntityManager,
    row: RequirementRow,
    change: RequirementChange,
    changedBy: string | null,
    notes: string | null = null,
  ): Promise<void> {
    await query(
      em,
      `insert into governance.requirement_history (requirement_id, version, change, title,
         description, status, superseded_by_id, notes, changed_by, changed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.id,
        row.version,
        change,
        row.title,
        row.description,
        row.status,
        row.superseded_by_id,
        notes,
        changedBy,
        row.updated_at,
      ],
    );
  }
}

export function toRequirementView(r: RequirementRow): RequirementView {
  return {
    id: r.id,
    hub_id: r.hub_id,
    title: r.title,
    description: r.description,
    source_candidate_id: r.source_candidate_id,
    source_widget_id: r.source_widget_id,
    status: r.status,
    superseded_by_id: r.superseded_by_id,
    version: r.version,
    created_by: r.created_by,
    created_at: isoRequired(r.created_at),
    updated_at: isoRequired(r.updated_at),
  };
}
