import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { type AuthenticatedUser, canAccessHub } from '@ihf/auth';
import { type OutcomePhase, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { hasSqlState } from '@ihf/observability';
import { isoRequired, query, queryOne } from '@ihf/persistence';
import { Clock } from '../common/clock.js';
import { actsInHub, EVALUATE_ROLES, SIGNAL_ROLES } from '../common/roles.js';
import { DeploymentConfig } from '../config/deployment.config.js';
import {
  beforeStartOf,
  DeploymentRepository,
  type DeploymentRow,
} from '../deployments/deployment.repository.js';
import {
  AlreadyEvaluatedError,
  DeploymentNotFoundError,
  DeploymentRoleRequiredError,
  WidgetNotAffectedError,
} from '../deployments/deployments.errors.js';
import {
  type AddSignalDto,
  type EvaluateDto,
  type EvaluationView,
  type FrictionQuery,
  type FrictionView,
  type OutcomeReportView,
  type SignalView,
} from './dto/outcome.dto.js';
import { type ComputedSignal, measureWidgets } from './outcome-measurement.js';

const UNIQUE_VIOLATION = new Set(['23505']);

interface SignalRow {
  id: string;
  widget_id: string | null;
  measurement_id: string | null;
  phase: OutcomePhase;
  signal_type: string;
  value: string | null;
  before_value: string | null;
  after_value: string | null;
  relative_change: string | null;
  ci_low: string | null;
  ci_high: string | null;
  p_value: string | null;
  test: string | null;
  not_enough_data: boolean;
  details: Record<string, number>;
  recorded_by: string | null;
  observed_at: Date;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function signalView(r: SignalRow): SignalView {
  return {
    id: r.id,
    widget_id: r.widget_id,
    measurement_id: r.measurement_id,
    phase: r.phase,
    signal_type: r.signal_type,
    value: num(r.value),
    before: num(r.before_value),
    after: num(r.after_value),
    relative_change: num(r.relative_change),
    ci_low: num(r.ci_low),
    ci_high: num(r.ci_high),
    p_value: num(r.p_value),
    test: r.test,
    not_enough_data: r.not_enough_data,
    details: r.details,
    recorded_by: r.recorded_by,
    observed_at: isoRequired(r.observed_at),
  };
}

/**
 * Outcome signals, the evaluation, the outcome report and friction. Measurements compare a
 * window before the deployment with the one after it, per affected widget, from the rollups.
 */
@Injectable()
export class OutcomesService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(DeploymentConfig) private readonly config: DeploymentConfig,
  ) {}

  /** The signals of every affected widget of `d`, measured up to `now` (or the window's close). */
  async compute(em: EntityManager, d: DeploymentRow, now: Date): Promise<ComputedSignal[]> {
    const afterEnd = new Date(Math.min(now.getTime(), d.final_at.getTime()));
    const widgets = [
      ...new Set((await DeploymentRepository.widgets(em, d.id)).map((w) => w.widget_id)),
    ];
    return measureWidgets(
      em,
      widgets,
      { beforeStart: beforeStartOf(d), deployedAt: d.deployed_at, afterEnd },
      {
        ratios: d.ratios,
        viewEventType: this.config.DEPLOYMENT_VIEW_EVENT_TYPE,
        minSample: this.config.DEPLOYMENT_MIN_SAMPLE,
      },
    );
  }

  /**
   * Writes one measurement of `d` (in the caller's transaction): provisional while the
   * after-window is open, final once it closed; announces it through the outbox.
   */
  async writeMeasurement(
    em: EntityManager,
    d: DeploymentRow,
    now: Date,
  ): Promise<'provisional' | 'final'> {
    const phase = now.getTime() >= d.final_at.getTime() ? 'final' : 'provisional';
    const signals = await this.compute(em, d, now);
    const measurementId = randomUUID();
    for (const s of signals) {
      await query(
        em,
        `insert into deployment.outcome_signals
           (deployment_id, widget_id, measurement_id, phase, signal_type, value, before_value,
            after_value, relative_change, ci_low, ci_high, p_value, test, not_enough_data, details,
            observed_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)`,
        [
          d.id,
          s.widgetId,
          measurementId,
          phase,
          s.signalType,
          s.notEnoughData ? null : s.after,
          s.before,
          s.after,
          s.relativeChange,
          s.ciLow,
          s.ciHigh,
          s.pValue,
          s.test,
          s.notEnoughData,
          JSON.stringify(s.details),
          now,
        ],
      );
    }
    await query(
      em,
      `update deployment.deployment_records set last_measured_at = ?,
         finalized_at = case when ? then ? else finalized_at end where id = ?`,
      [now, phase === 'final', now, d.id],
    );
    this.outbox.add(
      em,
      Subjects.Deployment.OutcomeMeasuredV1,
      {
        deployment_id: d.id,
        measurement_id: measurementId,
        phase,
        widget_ids: [...new Set(signals.map((s) => s.widgetId))],
        signals: signals.length,
        not_enough_data: signals.filter((s) => s.notEnoughData).length,
        after_window_end: d.final_at.toISOString(),
        measured_at: now.toISOString(),
      },
      { hubId: d.hub_id, aggregateId: d.id },
    );
    await em.flush();
    return phase;
  }

  async addSignal(user: AuthenticatedUser, id: string, dto: AddSignalDto): Promise<SignalView> {
    const em = this.orm.em.fork();
    const d = await this.visible(em, user, id);
    if (!actsInHub(user, d.hub_id, SIGNAL_ROLES))
      throw new DeploymentRoleRequiredError('adding signals');
    if (dto.widget_id) {
      const widgets = await DeploymentRepository.widgets(em, d.id);
      if (!widgets.some((w) => w.widget_id === dto.widget_id!.toLowerCase()))
        throw new WidgetNotAffectedError(dto.widget_id);
    }
    const row = await queryOne<SignalRow>(
      em,
      `insert into deployment.outcome_signals
         (deployment_id, widget_id, phase, signal_type, value, recorded_by, observed_at)
       values (?, ?, 'manual', ?, ?, ?, ?) returning *`,
      [
        d.id,
        dto.widget_id?.toLowerCase() ?? null,
        dto.signal_type,
        dto.value,
        user.id,
        dto.observed_at ? new Date(dto.observed_at) : this.clock.now(),
      ],
    );
    return signalView(row!);
  }

  async signals(user: AuthenticatedUser, id: string): Promise<SignalView[]> {
    const em = this.orm.em.fork();
    const d = await this.visible(em, user, id);
    return (await this.signalRows(em, d.id)).map(signalView);
  }

  async evaluate(user: AuthenticatedUser, id: string, dto: EvaluateDto): Promise<EvaluationView> {
    const em0 = this.orm.em.fork();
    const d = await this.visible(em0, user, id);
    if (!actsInHub(user, d.hub_id, EVALUATE_ROLES))
      throw new DeploymentRoleRequiredError('evaluating deployments');
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const row = await queryOne<{ id: string; evaluated_at: Date }>(
          em,
          `insert into deployment.change_evaluations (deployment_id, decision_id, score, rationale, evaluated_by, evaluated_at)
           values (?, ?, ?, ?, ?, ?) returning id, evaluated_at`,
          [d.id, d.decision_id, dto.score, dto.rationale.trim(), user.id, this.clock.now()],
        );
        this.outbox.add(
          em,
          Subjects.Deployment.EvaluationRecordedV1,
          {
            evaluation_id: row!.id,
            deployment_id: d.id,
            decision_id: d.decision_id,
            score: dto.score,
            evaluated_by: user.id,
            evaluated_at: isoRequired(row!.evaluated_at),
          },
          { hubId: d.hub_id, aggregateId: d.id },
        );
        await em.flush();
        return {
          id: row!.id,
          deployment_id: d.id,
          score: dto.score,
          rationale: dto.rationale.trim(),
          evaluated_by: user.id,
          evaluated_at: isoRequired(row!.evaluated_at),
        };
      });
    } catch (error) {
      if (hasSqlState(error, UNIQUE_VIOLATION)) throw new AlreadyEvaluatedError(d.id);
      throw error;
    }
  }

  /** Everything about a deployment's outcome in one answer. */
  async report(user: AuthenticatedUser, id: string): Promise<OutcomeReportView> {
    const em = this.orm.em.fork();
    const d = await this.visible(em, user, id);
    const decision = await queryOne<{ title: string; outcome: string }>(
      em,
      `select title, outcome from deployment.decisions where id = ?`,
      [d.decision_id],
    );
    const requirement = d.requirement_id
      ? await queryOne<{ title: string | null }>(
          em,
          `select title from deployment.requirements where id = ?`,
          [d.requirement_id],
        )
      : undefined;
    const rows = await this.signalRows(em, d.id);
    const final = d.finalized_at !== null;
    let figures: SignalView[];
    if (final) figures = rows.filter((r) => r.phase === 'final').map(signalView);
    else {
      // While the window is open the figures are computed now, from the rollups, and not stored.
      const now = this.clock.now();
      figures = (await this.compute(em, d, now)).map((s) => ({
        id: randomUUID(),
        widget_id: s.widgetId,
        measurement_id: null,
        phase: 'provisional',
        signal_type: s.signalType,
        value: s.notEnoughData ? null : s.after,
        before: s.before,
        after: s.after,
        relative_change: s.relativeChange,
        ci_low: s.ciLow,
        ci_high: s.ciHigh,
        p_value: s.pValue,
        test: s.test,
        not_enough_data: s.notEnoughData,
        details: s.details,
        recorded_by: null,
        observed_at: now.toISOString(),
      }));
    }
    const evaluation = await queryOne<{
      id: string;
      score: number;
      rationale: string;
      evaluated_by: string | null;
      evaluated_at: Date;
    }>(em, `select * from deployment.change_evaluations where deployment_id = ?`, [d.id]);
    return {
      deployment: await DeploymentRepository.view(em, d),
      decision: {
        id: d.decision_id,
        title: decision?.title ?? null,
        outcome: decision?.outcome ?? null,
      },
      requirements: d.requirement_id
        ? [{ id: d.requirement_id, title: requirement?.title ?? null }]
        : [],
      phase: final ? 'final' : 'provisional',
      figures,
      manual_signals: rows.filter((r) => r.phase === 'manual').map(signalView),
      evaluations: evaluation
        ? [
            {
              id: evaluation.id,
              deployment_id: d.id,
              score: Number(evaluation.score),
              rationale: evaluation.rationale,
              evaluated_by: evaluation.evaluated_by,
              evaluated_at: isoRequired(evaluation.evaluated_at),
            },
          ]
        : [],
    };
  }

  /** Annotations per 1,000 views per widget version and day, and the trend over the period. */
  async friction(user: AuthenticatedUser, hubId: string, q: FrictionQuery): Promise<FrictionView> {
    const hub = hubId.toLowerCase();
    if (!canAccessHub(user, hub)) return { items: [], trend: null };
    const em = this.orm.em.fork();
    const days = q.days ?? 30;
    const to = this.clock.now();
    const from = new Date(to.getTime() - days * 86_400_000);
    const widget = q.widget_id?.toLowerCase() ?? null;
    const rows = await query<{
      widget_id: string;
      widget_version: number;
      day: string;
      views: string;
      annotations: string;
    }>(
      em,
      `with v as (
         select widget_id, widget_version, date_trunc('day', minute at time zone 'UTC') as day, sum(events) as n
         from deployment.interaction_rollups
         where hub_id = ? and minute >= ? and minute < ? and event_type = ? and (?::uuid is null or widget_id = ?::uuid)
         group by 1, 2, 3
       ), a as (
         select widget_id, widget_version, date_trunc('day', minute at time zone 'UTC') as day, sum(annotations) as n
         from deployment.annotation_rollups
         where hub_id = ? and minute >= ? and minute < ? and (?::uuid is null or widget_id = ?::uuid)
         group by 1, 2, 3
       )
       select widget_id, widget_version, to_char(day, 'YYYY-MM-DD') as day,
              coalesce(v.n, 0) as views, coalesce(a.n, 0) as annotations
       from v full join a using (widget_id, widget_version, day)
       order by widget_id, widget_version, day
       limit 5000`,
      [
        hub,
        from,
        to,
        this.config.DEPLOYMENT_VIEW_EVENT_TYPE,
        widget,
        widget,
        hub,
        from,
        to,
        widget,
        widget,
      ],
    );
    const items = rows.map((r) => {
      const views = Number(r.views);
      const annotations = Number(r.annotations);
      return {
        widget_id: r.widget_id,
        widget_version: Number(r.widget_version),
        day: r.day,
        views,
        annotations,
        per_1000_views: views > 0 ? (annotations / views) * 1000 : null,
      };
    });
    const mid = new Date(from.getTime() + (to.getTime() - from.getTime()) / 2)
      .toISOString()
      .slice(0, 10);
    const half = (first: boolean) => {
      const part = items.filter((i) => i.day < mid === first);
      const views = part.reduce((s, i) => s + i.views, 0);
      return views > 0 ? part.reduce((s, i) => s + i.annotations, 0) / views : null;
    };
    const early = half(true);
    const late = half(false);
    return { items, trend: early && late !== null ? late / early - 1 : null };
  }

  private async visible(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
  ): Promise<DeploymentRow> {
    const d = await DeploymentRepository.get(em, id);
    if (!d || !canAccessHub(user, d.hub_id)) throw new DeploymentNotFoundError(id);
    return d;
  }

  private signalRows(em: EntityManager, id: string): Promise<SignalRow[]> {
    return query<SignalRow>(
      em,
      `select * from deployment.outcome_signals where deployment_id = ?
       order by observed_at, phase, widget_id, signal_type limit 10000`,
      [id],
    );
  }
}
