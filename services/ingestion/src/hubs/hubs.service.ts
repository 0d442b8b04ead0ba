import { decodeCursor, type Page, toPage } from '@ihf/platform';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { accessibleHubIds, type AuthenticatedUser, assertHubAccess, canAccessHub } from '@ihf/auth';
import { Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { type CreateHubDto, type HubView, type UpdateHubDto } from './dto/hub.dto.js';
import { Hub } from './hub.entity.js';
import { HubNotFoundError, HubSlugTakenError } from './hubs.errors.js';
import { createdAfter, createdAtForCursor } from '../common/keyset.js';

export function toHubView(hub: Hub): HubView {
  return {
    id: hub.id,
    slug: hub.slug,
    name: hub.name,
    domain: hub.domain,
    created_at: hub.createdAt.toISOString(),
    updated_at: hub.updatedAt.toISOString(),
  };
}

@Injectable()
export class HubsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(Outbox) private readonly outbox: Outbox,
  ) {}

  async create(dto: CreateHubDto): Promise<HubView> {
    const now = new Date();
    const hub = await this.writeUnique(dto.slug, (em) => {
      const hub = em.create(Hub, {
        id: randomUUID(),
        slug: dto.slug,
        name: dto.name,
        domain: dto.domain,
        createdAt: now,
        updatedAt: now,
      });
      this.outbox.add(
        em,
        Subjects.Ingestion.HubCreatedV1,
        {
          hub_id: hub.id,
          slug: hub.slug,
          name: hub.name,
          domain: hub.domain,
          created_at: now.toISOString(),
        },
        { hubId: hub.id, occurredAt: now },
      );
      return Promise.resolve(hub);
    });
    return toHubView(hub);
  }

  async update(user: AuthenticatedUser, id: string, dto: UpdateHubDto): Promise<HubView> {
    assertHubAccess(user, id);
    const hub = await this.writeUnique(dto.slug ?? '', async (em) => {
      const hub = await em.findOne(Hub, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!hub) throw new HubNotFoundError(id);
      const changed =
        (dto.slug !== undefined && dto.slug !== hub.slug) ||
        (dto.name !== undefined && dto.name !== hub.name) ||
        (dto.domain !== undefined && dto.domain !== hub.domain);
      if (!changed) return hub;
      hub.slug = dto.slug ?? hub.slug;
      hub.name = dto.name ?? hub.name;
      hub.domain = dto.domain ?? hub.domain;
      hub.updatedAt = new Date();
      this.outbox.add(
        em,
        Subjects.Ingestion.HubUpdatedV1,
        {
          hub_id: hub.id,
          slug: hub.slug,
          name: hub.name,
          domain: hub.domain,
          updated_at: hub.updatedAt.toISOString(),
        },
        { hubId: hub.id, occurredAt: hub.updatedAt },
      );
      return hub;
    });
    return toHubView(hub);
  }

  async get(user: AuthenticatedUser, id: string): Promise<HubView> {
    // Addressed by its own id: another hub reads as missing.
    const hub = canAccessHub(user, id) ? await this.em.fork().findOne(Hub, { id }) : null;
    if (!hub) throw new HubNotFoundError(id);
    return toHubView(hub);
  }

  /** Throws {@link HubNotFoundError} unless the hub exists (after the caller's access check). */
  async assertExists(id: string): Promise<void> {
    const count = await this.em.fork().count(Hub, { id });
    if (count === 0) throw new HubNotFoundError(id);
  }

  async list(user: AuthenticatedUser, limit = 50, cursor?: string): Promise<Page<HubView>> {
    const after = decodeCursor(cursor);
    const scope = accessibleHubIds(user);
    const hubs = await this.em.fork().find(
      Hub,
      {
        ...(scope === 'all' ? {} : { id: { $in: [...scope] } }),
        ...(after ? createdAfter(after) : {}),
      },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 },
    );
    const last = hubs.length > limit ? hubs[limit - 1] : undefined;
    const lastAt = last ? await createdAtForCursor(this.em, 'ingestion.hubs', last) : '';
    return toPage(hubs, limit, (h) => ({ at: lastAt, id: h.id }), toHubView);
  }

  private async writeUnique(slug: string, work: (em: EntityManager) => Promise<Hub>): Promise<Hub> {
    try {
      return await this.em.fork().transactional(work);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new HubSlugTakenError(slug);
      throw error;
    }
  }
}
