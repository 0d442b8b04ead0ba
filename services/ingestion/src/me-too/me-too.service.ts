import { Inject, Injectable } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { type ApiKeyPrincipal } from '@ihf/auth';
import {
  type CandidateGetRequestV1,
  type CandidateGetResponseV1,
  RpcPatterns,
  Subjects,
} from '@ihf/contracts';
import { Outbox, RpcClient, RpcRemoteError, RpcUnavailableError } from '@ihf/messaging';
import { isConnectionError, StorageUnavailableError } from '../common/unavailable.error.js';
import { IngestionConfig } from '../config/ingestion.config.js';
import { type MeTooAnswer, type SubmitMeTooDto } from './dto/me-too.dto.js';
import { MeTooRefusedError } from './me-too.errors.js';

/**
 * "Me too" from end users (issue 16), the durable way annotations take: checked against the
 * hub key (and the widget, when named), written as an outbox row whose id is the client's id,
 * answered 202 once committed; the relay publishes `ihf.ingestion.me_too.submitted.v1` and
 * feedback counts it once per reporter. Ingestion keeps no candidates: it asks feedback
 * (`ihf.rpc.feedback.candidate.get.v1`) and refuses one feedback says is not in the hub; when
 * feedback does not answer in time, it accepts (staying available) and feedback's consumer
 * dead-letters an unknown candidate with the reason.
 */
@Injectable()
export class MeTooService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
    @Inject(RpcClient) private readonly rpc: RpcClient,
  ) {}

  async submit(key: ApiKeyPrincipal, dto: SubmitMeTooDto): Promise<MeTooAnswer> {
    const id = dto.id.toLowerCase();
    const hubId = dto.hub_id.toLowerCase();
    if (hubId !== key.hubId.toLowerCase()) {
      throw new MeTooRefusedError('hub_mismatch', 'hub_id', "hub_id is not the API key's hub");
    }
    const widgetId = dto.widget_id?.toLowerCase() ?? null;
    if (widgetId) {
      const [widget] = await this.guard(() =>
        this.em
          .getConnection()
          .execute<{ hub_id: string }[]>('select hub_id from ingestion.widgets where id = ?', [
            widgetId,
          ]),
      );
      if (!widget) throw new MeTooRefusedError('unknown_widget', 'widget_id', 'No such widget');
      if (widget.hub_id !== hubId) {
        throw new MeTooRefusedError(
          'widget_not_in_hub',
          'widget_id',
          'The widget is in another hub',
        );
      }
    }
    await this.checkCandidate(dto.candidate_id.toLowerCase(), hubId);
    const now = new Date();
    try {
      await this.guard(() =>
        this.em.fork().transactional((em) => {
          this.outbox.add(
            em,
            Subjects.Ingestion.MeTooSubmittedV1,
            {
              me_too_id: id,
              hub_id: hubId,
              candidate_id: dto.candidate_id.toLowerCase(),
              reporter_id: dto.reporter_id.toLowerCase(),
              widget_id: widgetId,
              submitted_at: now.toISOString(),
            },
            { eventId: id, hubId, occurredAt: now, aggregateId: dto.candidate_id.toLowerCase() },
          );
          return Promise.resolve();
        }),
      );
    } catch (error) {
      // The outbox row's primary key is the client's id: a retry is this conflict.
      if (error instanceof UniqueConstraintViolationException) return { id, status: 'duplicate' };
      throw error;
    }
    return { id, status: 'accepted' };
  }

  /** Refuses a candidate feedback says is not in the hub (another hub's looks the same). */
  private async checkCandidate(candidateId: string, hubId: string): Promise<void> {
    let answer: CandidateGetResponseV1;
    try {
      answer = await this.rpc.request<CandidateGetResponseV1, CandidateGetRequestV1>(
        RpcPatterns.Feedback.CandidateGetV1,
        { candidate_id: candidateId },
        this.config.INGESTION_CANDIDATE_LOOKUP_TIMEOUT_MS,
      );
    } catch (error) {
      // Feedback down or failing: the durable path stays open, its consumer checks again.
      if (error instanceof RpcUnavailableError || error instanceof RpcRemoteError) return;
      throw error;
    }
    if (!answer.found || answer.candidate?.hub_id.toLowerCase() !== hubId) {
      throw new MeTooRefusedError(
        'unknown_candidate',
        'candidate_id',
        'No such candidate in this hub',
      );
    }
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isConnectionError(error))
        throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, error);
      throw error;
    }
  }
}
