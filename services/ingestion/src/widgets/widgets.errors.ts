import { DomainError } from '@ihf/observability';

export class WidgetNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'INGESTION.WIDGET_NOT_FOUND',
      status: 404,
      message: `Widget ${id} does not exist`,
    });
  }
}

export class WidgetTransitionNotAllowedError extends DomainError {
  constructor(from: string, to: string, allowed: readonly string[]) {
    super({
      code: 'INGESTION.WIDGET_TRANSITION_NOT_ALLOWED',
      status: 409,
      message: `A widget in '${from}' cannot move to '${to}'`,
      extensions: { allowed_transitions: allowed },
    });
  }
}

export class WidgetRetiredError extends DomainError {
  constructor(id: string) {
    super({
      code: 'INGESTION.WIDGET_RETIRED',
      status: 409,
      message: `Widget ${id} is retired; its definition can no longer change`,
    });
  }
}

export class AdapterSpecUnknownError extends DomainError {
  constructor(id: string) {
    super({
      code: 'INGESTION.ADAPTER_SPEC_UNKNOWN',
      status: 422,
      message: `Adapter spec ${id} does not exist`,
    });
  }
}
