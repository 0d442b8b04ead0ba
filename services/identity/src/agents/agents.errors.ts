import { DomainError } from '@ihf/observability';

export class AgentClientNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'IDENTITY.AGENT_CLIENT_NOT_FOUND',
      status: 404,
      message: `Agent client ${id} does not exist`,
    });
  }
}
