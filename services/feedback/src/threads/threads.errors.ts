import { DomainError } from '@ihf/observability';

export class ThreadNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'FEEDBACK.THREAD_NOT_FOUND',
      status: 404,
      message: `Thread ${id} does not exist`,
    });
  }
}

/** Threads hold annotations of their own widget only. */
export class AnnotationOnOtherWidgetError extends DomainError {
  constructor(annotationIds: string[]) {
    super({
      code: 'FEEDBACK.ANNOTATION_ON_OTHER_WIDGET',
      status: 422,
      message: `Annotations ${annotationIds.join(', ')} do not exist on the thread's widget`,
      extensions: { annotation_ids: annotationIds },
    });
  }
}

export class AnnotationNotInThreadError extends DomainError {
  constructor(annotationId: string) {
    super({
      code: 'FEEDBACK.ANNOTATION_NOT_IN_THREAD',
      status: 404,
      message: `Annotation ${annotationId} is not in this thread`,
    });
  }
}
