import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type WidgetStatus } from '@ihf/contracts';

/** The smallest governable interaction unit of a UI (`ingestion.widgets`). */
export const Widget = defineEntity({
  name: 'Widget',
  tableName: 'widgets',
  properties: {
    id: p.uuid().primary(),
    hubId: p.uuid().fieldName('hub_id'),
    name: p.string(),
    widgetType: p.string().fieldName('widget_type'),
    capabilityRef: p.string().nullable().fieldName('capability_ref'),
    viewContext: p.string().nullable().fieldName('view_context'),
    policyScope: p.string().fieldName('policy_scope'),
    status: p.string().$type<WidgetStatus>(),
    version: p.integer(),
    adapterSpecId: p.uuid().nullable().fieldName('adapter_spec_id'),
    createdAt: p.datetime().fieldName('created_at'),
    updatedAt: p.datetime().fieldName('updated_at'),
  },
});

export type Widget = InferEntity<typeof Widget>;

/** One version of a widget's definition, as a full snapshot (`ingestion.widget_versions`). */
export const WidgetVersion = defineEntity({
  name: 'WidgetVersion',
  tableName: 'widget_versions',
  properties: {
    id: p.uuid().primary(),
    widgetId: p.uuid().fieldName('widget_id'),
    version: p.integer(),
    schemaSnapshot: p.json<Record<string, unknown>>().fieldName('schema_snapshot'),
    createdAt: p.datetime().fieldName('created_at'),
  },
});

export type WidgetVersion = InferEntity<typeof WidgetVersion>;
