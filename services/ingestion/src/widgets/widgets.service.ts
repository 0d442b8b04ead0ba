import { decodeCursor, type Page, toPage } from '@ihf/platform';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { type AuthenticatedUser, assertHubAccess, canAccessHub } from '@ihf/auth';
import { Subjects, type WidgetSnapshotV1, type WidgetStatus } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { AdapterSpec } from '../contracts/contract.entities.js';
import { HubsService } from '../hubs/hubs.service.js';
import { WidgetFactsCache } from '../reporting/widget-facts.cache.js';
import {
  type ListWidgetsQueryDto,
  type RegisterWidgetDto,
  type UpdateWidgetDto,
  type WidgetVersionView,
  type WidgetView,
} from './dto/widget.dto.js';
import { Widget, WidgetVersion } from './widget.entity.js';
import { createdAfter, createdAtForCursor } from '../common/keyset.js';
import {
  AdapterSpecUnknownError,
  WidgetNotFoundError,
  WidgetRetiredError,
  WidgetTransitionNotAllowedError,
} from './widgets.errors.js';

/** Status lifecycle: active → deprecated → retired (a deprecation may be undone; retired is final). */
export const WIDGET_TRANSITIONS: Readonly<Record<WidgetStatus, readonly WidgetStatus[]>> = {
  active: ['deprecated', 'retired'],
  deprecated: ['active', 'retired'],
  retired: [],
};

/**
 * The fields that make up a widget's definition: changing one bumps `version` and writes a
 * snapshot. The status is part of it, so that events and feedback reported against a
 * deprecated widget are told apart, and consumers can order every widget event by version.
 */
const DEFINITION_FIELDS = [
  'name',
  'widget_type',
  'capability_ref',
  'view_context',
  'policy_scope',
  'adapter_spec_id',
  'status',
] as const;

export function toWidgetView(w: Widget): WidgetView {
  return {
    id: w.id,
    hub_id: w.hubId,
    name: w.name,
    widget_type: w.widgetType,
    capability_ref: w.capabilityRef ?? null,
    view_context: w.viewContext ?? null,
    policy_scope: w.policyScope,
    status: w.status,
    version: w.version,
    adapter_spec_id: w.adapterSpecId ?? null,
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
  };
}

export function toWidgetSnapshot(w: Widget): WidgetSnapshotV1 {
  return {
    widget_id: w.id,
    hub_id: w.hubId,
    name: w.name,
    widget_type: w.widgetType,
    capability_ref: w.capabilityRef ?? null,
    view_context: w.viewContext ?? null,
    policy_scope: w.policyScope,
    status: w.status,
    adapter_spec_id: w.adapterSpecId ?? null,
    version: w.version,
  };
}

function definitionOf(w: Widget): Record<(typeof DEFINITION_FIELDS)[number], unknown> {
  return {
    name: w.name,
    widget_type: w.widgetType,
    capability_ref: w.capabilityRef ?? null,
    view_context: w.viewContext ?? null,
    policy_scope: w.policyScope,
    adapter_spec_id: w.adapterSpecId ?? null,
    status: w.status,
  };
}

@Injectable()
export class WidgetsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(HubsService) private readonly hubs: HubsService,
    @Inject(WidgetFactsCache) private readonly widgetFacts: WidgetFactsCache,
  ) {}

  async register(
    user: AuthenticatedUser,
    hubId: string,
    dto: RegisterWidgetDto,
  ): Promise<WidgetView> {
    assertHubAccess(user, hubId);
    await this.hubs.assertExists(hubId);
    const now = new Date();
    const widget = await this.em.fork().transactional(async (em) => {
      if (dto.adapter_spec_id) await this.assertAdapterSpec(em, dto.adapter_spec_id);
      const widget = em.create(Widget, {
        id: randomUUID(),
        hubId,
        name: dto.name,
        widgetType: dto.widget_type,
        capabilityRef: dto.capability_ref ?? null,
        viewContext: dto.view_context ?? null,
        policyScope: dto.policy_scope ?? 'internal',
        status: dto.status ?? 'active',
        version: 1,
        adapterSpecId: dto.adapter_spec_id ?? null,
        createdAt: now,
        updatedAt: now,
      });
      // widget_versions references widgets; the ORM knows no relation to order the inserts by.
      await em.flush();
      this.snapshot(em, widget, now);
      this.outbox.add(
        em,
        Subjects.Ingestion.WidgetRegisteredV1,
        { ...toWidgetSnapshot(widget), created_at: now.toISOString() },
        { hubId, occurredAt: now, aggregateId: widget.id, aggregateVersion: 1 },
      );
      return widget;
    });
    return toWidgetView(widget);
  }

  async update(user: AuthenticatedUser, id: string, dto: UpdateWidgetDto): Promise<WidgetView> {
    const widget = await this.em.fork().transactional(async (em) => {
      const widget = await this.lockVisible(em, user, id);
      if (widget.status === 'retired') throw new WidgetRetiredError(id);
      if (dto.adapter_spec_id) await this.assertAdapterSpec(em, dto.adapter_spec_id);
      const before = definitionOf(widget);
      if (dto.name !== undefined) widget.name = dto.name;
      if (dto.widget_type !== undefined) widget.widgetType = dto.widget_type;
      if (dto.capability_ref !== undefined) widget.capabilityRef = dto.capability_ref;
      if (dto.view_context !== undefined) widget.viewContext = dto.view_context;
      if (dto.policy_scope !== undefined) widget.policyScope = dto.policy_scope;
      if (dto.adapter_spec_id !== undefined) widget.adapterSpecId = dto.adapter_spec_id;
      const after = definitionOf(widget);
      const changed = DEFINITION_FIELDS.filter((f) => before[f] !== after[f]);
      if (changed.length === 0) return widget;
      const now = new Date();
      widget.version += 1;
      widget.updatedAt = now;
      this.snapshot(em, widget, now);
      this.outbox.add(
        em,
        Subjects.Ingestion.WidgetUpdatedV1,
        {
          ...toWidgetSnapshot(widget),
          changed_fields: [...changed],
          updated_at: now.toISOString(),
        },
        {
          hubId: widget.hubId,
          occurredAt: now,
          aggregateId: widget.id,
          aggregateVersion: widget.version,
        },
      );
      return widget;
    });
    this.widgetFacts.forget(id);
    return toWidgetView(widget);
  }

  async changeStatus(user: AuthenticatedUser, id: string, to: WidgetStatus): Promise<WidgetView> {
    const widget = await this.em.fork().transactional(async (em) => {
      const widget = await this.lockVisible(em, user, id);
      const from = widget.status;
      if (from === to) return widget;
      const allowed = WIDGET_TRANSITIONS[from];
      if (!allowed.includes(to)) throw new WidgetTransitionNotAllowedError(from, to, allowed);
      const now = new Date();
      widget.status = to;
      widget.version += 1;
      widget.updatedAt = now;
      this.snapshot(em, widget, now);
      this.outbox.add(
        em,
        Subjects.Ingestion.WidgetStatusChangedV1,
        {
          widget_id: id,
          hub_id: widget.hubId,
          from,
          to,
          version: widget.version,
          changed_at: now.toISOString(),
        },
        { hubId: widget.hubId, occurredAt: now, aggregateId: id, aggregateVersion: widget.version },
      );
      return widget;
    });
    this.widgetFacts.forget(id);
    return toWidgetView(widget);
  }

  async get(user: AuthenticatedUser, id: string): Promise<WidgetView> {
    return toWidgetView(await this.findVisible(this.em.fork(), user, id));
  }

  /** The widget, for other services (no user: the caller is a trusted service on the bus). */
  async findSnapshot(id: string): Promise<WidgetSnapshotV1 | null> {
    const widget = await this.em.fork().findOne(Widget, { id });
    return widget ? toWidgetSnapshot(widget) : null;
  }

  async versions(user: AuthenticatedUser, id: string): Promise<{ items: WidgetVersionView[] }> {
    const em = this.em.fork();
    await this.findVisible(em, user, id);
    const rows = await em.find(WidgetVersion, { widgetId: id }, { orderBy: { version: 'asc' } });
    return {
      items: rows.map((r) => ({
        widget_id: r.widgetId,
        version: r.version,
        snapshot: r.schemaSnapshot,
        created_at: r.createdAt.toISOString(),
      })),
    };
  }

  async list(
    user: AuthenticatedUser,
    hubId: string,
    q: ListWidgetsQueryDto,
  ): Promise<Page<WidgetView>> {
    assertHubAccess(user, hubId);
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor);
    const rows = await this.em.fork().find(
      Widget,
      {
        hubId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.widget_type ? { widgetType: q.widget_type } : {}),
        ...(q.adapter_spec_id ? { adapterSpecId: q.adapter_spec_id } : {}),
        ...(q.view_context ? { viewContext: q.view_context } : {}),
        ...(q.policy_scope ? { policyScope: q.policy_scope } : {}),
        ...(after ? createdAfter(after) : {}),
      },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 },
    );
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    const lastAt = last ? await createdAtForCursor(this.em, 'ingestion.widgets', last) : '';
    return toPage(rows, limit, (w) => ({ at: lastAt, id: w.id }), toWidgetView);
  }

  private snapshot(em: EntityManager, widget: Widget, at: Date): void {
    em.create(WidgetVersion, {
      id: randomUUID(),
      widgetId: widget.id,
      version: widget.version,
      schemaSnapshot: { hub_id: widget.hubId, ...definitionOf(widget) },
      createdAt: at,
    });
  }

  private async findVisible(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
  ): Promise<Widget> {
    const widget = await em.findOne(Widget, { id });
    // Addressed by its own id: a widget of another hub reads as missing.
    if (!widget || !canAccessHub(user, widget.hubId)) throw new WidgetNotFoundError(id);
    return widget;
  }

  private async lockVisible(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
  ): Promise<Widget> {
    const widget = await em.findOne(Widget, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!widget || !canAccessHub(user, widget.hubId)) throw new WidgetNotFoundError(id);
    return widget;
  }

  private async assertAdapterSpec(em: EntityManager, id: string): Promise<void> {
    if ((await em.count(AdapterSpec, { id })) === 0) throw new AdapterSpecUnknownError(id);
  }
}
