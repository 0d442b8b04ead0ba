import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  type AuthenticatedUser,
  assertHubAccess,
  canAccessHub,
  hubScopeCondition,
} from '@ihf/auth';
import { type RequirementChange, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { decodeCursor, toPage } from '@ihf/platform';
import { governsHub } from '../common/roles.js';
import { isoRequired, query } from '@ihf/persistence';
import { CandidateDirectory } from '../read-models/candidate-directory.service.js';
import {
  type EditRequirementDto,
  type ListRequirementsQuery,
  type PromoteCandidateDto,
  type RequirementHistoryView,
  type RequirementPageView,
  type RequirementView,
  type RetireRequirementDto,
  type SupersedeRequirementDto,
} from './dto/requirement.dto.js';
import {
  REQUIREMENT_COLUMNS,
  RequirementRepository,
  type RequirementRow,
  toRequirementView,
} from './requirement.repository.js';
import {
  CandidateAlreadyPromotedError,
  CandidateNotAcceptedError,
  CandidateNotFoundError,
  InvalidSuccessorError,
  NotAGovernorError,
  RequirementNotActiveError,
  RequirementNotFoundError,
  RequirementTitleRequiredError,
  RequirementVersionConflictError,
} from './requirements.errors.js';

/** Promotion of accepted candidates, and the lifecycle of requirements, each change audited. */
@Injectable()
export class RequirementsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(CandidateDirectory) private readonly candidates: CandidateDirectory,
  ) {}

  /**
   * Promotes an accepted candidate into an active requirement (asking feedback when the read
   * model lags). The candidate's read-model row is locked, so of two racing promotions the second waits and then finds the first's
   * requirement (409); the unique `source_candidate_id` backs this up.
   */
  async promote(user: AuthenticatedUser, dto: PromoteCandidateDto): Promise<RequirementView> {
    const candidateId = dto.candidate_id.toLowerCase();
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const candidate = await this.candidates.findForPromotion(em, candidateId);
        if (!candidate || !canAccessHub(user, candidate.hub_id)) {
          throw new CandidateNotFoundError(candidateId);
        }
        if (!governsHub(user, candidate.hub_id)) throw new NotAGovernorError();
        const existing = await RequirementRepository.findByCandidate(em, candidateId);
        if (existing) throw new CandidateAlreadyPromotedError(candidateId, existing.id);
        if (candidate.status === 'promoted' && candidate.requirement_id) {
          throw new CandidateAlreadyPromotedError(candidateId, candidate.requirement_id);
        }
        if (candidate.status !== 'accepted') {
          throw new CandidateNotAcceptedError(candidateId, candidate.status);
        }
        const title = (dto.title ?? candidate.title ?? '').trim();
        if (!title) throw new RequirementTitleRequiredError(candidateId);
        const description = dto.description ?? candidate.description ?? title;
        const [row] = await query<RequirementRow>(
          em,
          `insert into governance.requirements (id, hub_id, title, description,
             source_candidate_id, source_widget_id, created_by)
           values (?, ?, ?, ?, ?, ?, ?) returning ${REQUIREMENT_COLUMNS}`,
          [
            randomUUID(),
            candidate.hub_id,
            title,
            description,
            candidateId,
            candidate.source_widget_id,
            user.id,
          ],
        );
        await RequirementRepository.audit(em, row, 'promoted', user.id);
        this.outbox.add(
          em,
          Subjects.Governance.RequirementPromotedV1,
          {
            requirement_id: row.id,
            candidate_id: candidateId,
            hub_id: row.hub_id,
            promoted_by: user.id,
            promoted_at: isoRequired(row.created_at),
            title: row.title,
          },
          { hubId: row.hub_id, aggregateId: row.id, aggregateVersion: row.version },
        );
        return toRequirementView(row);
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        const winner = await RequirementRepository.findByCandidate(this.orm.em.fork(), candidateId);
        throw new CandidateAlreadyPromotedError(candidateId, winner?.id ?? 'unknown');
      }
      throw error;
    }
  }

  async get(user: AuthenticatedUser, id: string): Promise<RequirementView> {
    return toRequirementView(await this.visible(this.orm.em.fork(), user, id));
  }

  /** The requirement, or 404 when it does not exist or is in a hub the caller cannot see. */
  async visible(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
    lock = false,
  ): Promise<RequirementRow> {
    const row = await RequirementRepository.find(em, id.toLowerCase(), lock);
    if (!row || !canAccessHub(user, row.hub_id)) throw new RequirementNotFoundError(id);
    return row;
  }

  async list(user: AuthenticatedUser, q: ListRequirementsQuery): Promise<RequirementPageView> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor);
    const scope = q.hub_id
      ? { sql: 'hub_id = ?', params: [q.hub_id.toLowerCase()] as unknown[] }
      : hubScopeCondition(user, 'hub_id');
    const where = [scope.sql];
    const params = [...scope.params];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (after) {
      where.push('(created_at, id) < (?::timestamptz, ?::uuid)');
      params.push(after.at, after.id);
    }
    const rows = await query<RequirementRow>(
      this.orm.em.fork(),
      `select ${REQUIREMENT_COLUMNS} from governance.requirements where ${where.join(' and ')}
       order by created_at desc, id desc limit ?`,
      [...params, limit + 1],
    );
    return toPage(
      rows,
      limit,
      // Stored to the millisecond (the migration's defaults), so the ISO text is exact.
      (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }),
      toRequirementView,
    );
  }

  async history(user: AuthenticatedUser, id: string): Promise<RequirementHistoryView> {
    return this.orm.em.fork().transactional(
      async (em) => {
        const row = await this.visible(em, user, id);
        const changes = await query<{
          version: number;
          change: RequirementChange;
          title: string;
          description: string;
          status: RequirementRow['status'];
          superseded_by_id: string | null;
          notes: string | null;
          changed_by: string | null;
          changed_at: Date;
        }>(
          em,
          `select version, change, title, description, status, superseded_by_id, notes,
             changed_by, changed_at
           from governance.requirement_history where requirement_id = ? order by version`,
          [row.id],
        );
        return {
          requirement: toRequirementView(row),
          changes: changes.map((c) => ({ ...c, changed_at: isoRequired(c.changed_at) })),
        };
      },
      { readOnly: true },
    );
  }

  async edit(
    user: AuthenticatedUser,
    id: string,
    dto: EditRequirementDto,
  ): Promise<RequirementView> {
    return this.orm.em.fork().transactional(async (em) => {
      const row = await this.governed(em, user, id);
      if (dto.expected_version !== undefined && dto.expected_version !== row.version) {
        throw new RequirementVersionConflictError(row.id, row.version);
      }
      const [updated] = await query<RequirementRow>(
        em,
        `update governance.requirements set title = ?, description = ?, version = version + 1,
           updated_at = now()
         where id = ? returning ${REQUIREMENT_COLUMNS}`,
        [dto.title?.trim() ?? row.title, dto.description ?? row.description, row.id],
      );
      await RequirementRepository.audit(em, updated, 'edited', user.id);
      this.outbox.add(
        em,
        Subjects.Governance.RequirementUpdatedV1,
        {
          requirement_id: updated.id,
          title: updated.title,
          description: updated.description,
          changed_by: user.id,
          changed_at: isoRequired(updated.updated_at),
        },
        { hubId: updated.hub_id, aggregateId: updated.id, aggregateVersion: updated.version },
      );
      return toRequirementView(updated);
    });
  }

  /**
   * Marks a requirement superseded by another active requirement of its hub. Both rows are
   * locked in id order, so "A supersedes B" and "B supersedes A" sent at once cannot both
   * commit (the second finds its successor superseded: 422).
   */
  async supersede(
    user: AuthenticatedUser,
    id: string,
    dto: SupersedeRequirementDto,
  ): Promise<RequirementView> {
    const successorId = dto.superseded_by_id.toLowerCase();
    const selfId = id.toLowerCase();
    if (successorId === selfId)
      throw new InvalidSuccessorError('A requirement cannot supersede itself');
    return this.orm.em.fork().transactional(async (em) => {
      await query(
        em,
        `select id from governance.requirements where id = any(?::uuid[]) order by id for update`,
        [`{${[selfId, successorId].join(',')}}`],
      );
      const row = await this.governed(em, user, selfId);
      const successor = await RequirementRepository.find(em, successorId);
      if (!successor || successor.hub_id !== row.hub_id) {
        throw new InvalidSuccessorError(
          `Requirement ${successorId} is not a requirement of this hub`,
        );
      }
      if (successor.status !== 'active') {
        throw new InvalidSuccessorError(
          `Requirement ${successorId} is ${successor.status}; only an active requirement supersedes`,
        );
      }
      const [updated] = await query<RequirementRow>(
        em,
        `update governance.requirements set status = 'superseded', superseded_by_id = ?,
           version = version + 1, updated_at = now()
         where id = ? returning ${REQUIREMENT_COLUMNS}`,
        [successorId, row.id],
      );
      await RequirementRepository.audit(em, updated, 'superseded', user.id, dto.notes ?? null);
      this.outbox.add(
        em,
        Subjects.Governance.RequirementSupersededV1,
        {
          requirement_id: updated.id,
          superseded_by_id: successorId,
          changed_by: user.id,
          changed_at: isoRequired(updated.updated_at),
        },
        { hubId: updated.hub_id, aggregateId: updated.id, aggregateVersion: updated.version },
      );
      return toRequirementView(updated);
    });
  }

  async retire(
    user: AuthenticatedUser,
    id: string,
    dto: RetireRequirementDto,
  ): Promise<RequirementView> {
    return this.orm.em.fork().transactional(async (em) => {
      const row = await this.governed(em, user, id);
      const [updated] = await query<RequirementRow>(
        em,
        `update governance.requirements set status = 'retired', version = version + 1,
           updated_at = now()
         where id = ? returning ${REQUIREMENT_COLUMNS}`,
        [row.id],
      );
      await RequirementRepository.audit(em, updated, 'retired', user.id, dto.notes ?? null);
      this.outbox.add(
        em,
        Subjects.Governance.RequirementRetiredV1,
        {
          requirement_id: updated.id,
          notes: dto.notes ?? null,
          changed_by: user.id,
          changed_at: isoRequired(updated.updated_at),
        },
        { hubId: updated.hub_id, aggregateId: updated.id, aggregateVersion: updated.version },
      );
      return toRequirementView(updated);
    });
  }

  /** The requirement locked for a change: visible, governed by `user`, still active. */
  private async governed(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
  ): Promise<RequirementRow> {
    const row = await this.visible(em, user, id, true);
    if (!governsHub(user, row.hub_id)) throw new NotAGovernorError();
    if (row.status !== 'active') throw new RequirementNotActiveError(row.id, row.status);
    return row;
  }
}
