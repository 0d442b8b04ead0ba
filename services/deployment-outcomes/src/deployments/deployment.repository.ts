import { type EntityManager } from '@mikro-orm/core';
import { type AffectedWidgetSource, type DeploymentRecorder } from '@ihf/contracts';
import { iso, isoRequired, query, queryOne } from '@ihf/persistence';
import { type RatioSpec } from '../outcomes/outcome-measurement.js';
import { type DeploymentView } from './dto/deployment.dto.js';

export interface DeploymentRow {
  readonly id: string;
  readonly hub_id: string;
  readonly decision_id: string;
  readonly requirement_id: string | null;
  readonly work_item_ref: string | null;
  readonly version_ref: string;
  readonly environment: string;
  readonly deployed_at: Date;
  readonly deployed_by: string | null;
  readonly recorded_by_kind: DeploymentRecorder;
  readonly pipeline_run_id: string | null;
  readonly notes: string | null;
  readonly before_window_seconds: number;
  readonly after_window_seconds: number;
  readonly ratios: RatioSpec[];
  readonly final_at: Date;
  readonly finalized_at: Date | null;
  readonly last_measured_at: Date | null;
}

export interface AffectedWidgetRow {
  readonly widget_id: string;
  readonly name: string | null;
  readonly source: AffectedWidgetSource;
  readonly via: string;
}

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/** A deployment row with its timestamps as Dates (raw SQL may hand back strings). */
export function deploymentRow(raw: DeploymentRow): DeploymentRow {
  return {
    ...raw,
    deployed_at: date(raw.deployed_at),
    final_at: date(raw.final_at),
    finalized_at: raw.finalized_at === null ? null : date(raw.finalized_at),
    last_measured_at: raw.last_measured_at === null ? null : date(raw.last_measured_at),
    before_window_seconds: Number(raw.before_window_seconds),
    after_window_seconds: Number(raw.after_window_seconds),
  };
}

/** Start of the before-window of `d`. */
export const beforeStartOf = (d: DeploymentRow): Date =>
  new Date(d.deployed_at.getTime() - d.before_window_seconds * 1000);

export const DeploymentRepository = {
  async get(em: EntityManager, id: string): Promise<DeploymentRow | undefined> {
    const row = await queryOne<DeploymentRow>(
      em,
      `select * from deployment.deployment_records where id = ?`,
      [id],
    );
    return row && deploymentRow(row);
  },

  async byRun(em: EntityManager, hubId: string, runId: string): Promise<DeploymentRow | undefined> {
    const row = await queryOne<DeploymentRow>(
      em,
      `select * from deployment.deployment_records where hub_id = ? and pipeline_run_id = ?`,
      [hubId, runId],
    );
    return row && deploymentRow(row);
  },

  async widgets(em: EntityManager, id: string): Promise<AffectedWidgetRow[]> {
    return query<AffectedWidgetRow>(
      em,
      `select a.widget_id, w.name, a.source, a.via from deployment.affected_widgets a
       left join deployment.widgets w on w.id = a.widget_id
       where a.deployment_id = ? order by a.source, a.widget_id`,
      [id],
    );
  },

  async view(em: EntityManager, d: DeploymentRow): Promise<DeploymentView> {
    return {
      id: d.id,
      hub_id: d.hub_id,
      decision_id: d.decision_id,
      requirement_id: d.requirement_id,
      work_item_ref: d.work_item_ref,
      version_ref: d.version_ref,
      environment: d.environment,
      deployed_at: isoRequired(d.deployed_at),
      deployed_by: d.deployed_by,
      recorded_by_kind: d.recorded_by_kind,
      pipeline_run_id: d.pipeline_run_id,
      notes: d.notes,
      before_window_start: beforeStartOf(d).toISOString(),
      final_at: isoRequired(d.final_at),
      finalized_at: iso(d.finalized_at),
      ratios: d.ratios,
      widgets: await this.widgets(em, d.id),
    };
  },
};
