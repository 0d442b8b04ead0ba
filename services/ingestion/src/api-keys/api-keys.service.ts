import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { type AuthenticatedUser, assertHubAccess, generateApiKey } from '@ihf/auth';
import { Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { HubsService } from '../hubs/hubs.service.js';
import { ApiKeyNotFoundError } from './api-keys.errors.js';
import {
  type ApiKeyView,
  type CreateApiKeyDto,
  type CreatedApiKeyView,
} from './dto/api-key.dto.js';
import { HubApiKey } from './hub-api-key.entity.js';
import { HubApiKeyVerifier } from './hub-api-key.verifier.js';

function toView(key: HubApiKey): ApiKeyView {
  return {
    id: key.id,
    hub_id: key.hubId,
    prefix: key.prefix,
    label: key.label ?? null,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(HubsService) private readonly hubs: HubsService,
    @Inject(HubApiKeyVerifier) private readonly verifier: HubApiKeyVerifier,
  ) {}

  /** Issues a key; the answer is the only place the full key ever appears. */
  async create(
    user: AuthenticatedUser,
    hubId: string,
    dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyView> {
    assertHubAccess(user, hubId);
    await this.hubs.assertExists(hubId);
    const generated = generateApiKey();
    const now = new Date();
    const key = await this.em.fork().transactional((em) => {
      const key = em.create(HubApiKey, {
        id: randomUUID(),
        hubId,
        prefix: generated.prefix,
        keyHash: generated.hash,
        label: dto.label ?? null,
        createdBy: user.id,
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
      });
      this.outbox.add(
        em,
        Subjects.Ingestion.ApiKeyCreatedV1,
        {
          key_id: key.id,
          hub_id: hubId,
          prefix: key.prefix,
          label: key.label ?? null,
          created_at: now.toISOString(),
        },
        { hubId, occurredAt: now },
      );
      return Promise.resolve(key);
    });
    return { ...toView(key), key: generated.key };
  }

  async list(user: AuthenticatedUser, hubId: string): Promise<{ items: ApiKeyView[] }> {
    assertHubAccess(user, hubId);
    await this.hubs.assertExists(hubId);
    const keys = await this.em
      .fork()
      .find(HubApiKey, { hubId }, { orderBy: { createdAt: 'desc', id: 'asc' } });
    return { items: keys.map(toView) };
  }

  /** Revokes a key: refused at once by this replica, by the others within the cache TTL. */
  async revoke(user: AuthenticatedUser, hubId: string, keyId: string): Promise<ApiKeyView> {
    assertHubAccess(user, hubId);
    const key = await this.em.fork().transactional(async (em) => {
      const key = await em.findOne(HubApiKey, { id: keyId, hubId });
      if (!key) throw new ApiKeyNotFoundError(keyId);
      if (key.revokedAt) return key;
      key.revokedAt = new Date();
      this.outbox.add(
        em,
        Subjects.Ingestion.ApiKeyRevokedV1,
        {
          key_id: key.id,
          hub_id: hubId,
          prefix: key.prefix,
          revoked_at: key.revokedAt.toISOString(),
        },
        { hubId, occurredAt: key.revokedAt },
      );
      return key;
    });
    this.verifier.forget(key.prefix);
    return toView(key);
  }
}
