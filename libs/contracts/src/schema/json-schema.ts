import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IS_ISO8601, IS_OPTIONAL, ValidationTypes, getMetadataStorage } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
// class-transformer keeps @Type() metadata here; needed to describe nested payload objects.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { allSubjects, contractFor } from '../events/event-contracts.js';
import { EVENT_EXAMPLES } from '../events/event-examples.js';
import { TRACEPARENT_PATTERN, versionOfSubject } from '../envelope/event-envelope.js';
import { presenceOf } from './presence.js';

/** A JSON Schema document (draft 2020-12 keywords, as produced from class-validator metadata). */
export type JsonSchema = Record<string, unknown>;

/** The dialect of every generated schema (also the AsyncAPI `schemaFormat` to declare). */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Consumers validate payloads with class-validator without `whitelist` (libs/messaging's
 * consumer runner: `forbidUnknownValues` only), so a property they do not know is ignored, not
 * refused. The schemas say the same, which lets a producer add an optional field within a
 * version.
 */
const ADDITIONAL_PROPERTIES = true;

const converterOptions = {
  classTransformerMetadataStorage: defaultMetadataStorage,
  refPointerPrefix: '#/$defs/',
  additionalConverters: {
    // Producers send `Date#toISOString()`; timestamps are instants, never bare dates.
    [IS_ISO8601]: { type: 'string' as const, format: 'date-time' },
  },
};

type ClassRef = new (...args: never[]) => object;

interface PropertyMeta {
  readonly type: string;
  readonly name?: string;
  readonly propertyName: string;
}

/** class-validator metadata of a class's properties, inherited ones included. */
function propertyMetas(cls: ClassRef): Map<string, PropertyMeta[]> {
  const byProperty = new Map<string, PropertyMeta[]>();
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    const list = byProperty.get(meta.propertyName) ?? [];
    list.push(meta);
    byProperty.set(meta.propertyName, list);
  }
  return byProperty;
}

/**
 * `schema` that also accepts null. Spelled `anyOf` rather than `type: [T, "null"]`, so that
 * validators in strict mode (ajv without `allowUnionTypes`) take the schemas as they are.
 */
function orNull(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, { type: 'null' }] };
}

/**
 * A payload class as JSON Schema, with presence as the class means it: a plain property is
 * required and non-null; `@Nullable()` is required and may be null; `@IsOptional()` may be
 * absent or null; `@RequiredWhen()` is required under its condition (`if`/`then`). Nested
 * classes (`@ValidateNested` + `@Type`) are collected into `defs`.
 */
function classSchema(cls: ClassRef, defs: Record<string, JsonSchema>): JsonSchema {
  const base = targetConstructorToSchema(cls, converterOptions) as JsonSchema;
  const baseProps = (base.properties ?? {}) as Record<string, JsonSchema>;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const conditional = new Map<string, { field: string; values: unknown[]; names: string[] }>();
  const conditionalSchemas = new Map<string, JsonSchema>();
  for (const [property, metas] of propertyMetas(cls)) {
    let schema = baseProps[property] ?? {};
    const presence = presenceOf(cls, property);
    const conditions = metas.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    if (conditions.some((m) => m.name === IS_OPTIONAL)) {
      schema = orNull(schema);
    } else if (presence?.kind === 'nullable') {
      schema = orNull(schema);
      required.push(property);
    } else if (presence?.kind === 'requiredWhen') {
      const key = `${presence.field}=${JSON.stringify(presence.values)}`;
      const entry = conditional.get(key) ?? {
        field: presence.field,
        values: [...presence.values],
        names: [],
      };
      entry.names.push(property);
      conditional.set(key, entry);
      // Not looked at unless the condition holds (then the `then` branch carries its schema).
      conditionalSchemas.set(property, schema);
      schema = {};
    } else if (conditions.length) {
      // A bare @ValidateIf cannot be told apart from data: say what it means instead.
      throw new Error(
        `${cls.name}.${property}: use @Nullable(), @IsOptional() or @RequiredWhen() instead of @ValidateIf()`,
      );
    } else {
      required.push(property);
    }
    for (const m of metas) {
      if (m.type !== ValidationTypes.NESTED_VALIDATION) continue;
      const child = defaultMetadataStorage.findTypeMetadata(cls, property)?.typeFunction() as
        ClassRef | undefined;
      if (child && !defs[child.name]) {
        defs[child.name] = {};
        defs[child.name] = classSchema(child, defs);
      }
    }
    properties[property] = schema;
  }
  const allOf = [...conditional.values()].map(({ field, values, names }) => ({
    if: {
      properties: { [field]: values.length === 1 ? { const: values[0] } : { enum: values } },
      required: [field],
    },
    then: {
      properties: Object.fromEntries(names.map((n) => [n, conditionalSchemas.get(n) ?? {}])),
      required: names,
    },
  }));
  return {
    type: 'object',
    properties,
    required,
    ...(allOf.length ? { allOf } : {}),
    additionalProperties: ADDITIONAL_PROPERTIES,
  };
}

/** The JSON Schema of a subject's payload alone, with the `$defs` its nested objects need. */
export function payloadJsonSchema(subject: string): JsonSchema {
  const contract = contractFor(subject);
  if (!contract) throw new Error(`No contract registered for subject '${subject}'`);
  const defs: Record<string, JsonSchema> = {};
  const payload = classSchema(contract.payload, defs);
  const example = (EVENT_EXAMPLES as Record<string, object>)[subject];
  return {
    ...payload,
    ...(example ? { examples: [example] } : {}),
    ...(Object.keys(defs).length ? { $defs: defs } : {}),
  };
}

/**
 * The JSON Schema of a subject's whole envelope, payload included, self-contained (`$defs`),
 * so that consumers in any language can validate what they receive. This is the message payload
 * an AsyncAPI document declares for the subject (see `asyncApiMessage`).
 */
export function eventJsonSchema(subject: string): JsonSchema {
  const contract = contractFor(subject);
  if (!contract) throw new Error(`No contract registered for subject '${subject}'`);
  const { $defs, ...payload } = payloadJsonSchema(subject);
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: `urn:ihf:event:${subject}`,
    title: subject,
    description: contract.description,
    type: 'object',
    // As libs/contracts' EventEnvelopeDto validates it (causation and aggregate may be absent).
    required: [
      'event_id',
      'type',
      'version',
      'occurred_at',
      'producer',
      'correlation_id',
      ...(contract.hubScoped ? ['hub_id'] : []),
      'payload',
    ],
    properties: {
      event_id: { type: 'string', format: 'uuid' },
      type: { const: subject },
      version: { const: versionOfSubject(subject) },
      occurred_at: { type: 'string', format: 'date-time' },
      producer: { type: 'string', maxLength: 64 },
      correlation_id: { type: 'string', maxLength: 128 },
      causation_id: orNull({ type: 'string', maxLength: 128 }),
      hub_id: contract.hubScoped
        ? { type: 'string', format: 'uuid' }
        : orNull({ type: 'string', format: 'uuid' }),
      aggregate_id: orNull({ type: 'string', maxLength: 128 }),
      aggregate_version: orNull({ type: 'integer', minimum: 0 }),
      // W3C trace context (CloudEvents distributed-tracing extension), when the producer traced.
      traceparent: { type: 'string', pattern: TRACEPARENT_PATTERN.source },
      tracestate: { type: 'string', maxLength: 512 },
      payload,
    },
    additionalProperties: ADDITIONAL_PROPERTIES,
    ...($defs ? { $defs } : {}),
  };
}

/** Every registered subject's schema, keyed by subject. */
export function allEventJsonSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(allSubjects().map((s) => [s, eventJsonSchema(s)]));
}

/**
 * A subject as an AsyncAPI 3 message object, its payload being the very schema committed in
 * `libs/contracts/schemas/<subject>.json`, so that an AsyncAPI document and the schema files
 * have one source.
 */
export function asyncApiMessage(subject: string): JsonSchema {
  const contract = contractFor(subject);
  if (!contract) throw new Error(`No contract registered for subject '${subject}'`);
  return {
    name: subject,
    title: subject,
    summary: contract.description,
    contentType: 'application/json',
    payload: {
      schemaFormat: `application/schema+json;version=draft-2020-12`,
      schema: eventJsonSchema(subject),
    },
  };
}

/**
 * Where the generated schemas are committed (`npm run contracts:schemas` writes them), for
 * consumers in other languages; a unit test keeps them identical to `eventJsonSchema`.
 */
export const COMMITTED_SCHEMAS_DIR = join(__dirname, '..', '..', 'schemas');

/** The committed schema file of a subject, or undefined when there is none. */
export function committedEventJsonSchema(subject: string): JsonSchema | undefined {
  const file = join(COMMITTED_SCHEMAS_DIR, `${subject}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JsonSchema) : undefined;
}
