import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { type AuthenticatedUser, canAccessHub } from '@ihf/auth';
import { type AffectedWidgetSource, type DeploymentRecorder, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { hasSqlState } from '@ihf/observability';
import { query, queryOne } from '@ihf/persistence';
import { Clock } from '../common/clock.js';
import { actsInHub, HOOK_ROLES, RECORD_ROLES } from '../common/roles.js';
import { DeploymentConfig } from '../config/deployment.config.js';
import {
  DeploymentRepository,
  deploymentRow,
  type DeploymentRow,
} from './deployment.repository.js';
import {
  DeploymentNotFoundError,
  DeploymentRoleRequiredError,
  DeploymentSubjectError,
  LineageNotFoundError,
} from './deployments.errors.js';
import {
  type DeploymentHookDto,
  type DeploymentView,
  type RecordDeploymentDto,
} from './dto/deployment.dto.js';

const UNIQUE_VIOLATION = new Set(['23505']);
const DAY_SECONDS = 86_400;

interface Lineage {
  readonly decisionId: string;
  readonly requirementId: string | null;
  readonly widgets: { widgetId: string; source: AffectedWidgetSource; via: string }[];
}

/**
 * Records deployments: by a governor (JWT) or by a pipeline through the hook (a `deployer`
 * machine credential, idempotent on the pipeline's run id). Resolves the lineage decision →
 * requirement → candidate → source widget from the read models, adds the named widgets, and
 * announces the deployment through the outbox.
 */
@Injectable()
export class DeploymentsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(DeploymentConfig) private readonly config: DeploymentConfig,
  ) {}

  /** A governor's (or admin's) record of a deployment in `hubId`. */
  async record(
    user: AuthenticatedUser,
    hubId: string,
    dto: RecordDeploymentDto,
  ): Promise<DeploymentView> {
    if (!actsInHub(user, hubId, RECORD_ROLES))
      throw new DeploymentRoleRequiredError('recording deployments');
    return this.create(user.id, 'person', hubId, dto, null);
  }

  /** The pipeline hook: a retried call with the same run id answers the first deployment. */
  async hook(
    user: AuthenticatedUser,
    hubId: string,
    dto: DeploymentHookDto,
  ): Promise<DeploymentView> {
    if (!actsInHub(user, hubId, HOOK_ROLES))
      throw new DeploymentRoleRequiredError('the deployment hook');
    const em = this.orm.em.fork();
    const first = await DeploymentRepository.byRun(em, hubId, dto.pipeline_run_id);
    if (first) return DeploymentRepository.view(em, first);
    try {
      return await this.create(user.id, 'pipeline', hubId, dto, dto.pipeline_run_id);
    } catch (error) {
      // Two calls with one run id at once: the loser answers what the winner stored.
      if (!hasSqlState(error, UNIQUE_VIOLATION)) throw error;
      const winner = await DeploymentRepository.byRun(em, hubId, dto.pipeline_run_id);
      if (!winner) throw error;
      return DeploymentRepository.view(em, winner);
    }
  }

  async get(user: AuthenticatedUser, id: string): Promise<DeploymentView> {
    const em = this.orm.em.fork();
    return DeploymentRepository.view(em, await this.visible(em, user, id));
  }

  /** The deployment if `user` may see it; otherwise the same 404 as for a missing one. */
  async visible(em: EntityManager, user: AuthenticatedUser, id: string): Promise<DeploymentRow> {
    const d = await DeploymentRepository.get(em, id);
    if (!d || !canAccessHub(user, d.hub_id)) throw new DeploymentNotFoundError(id);
    return d;
  }

  private async create(
    actorId: string,
    kind: DeploymentRecorder,
    hubId: string,
    dto: RecordDeploymentDto,
    runId: string | null,
  ): Promise<DeploymentView> {
    if ((dto.decision_id === undefined) === (dto.work_item_ref === undefined))
      throw new DeploymentSubjectError();
    const hub = hubId.toLowerCase();
    return this.orm.em.fork().transactional(async (em) => {
      const lineage = await this.lineage(em, hub, dto);
      const deployedAt = dto.deployed_at ? new Date(dto.deployed_at) : this.clock.now();
      const before = (dto.before_window_days ?? this.config.DEPLOYMENT_WINDOW_DAYS) * DAY_SECONDS;
      const after = (dto.after_window_days ?? this.config.DEPLOYMENT_WINDOW_DAYS) * DAY_SECONDS;
      const finalAt = new Date(deployedAt.getTime() + after * 1000);
      const row = await queryOne<DeploymentRow>(
        em,
        `insert into deployment.deployment_records
           (hub_id, decision_id, requirement_id, work_item_ref, version_ref, environment,
            deployed_at, deployed_by, recorded_by_kind, pipeline_run_id, notes,
            before_window_seconds, after_window_seconds, ratios, final_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?) returning *`,
        [
          hub,
          lineage.decisionId,
          lineage.requirementId,
          dto.work_item_ref ?? null,
          dto.version_ref.trim(),
          dto.environment,
          deployedAt,
          actorId,
          kind,
          runId,
          dto.notes ?? null,
          before,
          after,
          JSON.stringify(
            (dto.ratios ?? []).map((r) => ({ numerator: r.numerator, denominator: r.denominator })),
          ),
          finalAt,
        ],
      );
      const d = deploymentRow(row!);
      for (const w of lineage.widgets) {
        await query(
          em,
          `insert into deployment.affected_widgets (deployment_id, widget_id, source, via)
           values (?, ?, ?, ?) on conflict do nothing`,
          [d.id, w.widgetId, w.source, w.via],
        );
      }
      this.outbox.add(
        em,
        Subjects.Deployment.DeploymentRecordedV1,
        {
          deployment_id: d.id,
          decision_id: d.decision_id,
          requirement_id: d.requirement_id,
          version_ref: d.version_ref,
          environment: d.environment,
          recorded_by_kind: kind,
          deployed_by: actorId,
          deployed_at: deployedAt.toISOString(),
          widget_ids: [...new Set(lineage.widgets.map((w) => w.widgetId))],
          final_at: finalAt.toISOString(),
        },
        { hubId: hub, aggregateId: d.id, aggregateVersion: 1 },
      );
      await em.flush();
      return DeploymentRepository.view(em, d);
    });
  }

  /** The decision named (or found through its work item), its requirement and the widgets. */
  private async lineage(
    em: EntityManager,
    hubId: string,
    dto: RecordDeploymentDto,
  ): Promise<Lineage> {
    const missing: { field: string; value: string }[] = [];
    let decisionId = dto.decision_id?.toLowerCase();
    if (dto.work_item_ref !== undefined) {
      const item = await queryOne<{ decision_id: string }>(
        em,
        `select decision_id from deployment.work_items where hub_id = ? and work_item_ref = ?
         order by synced_at desc limit 1`,
        [hubId, dto.work_item_ref],
      );
      if (!item) missing.push({ field: 'work_item_ref', value: dto.work_item_ref });
      decisionId = item?.decision_id;
    }
    const decision = decisionId
      ? await queryOne<{ id: string; requirement_id: string | null; candidate_id: string | null }>(
          em,
          `select id, requirement_id, candidate_id from deployment.decisions where id = ? and hub_id = ?`,
          [decisionId, hubId],
        )
      : undefined;
    if (decisionId && !decision) missing.push({ field: 'decision_id', value: decisionId });
    const named = [...new Set((dto.widget_ids ?? []).map((w) => w.toLowerCase()))];
    const known = named.length
      ? await query<{ id: string }>(
          em,
          `select id from deployment.widgets where hub_id = ? and id = any(?::uuid[])`,
          [hubId, `{${named.join(',')}}`],
        )
      : [];
    const knownIds = new Set(known.map((k) => k.id));
    for (const w of named) if (!knownIds.has(w)) missing.push({ field: 'widget_ids', value: w });
    if (missing.length || !decision) throw new LineageNotFoundError(missing);

    const widgets: Lineage['widgets'] = [];
    let requirementId = decision.requirement_id;
    const chains: { candidateId: string; via: string }[] = [];
    if (decision.requirement_id) {
      const req = await queryOne<{ candidate_id: string }>(
        em,
        `select candidate_id from deployment.requirements where id = ?`,
        [decision.requirement_id],
      );
      if (req)
        chains.push({
          candidateId: req.candidate_id,
          via: `decision ${decision.id} → requirement ${decision.requirement_id} → candidate ${req.candidate_id}`,
        });
    }
    if (decision.candidate_id)
      chains.push({
        candidateId: decision.candidate_id,
        via: `decision ${decision.id} → candidate ${decision.candidate_id}`,
      });
    for (const chain of chains) {
      const c = await queryOne<{
        source_widget_id: string | null;
        source_annotation_id: string | null;
        source_thread_id: string | null;
      }>(
        em,
        `select source_widget_id, source_annotation_id, source_thread_id from deployment.candidates where id = ?`,
        [chain.candidateId],
      );
      if (!c?.source_widget_id) continue;
      const from = c.source_annotation_id
        ? ` (annotation ${c.source_annotation_id})`
        : c.source_thread_id
          ? ` (thread ${c.source_thread_id})`
          : '';
      if (!widgets.some((w) => w.widgetId === c.source_widget_id && w.source === 'lineage'))
        widgets.push({
          widgetId: c.source_widget_id,
          source: 'lineage',
          via: `${chain.via}${from} → widget`,
        });
    }
    for (const w of named) widgets.push({ widgetId: w, source: 'named', via: 'named in the call' });
    requirementId ??= null;
    return { decisionId: decision.id, requirementId, widgets };
  }
}
