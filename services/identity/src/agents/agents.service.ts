import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { generateApiKey, parseApiKey, verifyApiKeyHash } from '@ihf/auth';
import { type MachineRole, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { InvalidClientError } from '../auth/auth.errors.js';
import { AccessTokenIssuer, type IssuedAccessToken } from '../keys/access-token.issuer.js';
import { AgentClient } from './agent-client.entity.js';
import { AgentClientNotFoundError, DeployerNeedsHubsError } from './agents.errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Agent clients: principals for external agents. An admin creates one and receives its secret
 * once; the client exchanges id and secret for an access token with its role (`agent`, or
 * `deployer` for a pipeline's deployment hook) and kind `agent` (client credentials grant). Secrets are `ihf_<prefix>_<secret>` keys (`@ihf/auth`),
 * stored as SHA-256.
 */
@Injectable()
export class AgentsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(AccessTokenIssuer) private readonly issuer: AccessTokenIssuer,
  ) {}

  /** Creates a client; returns it with its secret, which is not stored and never shown again. */
  async create(
    input: { name: string; hubIds: readonly string[]; role: MachineRole },
    createdBy: string,
  ): Promise<{ client: AgentClient; secret: string }> {
    // A deployer records deployments of its hubs only: one without hubs could do nothing.
    if (input.role === 'deployer' && input.hubIds.length === 0) throw new DeployerNeedsHubsError();
    const key = generateApiKey();
    const now = new Date();
    const client = await this.orm.em.fork().transactional(async (em) => {
      const created = em.create(AgentClient, {
        id: randomUUID(),
        name: input.name.trim(),
        secretPrefix: key.prefix,
        secretHash: key.hash,
        role: input.role,
        hubIds: [...new Set(input.hubIds.map((h) => h.toLowerCase()))],
        createdBy,
        createdAt: now,
      });
      em.persist(created);
      // Agent clients are not versioned beyond their creation: it is their version 1.
      this.outbox.add(
        em,
        Subjects.Identity.UserCreatedV1,
        {
          user_id: created.id,
          kind: 'agent',
          name: created.name,
          roles: [created.role],
          created_at: now.toISOString(),
        },
        { aggregateId: created.id, aggregateVersion: 1 },
      );
      await em.flush();
      return created;
    });
    return { client, secret: key.key };
  }

  async list(): Promise<AgentClient[]> {
    return this.orm.em.fork().find(AgentClient, {}, { orderBy: { createdAt: 'asc' } });
  }

  async get(id: string): Promise<AgentClient> {
    const client = await this.orm.em.fork().findOne(AgentClient, { id });
    if (!client) throw new AgentClientNotFoundError(id);
    return client;
  }

  /** Revokes a client: its secret no longer obtains tokens. Idempotent. */
  async revoke(id: string): Promise<AgentClient> {
    const em = this.orm.em.fork();
    const client = await em.findOne(AgentClient, { id });
    if (!client) throw new AgentClientNotFoundError(id);
    client.revokedAt ??= new Date();
    await em.flush();
    return client;
  }

  /** Client credentials grant: an access token with the client's role, or {@link InvalidClientError}. */
  async authenticate(clientId: string, clientSecret: string): Promise<IssuedAccessToken> {
    const presented = parseApiKey(clientSecret);
    if (!presented || !UUID_RE.test(clientId)) throw new InvalidClientError();
    const em = this.orm.em.fork();
    const client = await em.findOne(AgentClient, { id: clientId.toLowerCase() });
    if (
      !client ||
      client.revokedAt ||
      client.secretPrefix !== presented.prefix ||
      !verifyApiKeyHash(presented.key, client.secretHash)
    ) {
      throw new InvalidClientError();
    }
    client.lastUsedAt = new Date();
    await em.flush();
    return this.issuer.issue({
      id: client.id,
      roles: [client.role],
      hubIds: client.hubIds,
      kind: 'agent',
    });
  }
}
