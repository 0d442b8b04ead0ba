import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { stringify } from 'csv-stringify';
import {
  type AuthenticatedUser,
  accessibleHubIds,
  assertHubAccess,
  canAccessHub,
  hubScopeCondition,
} from '@ihf/auth';
import { Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { decodeCursor, toPage } from '@ihf/platform';
import { governsHub } from '../common/roles.js';
import { isoRequired, pgArray, query, queryOne } from '@ihf/persistence';
import { CandidateDirectory } from '../read-models/candidate-directory.service.js';
import { CandidateReadModel } from '../read-models/candidate-read-model.repository.js';
import { WidgetDirectory } from '../read-models/widget-directory.service.js';
import {
  type DecisionDetailView,
  type PolicyReferenceView,
  type TraceView,
  type WorkItemDraftView,
} from '../requirements/dto/requirement.dto.js';
import {
  RequirementRepository,
  toRequirementView,
} from '../requirements/requirement.repository.js';
import {
  NotAGovernorError,
  RequirementNotFoundError,
} from '../requirements/requirements.errors.js';
import {
  type AddPolicyReferenceDto,
  type DecisionLogQuery,
  type DecisionPageView,
  type PolicyScopeListView,
  type RecordDecisionDto,
} from './dto/decision.dto.js';
import {
  DECISION_COLUMNS,
  DecisionRepository,
  type DecisionRow,
  type PolicyReferenceRow,
  toDecisionView,
  toPolicyReferenceView,
  toWorkItemView,
} from './decision.repository.js';
import {
  AlreadyLinkedError,
  DecisionAlreadySupersededError,
  DecisionIdTakenError,
  DecisionNotFoundError,
  InvalidDecisionSubjectError,
  InvalidSupersessionError,
} from './decisions.errors.js';
import { renderMadr } from './madr.js';

/** Rows per page read while streaming a CSV export. */
const EXPORT_PAGE = 1000;

/**
 * The decision log's SQL: scope and filters, keyset after `(decided_at, id)`, newest first.
 * Each filter has an index led by it (hub, hub+outcome, widget, decider, requirement; text by
 * the GIN index; all hubs by time); see the README for the plans. Exported for the plans'
 * recording.
 *
 * A member of several hubs without a hub filter gets one page per hub merged into one (a
 * lateral join over the hub ids): `hub_id = any(…) order by decided_at` would read and sort
 * every decision of those hubs (546 ms p95 at 1,000,000 decisions in bench/governance, against
 * under 10 ms per hub). Filters whose own index is not led by the hub (widget, requirement,
 * text) keep the single query, which starts from that index.
 */
export function decisionLogSql(
  user: AuthenticatedUser,
  q: DecisionLogQuery,
  after: { at: string; id: string } | undefined,
  limit: number,
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    where.push(sql);
    params.push(value);
  };
  if (q.widget_id) add('d.widget_id = ?', q.widget_id.toLowerCase());
  if (q.requirement_id) add('d.requirement_id = ?', q.requirement_id.toLowerCase());
  if (q.outcome) add('d.outcome = ?', q.outcome);
  if (q.decided_by) add('d.decided_by = ?', q.decided_by.toLowerCase());
  if (q.from) add('d.decided_at >= ?', new Date(q.from));
  if (q.to) add('d.decided_at < ?', new Date(q.to));
  if (q.q?.trim()) add(`d.search @@ plainto_tsquery('simple', ?)`, q.q.trim());
  if (after) {
    where.push('(d.decided_at, d.id) < (?::timestamptz, ?::uuid)');
    params.push(after.at, after.id);
  }
  const hubs = q.hub_id ? [q.hub_id.toLowerCase()] : accessibleHubIds(user);
  const hubLed = !q.widget_id && !q.requirement_id && !q.q?.trim();
  if (hubs !== 'all' && hubs.length > 1 && hubLed) {
    return {
      sql: `select d.* from unnest(?::uuid[]) as h(hub_id)
        cross join lateral (
          select ${DECISION_COLUMNS} from governance.decision_records d
           where ${['d.hub_id = h.hub_id', ...where].join(' and ')}
           order by d.decided_at desc, d.id desc limit ?) d
        order by d.decided_at desc, d.id desc limit ?`,
      params: [pgArray(hubs.map((h) => h.toLowerCase())), ...params, limit, limit],
    };
  }
  const scope = q.hub_id
    ? { sql: 'd.hub_id = ?', params: [q.hub_id.toLowerCase()] as unknown[] }
    : hubScopeCondition(user, 'd.hub_id');
  return {
    sql: `select ${DECISION_COLUMNS} from governance.decision_records d
      where ${[scope.sql, ...where].join(' and ')} order by d.decided_at desc, d.id desc limit ?`,
    params: [...scope.params, ...params, limit],
  };
}

/** A CSV cell a spreadsheet would run as a formula gets a leading quote (CSV injection). */
const cell = (v: string | null): string => (v && /^[=+\-@\t\r]/.test(v) ? `'${v}` : (v ?? ''));

/** Decision records (never edited, superseded by newer ones), their links, log, export and trace. */
@Injectable()
export class DecisionsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(WidgetDirectory) private readonly widgets: WidgetDirectory,
    @Inject(CandidateDirectory) private readonly candidates: CandidateDirectory,
  ) {}

  async record(user: AuthenticatedUser, dto: RecordDecisionDto): Promise<DecisionDetailView> {
    if (!dto.requirement_id && !dto.candidate_id) {
      throw new InvalidDecisionSubjectError(
        'Name the requirement_id and/or the candidate_id decided on',
      );
    }
    const id = (dto.id ?? randomUUID()).toLowerCase();
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const resent = dto.id ? await this.resent(em, user, id, dto) : undefined;
        if (resent) return resent;
        const requirement = dto.requirement_id
          ? await RequirementRepository.find(em, dto.requirement_id.toLowerCase())
          : undefined;
        if (dto.requirement_id && (!requirement || !canAccessHub(user, requirement.hub_id))) {
          throw new InvalidDecisionSubjectError(`Requirement ${dto.requirement_id} does not exist`);
        }
        const candidate = dto.candidate_id
          ? await this.candidates.find(em, dto.candidate_id.toLowerCase())
          : undefined;
        if (dto.candidate_id && (!candidate || !canAccessHub(user, candidate.hub_id))) {
          throw new InvalidDecisionSubjectError(
            `Requirement candidate ${dto.candidate_id} does not exist (or governance has not heard of it yet)`,
          );
        }
        const hubId = (requirement?.hub_id ?? candidate?.hub_id) as string;
        if (requirement && candidate && requirement.hub_id !== candidate.hub_id) {
          throw new InvalidDecisionSubjectError(
            'The requirement and the candidate are in different hubs',
          );
        }
        if (!governsHub(user, hubId)) throw new NotAGovernorError();
        let supersedes: DecisionRow | undefined;
        if (dto.supersedes_id) {
          supersedes = await DecisionRepository.find(em, dto.supersedes_id.toLowerCase(), true);
          if (!supersedes || supersedes.hub_id !== hubId) {
            throw new InvalidSupersessionError(
              `Decision ${dto.supersedes_id} is not a decision of this hub`,
            );
          }
          const sameSubject =
            (supersedes.requirement_id !== null && supersedes.requirement_id === requirement?.id) ||
            (supersedes.candidate_id !== null &&
              (supersedes.candidate_id === candidate?.id ||
                supersedes.candidate_id === requirement?.source_candidate_id));
          if (!sameSubject) {
            throw new InvalidSupersessionError(
              `Decision ${supersedes.id} is about another requirement or candidate`,
            );
          }
          if (supersedes.superseded_by_id) {
            throw new DecisionAlreadySupersededError(supersedes.id, supersedes.superseded_by_id);
          }
        }
        await query(
          em,
          `insert into governance.decision_records (id, hub_id, title, rationale, outcome,
             requirement_id, candidate_id, widget_id, supersedes_id, decided_by, notes)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            hubId,
            dto.title.trim(),
            dto.rationale,
            dto.outcome,
            requirement?.id ?? null,
            candidate?.id ?? null,
            requirement?.source_widget_id ?? candidate?.source_widget_id ?? null,
            supersedes?.id ?? null,
            user.id,
            dto.notes ?? null,
          ],
        );
        const row = (await DecisionRepository.find(em, id)) as DecisionRow;
        const decidedAt = isoRequired(row.decided_at);
        this.outbox.add(
          em,
          Subjects.Governance.DecisionRecordedV1,
          {
            decision_id: id,
            title: row.title,
            outcome: row.outcome,
            requirement_id: row.requirement_id,
            candidate_id: row.candidate_id,
            supersedes_id: row.supersedes_id,
            decided_by: row.decided_by,
            decided_at: decidedAt,
          },
          { hubId, aggregateId: id, aggregateVersion: 1 },
        );
        if (supersedes) {
          // A decision changes once: from in force (version 1) to superseded (version 2).
          this.outbox.add(
            em,
            Subjects.Governance.DecisionSupersededV1,
            { decision_id: supersedes.id, superseded_by_id: id, superseded_at: decidedAt },
            { hubId, aggregateId: supersedes.id, aggregateVersion: 2 },
          );
        }
        return { ...toDecisionView(row), policy_references: [], work_items: [] };
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && dto.id) {
        // The same client id sent twice at once: the first insert won.
        const resent = await this.resent(this.orm.em.fork(), user, id, dto);
        if (resent) return resent;
      }
      if (error instanceof UniqueConstraintViolationException && dto.supersedes_id) {
        const winner = await queryOne<{ id: string }>(
          this.orm.em.fork(),
          'select id from governance.decision_records where supersedes_id = ?',
          [dto.supersedes_id.toLowerCase()],
        );
        throw new DecisionAlreadySupersededError(dto.supersedes_id, winner?.id ?? 'unknown');
      }
      throw error;
    }
  }

  /**
   * The stored decision when `id` was recorded already by this request re-sent (same decider,
   * subject and title); undefined when the id is free.
   * @throws DecisionIdTakenError when another decision has the id.
   */
  private async resent(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
    dto: RecordDecisionDto,
  ): Promise<DecisionDetailView | undefined> {
    const existing = await DecisionRepository.find(em, id);
    if (!existing) return undefined;
    const same =
      existing.decided_by === user.id &&
      existing.title === dto.title.trim() &&
      existing.requirement_id === (dto.requirement_id?.toLowerCase() ?? null) &&
      existing.candidate_id === (dto.candidate_id?.toLowerCase() ?? null);
    if (!same) throw new DecisionIdTakenError(id);
    return this.detail(em, existing);
  }

  /** The decision, or 404 when it does not exist or is in a hub the caller cannot see. */
  async visible(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
    lock = false,
  ): Promise<DecisionRow> {
    const row = await DecisionRepository.find(em, id.toLowerCase(), lock);
    if (!row || !canAccessHub(user, row.hub_id)) throw new DecisionNotFoundError(id);
    return row;
  }

  async get(user: AuthenticatedUser, id: string): Promise<DecisionDetailView> {
    const em = this.orm.em.fork();
    return this.detail(em, await this.visible(em, user, id));
  }

  /** The decision as a MADR Markdown record. */
  async markdown(user: AuthenticatedUser, id: string): Promise<string> {
    const em = this.orm.em.fork();
    const detail = await this.detail(em, await this.visible(em, user, id));
    const [requirement, candidate, decider] = await Promise.all([
      detail.requirement_id ? RequirementRepository.find(em, detail.requirement_id) : undefined,
      detail.candidate_id ? CandidateReadModel.find(em, detail.candidate_id) : undefined,
      detail.decided_by
        ? queryOne<{ name: string | null }>(
            em,
            'select name from governance.principals where user_id = ?',
            [detail.decided_by],
          )
        : undefined,
    ]);
    return renderMadr(
      { ...detail, decided_by_name: decider?.name ?? null },
      { requirementTitle: requirement?.title ?? null, candidateTitle: candidate?.title ?? null },
    );
  }

  async log(user: AuthenticatedUser, q: DecisionLogQuery): Promise<DecisionPageView> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const limit = q.limit ?? 50;
    const { sql, params } = decisionLogSql(user, q, decodeCursor(q.cursor), limit + 1);
    const rows = await query<DecisionRow>(this.orm.em.fork(), sql, params);
    return toPage(
      rows,
      limit,
      (r) => ({ at: new Date(r.decided_at).toISOString(), id: r.id }),
      toDecisionView,
    );
  }

  /** The whole filtered log as CSV, streamed page by page (keyset, newest first). */
  export(user: AuthenticatedUser, q: DecisionLogQuery): Readable {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const em = this.orm.em.fork();
    async function* rows(): AsyncGenerator<string[]> {
      let after: { at: string; id: string } | undefined;
      for (;;) {
        const { sql, params } = decisionLogSql(user, q, after, EXPORT_PAGE);
        const page = await query<DecisionRow>(em, sql, params);
        for (const d of page) {
          yield [
            d.id,
            d.hub_id,
            isoRequired(d.decided_at),
            d.outcome,
            cell(d.title),
            cell(d.rationale),
            d.requirement_id ?? '',
            d.candidate_id ?? '',
            d.widget_id ?? '',
            d.supersedes_id ?? '',
            d.superseded_by_id ?? '',
            d.decided_by ?? '',
            cell(d.notes),
          ];
        }
        if (page.length < EXPORT_PAGE) return;
        const last = page[page.length - 1];
        after = { at: new Date(last.decided_at).toISOString(), id: last.id };
      }
    }
    const csv = stringify({
      header: true,
      columns: [
        'id',
        'hub_id',
        'decided_at',
        'outcome',
        'title',
        'rationale',
        'requirement_id',
        'candidate_id',
        'widget_id',
        'supersedes_id',
        'superseded_by_id',
        'decided_by',
        'notes',
      ],
    });
    const source = Readable.from(rows());
    source.on('error', (err) => csv.destroy(err));
    return source.pipe(csv);
  }

  async addPolicyReference(
    user: AuthenticatedUser,
    decisionId: string,
    dto: AddPolicyReferenceDto,
  ): Promise<PolicyReferenceView> {
    return this.orm.em.fork().transactional(async (em) => {
      const decision = await this.visible(em, user, decisionId);
      if (!governsHub(user, decision.hub_id)) throw new NotAGovernorError();
      return this.insertPolicyReference(em, decision, {
        scope: dto.policy_scope.trim(),
        note: dto.constraint_note ?? null,
        by: user.id,
        proposalId: null,
      }) as Promise<PolicyReferenceView>;
    });
  }

  /** Inserts a policy reference and its event; undefined when the proposal added it already. */
  async insertPolicyReference(
    em: EntityManager,
    decision: DecisionRow,
    p: { scope: string; note: string | null; by: string | null; proposalId: string | null },
  ): Promise<PolicyReferenceView | undefined> {
    const existing = await queryOne(
      em,
      'select 1 from governance.policy_references where decision_id = ? and policy_scope = ?',
      [decision.id, p.scope],
    );
    if (existing && !p.proposalId) {
      throw new AlreadyLinkedError(`Decision ${decision.id} already cites ${p.scope}`);
    }
    const [row] = await query<PolicyReferenceRow>(
      em,
      `insert into governance.policy_references (hub_id, decision_id, policy_scope,
         constraint_note, source_proposal_id, created_by)
       values (?, ?, ?, ?, ?, ?) on conflict (source_proposal_id) do nothing
       returning id, decision_id, policy_scope, constraint_note, created_by, created_at`,
      [decision.hub_id, decision.id, p.scope, p.note, p.proposalId, p.by],
    );
    if (!row) return undefined;
    const view = toPolicyReferenceView(row);
    this.outbox.add(
      em,
      Subjects.Governance.PolicyReferenceAddedV1,
      {
        policy_reference_id: row.id,
        decision_id: decision.id,
        policy_scope: row.policy_scope,
        constraint_note: row.constraint_note,
        created_by: row.created_by,
        created_at: view.created_at,
      },
      { hubId: decision.hub_id, aggregateId: row.id, aggregateVersion: 1 },
    );
    return view;
  }

  /** The policy scopes the hub's decisions cite, with how often. */
  async scopes(user: AuthenticatedUser, hubId: string): Promise<PolicyScopeListView> {
    assertHubAccess(user, hubId);
    const items = await query<{ policy_scope: string; references: string }>(
      this.orm.em.fork(),
      `select policy_scope, count(*) as references from governance.policy_references
       where hub_id = ? group by policy_scope order by policy_scope`,
      [hubId.toLowerCase()],
    );
    return { items: items.map((i) => ({ ...i, references: Number(i.references) })) };
  }

  /** A requirement's trace in one answer (one snapshot). */
  async trace(user: AuthenticatedUser, requirementId: string): Promise<TraceView> {
    return this.orm.em.fork().transactional(
      async (em) => {
        const requirement = await RequirementRepository.find(em, requirementId.toLowerCase());
        if (!requirement || !canAccessHub(user, requirement.hub_id)) {
          throw new RequirementNotFoundError(requirementId);
        }
        const [candidate, predecessors, decisions] = await Promise.all([
          CandidateReadModel.find(em, requirement.source_candidate_id),
          query<{ id: string }>(
            em,
            'select id from governance.requirements where superseded_by_id = ? order by created_at, id',
            [requirement.id],
          ),
          query<DecisionRow>(
            em,
            `select ${DECISION_COLUMNS} from governance.decision_records d
             where d.requirement_id = ? or d.candidate_id = ?
             order by d.decided_at, d.id`,
            [requirement.id, requirement.source_candidate_id],
          ),
        ]);
        const widgetId = requirement.source_widget_id ?? candidate?.source_widget_id ?? null;
        const widget = widgetId ? await this.widgets.findKnown(em, widgetId) : undefined;
        const [details, drafts] = await Promise.all([
          this.details(em, decisions),
          query<WorkItemDraftView & { created_at: Date }>(
            em,
            `select id, decision_id, requirement_id, title, description, system,
               source_proposal_id, created_at
             from governance.work_item_drafts
             where requirement_id = ? or decision_id = any(?::uuid[])
             order by created_at, id`,
            [requirement.id, `{${decisions.map((d) => d.id).join(',')}}`],
          ),
        ]);
        return {
          requirement: toRequirementView(requirement),
          candidate: candidate
            ? {
                id: candidate.id,
                title: candidate.title,
                status: candidate.status,
                source_annotation_id: candidate.source_annotation_id,
                source_thread_id: candidate.source_thread_id,
                source_proposal_id: candidate.source_proposal_id,
              }
            : null,
          widget: widget
            ? { id: widget.id, name: widget.name, status: widget.status, version: widget.version }
            : null,
          supersedes: predecessors.map((p) => p.id),
          decisions: details,
          work_item_drafts: drafts.map((w) => ({ ...w, created_at: isoRequired(w.created_at) })),
        };
      },
      { readOnly: true },
    );
  }

  private async detail(em: EntityManager, d: DecisionRow): Promise<DecisionDetailView> {
    return (await this.details(em, [d]))[0];
  }

  private async details(em: EntityManager, rows: DecisionRow[]): Promise<DecisionDetailView[]> {
    const { policies, workItems } = await DecisionRepository.links(
      em,
      rows.map((r) => r.id),
    );
    return rows.map((d) => ({
      ...toDecisionView(d),
      policy_references: policies.filter((p) => p.decision_id === d.id).map(toPolicyReferenceView),
      work_items: workItems.filter((w) => w.decision_id === d.id).map(toWorkItemView),
    }));
  }
}
