import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMERS, Subjects } from '@ihf/contracts';
import { EventConsumers } from '@ihf/messaging';
import { AnnotationsService } from './annotations.service.js';

/** Stores the annotations external UIs submit through ingestion. */
@Injectable()
export class AnnotationHandlers implements OnModuleInit {
  constructor(
    @Inject(EventConsumers) private readonly consumers: EventConsumers,
    @Inject(AnnotationsService) private readonly annotations: AnnotationsService,
  ) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.feedback_ingestion_annotations, {
      [Subjects.Ingestion.AnnotationSubmittedV1]: (e, em) => this.annotations.storeSubmitted(em, e),
    });
  }
}
