import { DomainError } from '@ihf/observability';

export class ApiKeyNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'INGESTION.API_KEY_NOT_FOUND',
      status: 404,
      message: `API key ${id} does not exist`,
    });
  }
}
