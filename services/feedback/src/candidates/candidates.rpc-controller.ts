import { Controller, Inject } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type CandidateGetResponseV1, RpcPatterns } from '@ihf/contracts';
import { isoRequired } from '@ihf/persistence';
import { CandidateRepository } from './candidate.repository.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Candidate look-up for other services over NATS request/reply: governance asks when its read
 * model has not caught up with this service's candidate events (a promotion right after the
 * acceptance).
 */
@Controller()
export class CandidatesRpcController {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  @MessagePattern(RpcPatterns.Feedback.CandidateGetV1)
  async get(@Payload() data: unknown): Promise<CandidateGetResponseV1> {
    const id = (data as { candidate_id?: unknown } | null)?.candidate_id;
    if (typeof id !== 'string' || !UUID_RE.test(id)) {
      return { found: false, candidate: null, error: 'candidate_id must be a UUID' };
    }
    const c = await CandidateRepository.find(this.orm.em.fork(), id.toLowerCase());
    if (!c) return { found: false, candidate: null };
    return {
      found: true,
      candidate: {
        candidate_id: c.id,
        hub_id: c.hub_id,
        title: c.title,
        description: c.description,
        status: c.status,
        version: c.version,
        source_widget_id: c.source_widget_id,
        source_thread_id: c.source_thread_id,
        source_annotation_id: c.source_annotation_id,
        source_proposal_id: c.source_proposal_id,
        requirement_id: c.requirement_id,
        created_at: isoRequired(c.created_at),
      },
    };
  }
}
