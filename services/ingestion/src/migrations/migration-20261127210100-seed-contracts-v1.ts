import { Migration } from '@mikro-orm/migrations';

const S = '"ingestion"';

// Frozen copies of the v1.0 contracts: a later change is a new contract version, never an edit.
const ENVELOPE_V1_RULES = [
  {
    id: 'widget_id_uuid',
    check: 'format',
    path: 'attributes.data-widget-id',
    format: 'uuid',
    reason: 'invalid_widget_id',
  },
  {
    id: 'hub_id_uuid',
    check: 'format',
    path: 'attributes.data-hub-id',
    format: 'uuid',
    reason: 'invalid_hub_id',
  },
  {
    id: 'view_context_length',
    check: 'max_length',
    path: 'attributes.data-view-context',
    max: 500,
    reason: 'invalid_view_context',
  },
];

const REPORTING_V1_RULES = [
  { id: 'id_uuid', check: 'format', path: 'event.id', format: 'uuid', reason: 'invalid_id' },
  {
    id: 'hub_id_uuid',
    check: 'format',
    path: 'event.hub_id',
    format: 'uuid',
    reason: 'invalid_field',
  },
  {
    id: 'widget_id_uuid',
    check: 'format',
    path: 'event.widget_id',
    format: 'uuid',
    reason: 'invalid_field',
  },
  {
    id: 'event_type_string',
    check: 'max_length',
    path: 'event.event_type',
    max: 100,
    reason: 'invalid_field',
  },
  {
    id: 'occurred_at_timestamp',
    check: 'format',
    path: 'event.occurred_at',
    format: 'timestamp',
    reason: 'invalid_field',
  },
  {
    id: 'actor_id_uuid',
    check: 'format',
    path: 'event.actor_id',
    format: 'uuid',
    reason: 'invalid_field',
  },
  {
    id: 'actor_type_known',
    check: 'one_of',
    path: 'event.actor_type',
    values: ['user', 'agent', 'system', 'anonymous'],
    reason: 'invalid_field',
  },
  {
    id: 'view_context_ref_length',
    check: 'max_length',
    path: 'event.view_context_ref',
    max: 500,
    reason: 'invalid_field',
  },
  {
    id: 'widget_version_integer',
    check: 'format',
    path: 'event.widget_version',
    format: 'positive_integer',
    reason: 'invalid_field',
  },
  {
    id: 'metadata_object',
    check: 'format',
    path: 'event.metadata',
    format: 'object',
    reason: 'invalid_field',
  },
  {
    id: 'metadata_bounds',
    check: 'json_bounds',
    path: 'event.metadata',
    max_bytes: 8192,
    max_depth: 5,
    reason: 'metadata_too_large',
  },
  {
    id: 'hub_matches_key',
    check: 'equals',
    path: 'event.hub_id',
    other: 'key.hub_id',
    reason: 'hub_mismatch',
  },
  {
    id: 'event_type_accepted',
    check: 'one_of',
    path: 'event.event_type',
    values_from: 'contract.accepted_event_types',
    reason: 'event_type_not_accepted',
  },
  {
    id: 'occurred_at_not_future',
    check: 'not_after',
    path: 'event.occurred_at',
    offset_seconds: 300,
    reason: 'occurred_at_in_future',
  },
  {
    id: 'occurred_at_not_stale',
    check: 'not_before',
    path: 'event.occurred_at',
    offset_seconds: -30 * 86400,
    reason: 'occurred_at_too_old',
  },
  { id: 'widget_known', check: 'present', path: 'widget.id', reason: 'unknown_widget' },
  {
    id: 'widget_in_hub',
    check: 'equals',
    path: 'widget.hub_id',
    other: 'event.hub_id',
    reason: 'widget_not_in_hub',
  },
  {
    id: 'widget_active',
    check: 'one_of',
    path: 'widget.status',
    values: ['active'],
    reason: 'widget_not_active',
  },
];

const json = (value: unknown) => `'${JSON.stringify(value).replace(/'/g, "''")}'::jsonb`;

/**
 * The seed's last change, re-homed: the v1.0 envelope emission and interaction reporting
 * contracts (active) and the adapter specs implementing them.
 */
export class SeedContractsV1 extends Migration {
  override up(): void {
    this.addSql(`insert into ${S}.envelope_emission_contracts
      (id, contract_version, required_attributes, optional_attributes, validation_rules, description, status)
      values ('00000000-0000-4000-a000-00000000e010', '1.0',
        ${json(['data-widget-id', 'data-view-context', 'data-hub-id'])},
        ${json(['data-capability-ref', 'data-policy-scope', 'data-widget-version', 'data-adapter'])},
        ${json(ENVELOPE_V1_RULES)},
        'IHF widget envelope v1.0: the data-* attributes every widget root element carries.',
        'active')`);
    this.addSql(`insert into ${S}.interaction_reporting_contracts
      (id, contract_version, endpoint_path, accepted_event_types, required_fields, auth_scheme, validation_rules, description, status)
      values ('00000000-0000-4000-a000-00000000e110', '1.0', '/api/v1/interaction-events',
        ${json(['clicked', 'viewed', 'submitted', 'focused', 'blurred', 'changed', 'hovered', 'dismissed', 'errored'])},
        ${json(['widget_id', 'hub_id', 'event_type', 'occurred_at'])},
        'bearer',
        ${json(REPORTING_V1_RULES)},
        'Interaction reporting v1.0: events posted by non-IHP adapters with a hub API key.',
        'active')`);
    const specs: [string, string, string, string][] = [
      ['00000000-0000-4000-a000-00000000a001', 'react-18', 'react', 'React 18 adapter'],
      ['00000000-0000-4000-a000-00000000a002', 'vue-3', 'vue', 'Vue 3 adapter'],
      [
        '00000000-0000-4000-a000-00000000a003',
        'web-component',
        'vanilla',
        'Custom elements adapter',
      ],
      ['00000000-0000-4000-a000-00000000a004', 'angular-17', 'angular', 'Angular 17 adapter'],
    ];
    for (const [id, name, framework, notes] of specs) {
      this.addSql(`insert into ${S}.widget_adapter_specs
        (id, name, framework, version, envelope_contract_id, reporting_contract_id, status, notes)
        values ('${id}', '${name}', '${framework}', '1.0',
          '00000000-0000-4000-a000-00000000e010', '00000000-0000-4000-a000-00000000e110',
          'active', '${notes}')`);
    }
  }
}
