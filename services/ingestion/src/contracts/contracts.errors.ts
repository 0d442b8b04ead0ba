import { DomainError } from '@ihf/observability';

export class RegistryEntryNotFoundError extends DomainError {
  constructor(kind: string, id: string) {
    super({
      code: 'INGESTION.CONTRACT_NOT_FOUND',
      status: 404,
      message: `No ${kind.replace('_', ' ')} ${id}`,
      extensions: { kind },
    });
  }
}

export class RegistryEntryExistsError extends DomainError {
  constructor(kind: string, label: string) {
    super({
      code: 'INGESTION.CONTRACT_EXISTS',
      status: 409,
      message: `A ${kind.replace('_', ' ')} '${label}' already exists`,
      extensions: { kind },
    });
  }
}

export class RegistryTransitionNotAllowedError extends DomainError {
  constructor(kind: string, from: string, to: string, allowed: readonly string[]) {
    super({
      code: 'INGESTION.CONTRACT_TRANSITION_NOT_ALLOWED',
      status: 409,
      message: `A ${kind.replace('_', ' ')} in '${from}' cannot move to '${to}'`,
      extensions: { kind, allowed_transitions: allowed },
    });
  }
}

export class InvalidValidationRulesError extends DomainError {
  constructor(problems: readonly string[]) {
    super({
      code: 'INGESTION.INVALID_VALIDATION_RULES',
      status: 422,
      message: `The validation rules are invalid: ${problems.slice(0, 20).join('; ')}`,
      extensions: { problems: problems.slice(0, 100) },
    });
  }
}

export class ContractReferenceUnknownError extends DomainError {
  constructor(field: string, id: string) {
    super({
      code: 'INGESTION.CONTRACT_REFERENCE_UNKNOWN',
      status: 422,
      message: `${field} ${id} does not exist`,
    });
  }
}
