import {
  IsArray,
  IsIn,
  IsISO8601,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ArrayMaxSize,
} from 'class-validator';
import { Nullable } from '../../schema/presence.js';
import {
  ACTOR_TYPES,
  ADAPTER_SPEC_STATUSES,
  ANNOTATION_CATEGORIES,
  CONTRACT_STATUSES,
  NON_BLANK_PATTERN,
  REGISTRY_STATUSES,
  SEVERITIES,
  WIDGET_STATUSES,
  type ActorType,
  type AdapterSpecStatus,
  type AnnotationCategory,
  type ContractStatus,
  type RegistryStatus,
  type Severity,
  type WidgetStatus,
} from '../../value-sets/value-sets.js';

/** A hub as events describe it. */
class HubFields {
  @IsUUID()
  hub_id!: string;

  @IsString()
  @MaxLength(100)
  slug!: string;

  @IsString()
  @MaxLength(200)
  name!: string;

  @IsString()
  @MaxLength(253)
  domain!: string;
}

/** `ihf.ingestion.hub.created.v1`: a hub was created. */
export class HubCreatedV1 extends HubFields {
  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.ingestion.hub.updated.v1`: a hub's name, slug or domain changed (full new state). */
export class HubUpdatedV1 extends HubFields {
  @IsISO8601({ strict: true })
  updated_at!: string;
}

/** `ihf.ingestion.api_key.created.v1`: a hub API key was issued (never the key itself). */
export class ApiKeyCreatedV1 {
  @IsUUID()
  key_id!: string;

  @IsUUID()
  hub_id!: string;

  @IsString()
  @MaxLength(16)
  prefix!: string;

  @Nullable()
  @IsString()
  @MaxLength(200)
  label!: string | null;

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.ingestion.api_key.revoked.v1`: a hub API key was revoked. */
export class ApiKeyRevokedV1 {
  @IsUUID()
  key_id!: string;

  @IsUUID()
  hub_id!: string;

  @IsString()
  @MaxLength(16)
  prefix!: string;

  @IsISO8601({ strict: true })
  revoked_at!: string;
}

/** The full definition of a widget at one version, as events and the look-up carry it. */
export class WidgetSnapshotV1 {
  @IsUUID()
  widget_id!: string;

  @IsUUID()
  hub_id!: string;

  @IsString()
  @MaxLength(200)
  name!: string;

  @IsString()
  @MaxLength(100)
  widget_type!: string;

  @Nullable()
  @IsString()
  @MaxLength(500)
  capability_ref!: string | null;

  @Nullable()
  @IsString()
  @MaxLength(500)
  view_context!: string | null;

  @IsString()
  @MaxLength(100)
  policy_scope!: string;

  @IsIn(WIDGET_STATUSES)
  status!: WidgetStatus;

  @Nullable()
  @IsUUID()
  adapter_spec_id!: string | null;

  @IsInt()
  @Min(1)
  version!: number;
}

/** `ihf.ingestion.widget.registered.v1`: a widget was registered in a hub (version 1). */
export class WidgetRegisteredV1 extends WidgetSnapshotV1 {
  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.ingestion.widget.updated.v1`: a widget's definition changed; `version` is the new one. */
export class WidgetUpdatedV1 extends WidgetSnapshotV1 {
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  changed_fields!: string[];

  @IsISO8601({ strict: true })
  updated_at!: string;
}

/** `ihf.ingestion.widget.status_changed.v1`: active → deprecated → retired. */
export class WidgetStatusChangedV1 {
  @IsUUID()
  widget_id!: string;

  @IsUUID()
  hub_id!: string;

  @IsIn(WIDGET_STATUSES)
  from!: WidgetStatus;

  @IsIn(WIDGET_STATUSES)
  to!: WidgetStatus;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  changed_at!: string;
}

/** `ihf.ingestion.envelope_contract.created.v1`: an envelope emission contract was drafted. */
export class EnvelopeContractCreatedV1 {
  @IsUUID()
  contract_id!: string;

  @IsString()
  @MaxLength(20)
  contract_version!: string;

  @IsArray()
  @IsString({ each: true })
  required_attributes!: string[];

  @IsArray()
  @IsString({ each: true })
  optional_attributes!: string[];

  @IsArray()
  @IsObject({ each: true })
  validation_rules!: Record<string, unknown>[];

  @IsIn(CONTRACT_STATUSES)
  status!: ContractStatus;
}

/** `ihf.ingestion.reporting_contract.created.v1`: an interaction reporting contract was drafted. */
export class ReportingContractCreatedV1 {
  @IsUUID()
  contract_id!: string;

  @IsString()
  @MaxLength(20)
  contract_version!: string;

  @IsString()
  @MaxLength(200)
  endpoint_path!: string;

  @IsArray()
  @IsString({ each: true })
  accepted_event_types!: string[];

  @IsArray()
  @IsString({ each: true })
  required_fields!: string[];

  @IsString()
  @MaxLength(50)
  auth_scheme!: string;

  @IsArray()
  @IsObject({ each: true })
  validation_rules!: Record<string, unknown>[];

  @IsIn(CONTRACT_STATUSES)
  status!: ContractStatus;
}

/** `ihf.ingestion.adapter_spec.created.v1`: a widget adapter spec was registered. */
export class AdapterSpecCreatedV1 {
  @IsUUID()
  adapter_spec_id!: string;

  @IsString()
  @MaxLength(100)
  name!: string;

  @IsString()
  @MaxLength(100)
  framework!: string;

  @IsString()
  @MaxLength(20)
  version!: string;

  @Nullable()
  @IsUUID()
  envelope_contract_id!: string | null;

  @Nullable()
  @IsUUID()
  reporting_contract_id!: string | null;

  @IsIn(ADAPTER_SPEC_STATUSES)
  status!: AdapterSpecStatus;
}

/**
 * `ihf.ingestion.{envelope_contract,reporting_contract,adapter_spec}.status_changed.v1`: a
 * registry entry moved in its lifecycle (activating a contract supersedes the previous active one,
 * which gets its own event).
 */
export class RegistryStatusChangedV1 {
  @IsUUID()
  id!: string;

  /** `contract_version` of a contract, `name` of an adapter spec. */
  @IsString()
  @MaxLength(100)
  label!: string;

  @IsIn(REGISTRY_STATUSES)
  from!: RegistryStatus;

  @IsIn(REGISTRY_STATUSES)
  to!: RegistryStatus;

  @IsISO8601({ strict: true })
  changed_at!: string;
}

/**
 * `ihf.ingestion.annotation.submitted.v1`: an external UI submitted feedback on a widget through
 * the reporting API; the feedback service stores it. `annotation_id` is the client's id (and the
 * event id), so a retried submission is the same event.
 */
export class AnnotationSubmittedV1 {
  @IsUUID()
  annotation_id!: string;

  @IsUUID()
  hub_id!: string;

  @IsUUID()
  widget_id!: string;

  /** The widget version the feedback was given against. */
  @IsInt()
  @Min(1)
  widget_version!: number;

  @Nullable()
  @IsUUID()
  parent_id!: string | null;

  @IsString()
  @Matches(NON_BLANK_PATTERN)
  @MaxLength(10_000)
  body!: string;

  @IsIn(ANNOTATION_CATEGORIES)
  category!: AnnotationCategory;

  @IsIn(SEVERITIES)
  severity!: Severity;

  @Nullable()
  @IsUUID()
  actor_id!: string | null;

  @IsIn(ACTOR_TYPES)
  actor_type!: ActorType;

  @Nullable()
  @IsString()
  @MaxLength(500)
  widget_state_ref!: string | null;

  @IsISO8601({ strict: true })
  submitted_at!: string;
}

/**
 * `ihf.ingestion.interaction.recorded.v1` (stream IHF_EVENTS): an interaction event stored by
 * ingestion, relayed from `ingestion.interaction_events`. `event_id` is the client's id and the
 * `Nats-Msg-Id`.
 */
export class InteractionRecordedV1 {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  hub_id!: string;

  @IsUUID()
  widget_id!: string;

  /** The widget version the event was reported against. */
  @IsInt()
  @Min(1)
  widget_version!: number;

  @IsString()
  @MaxLength(100)
  event_type!: string;

  @Nullable()
  @IsUUID()
  actor_id!: string | null;

  @IsString()
  @MaxLength(50)
  actor_type!: string;

  @Nullable()
  @IsString()
  @MaxLength(500)
  view_context_ref!: string | null;

  @IsObject()
  metadata!: Record<string, unknown>;

  @IsISO8601({ strict: true })
  occurred_at!: string;

  @IsISO8601({ strict: true })
  received_at!: string;
}
