import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMERS, Subjects } from '@ihf/contracts';
import { EventConsumers } from '@ihf/messaging';
import { VotesService } from './votes.service.js';

/** End users' "me too", submitted through the SDK and ingestion's reporting API. */
@Injectable()
export class VoteHandlers implements OnModuleInit {
  constructor(
    @Inject(EventConsumers) private readonly consumers: EventConsumers,
    @Inject(VotesService) private readonly votes: VotesService,
  ) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.feedback_ingestion_me_too, {
      [Subjects.Ingestion.MeTooSubmittedV1]: (e, em) => this.votes.meToo(em, e),
    });
  }
}
