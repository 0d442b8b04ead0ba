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

/** A `deployer` client is hub-scoped: it must name the hubs it records deployments for. */
export class DeployerNeedsHubsError extends DomainError {
  constructor() {
    super({
      code: 'IDENTITY.DEPLOYER_NEEDS_HUBS',
      status: 422,
      message: 'A deployer client needs at least one hub in hub_ids',
      extensions: { field: 'hub_ids' },
    });
  }
}
