import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import {
  type CandidateGetRequestV1,
  type CandidateGetResponseV1,
  RpcPatterns,
} from '@ihf/contracts';
import { RpcClient, RpcUnavailableError } from '@ihf/messaging';
import { GovernanceConfig } from '../config/governance.config.js';
import { type CandidateFacts, CandidateReadModel } from './candidate-read-model.repository.js';
import { CandidateLookupUnavailableError } from './read-models.errors.js';

/**
 * Where a promotion reads its candidate: the read model, locked; when the model does not know
 * the candidate or does not show it accepted (feedback's events may still be on their way, a
 * promotion often follows the acceptance at once), feedback is asked
 * (`ihf.rpc.feedback.candidate.get.v1`) and its answer stored in the model.
 */
@Injectable()
export class CandidateDirectory {
  constructor(
    @Inject(RpcClient) private readonly rpc: RpcClient,
    @Inject(GovernanceConfig) private readonly config: GovernanceConfig,
  ) {}

  /**
   * The candidate, locked in `em`'s transaction, or undefined when neither the model nor
   * feedback knows it.
   * @throws CandidateLookupUnavailableError when the model misses it and feedback does not answer.
   */
  async findForPromotion(em: EntityManager, id: string): Promise<CandidateFacts | undefined> {
    const known = await CandidateReadModel.find(em, id, true);
    // A row made from a status event alone has no title yet: ask feedback for the whole candidate.
    if (known?.status === 'accepted' && known.title) return known;
    return this.lookUp(em, id, known);
  }

  /**
   * The candidate a decision names: the model, else feedback's answer (stored).
   * @throws CandidateLookupUnavailableError when the model misses it and feedback does not answer.
   */
  async find(em: EntityManager, id: string): Promise<CandidateFacts | undefined> {
    return (await CandidateReadModel.find(em, id)) ?? this.lookUp(em, id, undefined);
  }

  private async lookUp(
    em: EntityManager,
    id: string,
    known: CandidateFacts | undefined,
  ): Promise<CandidateFacts | undefined> {
    let answer: CandidateGetResponseV1;
    try {
      answer = await this.rpc.request<CandidateGetResponseV1, CandidateGetRequestV1>(
        RpcPatterns.Feedback.CandidateGetV1,
        { candidate_id: id },
        this.config.GOVERNANCE_LOOKUP_TIMEOUT_MS,
      );
    } catch (error) {
      // What the model knows stands (a refusal names its status); an unknown one cannot wait.
      if (error instanceof RpcUnavailableError) {
        if (known) return known;
        throw new CandidateLookupUnavailableError(id, error);
      }
      throw error;
    }
    if (!answer.found || !answer.candidate) return known;
    await CandidateReadModel.applySnapshot(em, answer.candidate);
    return CandidateReadModel.find(em, id, true);
  }
}
