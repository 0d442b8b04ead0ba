import { DomainError } from '@ihf/observability';

export class HubNotFoundError extends DomainError {
  constructor(id: string) {
    super({ code: 'INGESTION.HUB_NOT_FOUND', status: 404, message: `Hub ${id} does not exist` });
  }
}

export class HubSlugTakenError extends DomainError {
  constructor(slug: string) {
    super({
      code: 'INGESTION.HUB_SLUG_TAKEN',
      status: 409,
      message: `A hub with slug '${slug}' already exists`,
    });
  }
}
