import { DomainError } from '@ihf/observability';

export class AnnotationNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'FEEDBACK.ANNOTATION_NOT_FOUND',
      status: 404,
      message: `Annotation ${id} does not exist`,
    });
  }
}

/** A reply's parent must exist on the same widget. */
export class InvalidParentError extends DomainError {
  constructor(parentId: string) {
    super({
      code: 'FEEDBACK.INVALID_PARENT',
      status: 422,
      message: `Annotation ${parentId} does not exist on this widget: a reply belongs to its parent's widget`,
    });
  }
}

/** The thread named must exist on the annotation's widget. */
export class InvalidThreadError extends DomainError {
  constructor(threadId: string) {
    super({
      code: 'FEEDBACK.INVALID_THREAD',
      status: 422,
      message: `Thread ${threadId} does not exist on this widget`,
    });
  }
}

export class WidgetRetiredError extends DomainError {
  constructor(id: string) {
    super({
      code: 'FEEDBACK.WIDGET_RETIRED',
      status: 409,
      message: `Widget ${id} is retired and takes no more feedback`,
    });
  }
}

/** A client-chosen annotation id that another annotation already has. */
export class AnnotationIdTakenError extends DomainError {
  constructor(id: string) {
    super({
      code: 'FEEDBACK.ANNOTATION_ID_TAKEN',
      status: 409,
      message: `Annotation id ${id} is already used by a different annotation`,
    });
  }
}

export class RetractForbiddenError extends DomainError {
  constructor() {
    super({
      code: 'FEEDBACK.RETRACT_FORBIDDEN',
      status: 403,
      message: 'Only the author or a triager may retract an annotation',
    });
  }
}
