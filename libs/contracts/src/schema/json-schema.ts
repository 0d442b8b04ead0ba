import { getMetadataStorage } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
// class-transformer keeps @Type() metadata here; needed to describe nested payload objects.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { allSubjects, contractFor } from '../events/event-contracts.js';
import { versionOfSubject } from '../envelope/event-envelope.js';

/** A JSON Schema document (draft 2020-12 keywords, as produced from class-validator metadata). */
export type JsonSchema = Record<string, unknown>;

let cache: Record<string, JsonSchema> | undefined;

function classSchemas(): Record<string, JsonSchema> {
  cache ??= validationMetadatasToSchemas({
    classValidatorMetadataStorage: getMetadataStorage(),
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: '#/$defs/',
  }) as Record<string, JsonSchema>;
  return cache;
}

/**
 * The JSON Schema of a subject's whole envelope, payload included, self-contained (`$defs`),
 * so that consumers in any language can validate what they receive.
 */
export function eventJsonSchema(subject: string): JsonSchema {
  const contract = contractFor(subject);
  if (!contract) throw new Error(`No contract registered for subject '${subject}'`);
  const schemas = classSchemas();
  const payloadName = contract.payload.name;
  const payload = schemas[payloadName];
  if (!payload) throw new Error(`No validation metadata for ${payloadName}`);
  const defs: Record<string, JsonSchema> = {};
  collectRefs(payload, schemas, defs);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:ihf:event:${subject}`,
    title: subject,
    description: contract.description,
    type: 'object',
    required: [
      'event_id',
      'type',
      'version',
      'occurred_at',
      'producer',
      'correlation_id',
      'payload',
    ],
    properties: {
      event_id: { type: 'string', format: 'uuid' },
      type: { const: subject },
      version: { const: versionOfSubject(subject) },
      occurred_at: { type: 'string', format: 'date-time' },
      producer: { type: 'string', maxLength: 64 },
      correlation_id: { type: 'string', maxLength: 128 },
      causation_id: { type: ['string', 'null'], maxLength: 128 },
      hub_id: contract.hubScoped
        ? { type: 'string', format: 'uuid' }
        : { type: ['string', 'null'] },
      aggregate_id: { type: ['string', 'null'], maxLength: 128 },
      aggregate_version: { type: ['integer', 'null'], minimum: 0 },
      payload: { ...payload, additionalProperties: false },
    },
    ...(contract.hubScoped ? { allOf: [{ required: ['hub_id'] }] } : {}),
    ...(Object.keys(defs).length ? { $defs: defs } : {}),
  };
}

function collectRefs(
  node: unknown,
  schemas: Record<string, JsonSchema>,
  defs: Record<string, JsonSchema>,
): void {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
      const name = value.slice('#/$defs/'.length);
      if (!defs[name] && schemas[name]) {
        defs[name] = schemas[name];
        collectRefs(schemas[name], schemas, defs);
      }
    } else {
      collectRefs(value, schemas, defs);
    }
  }
}

/** Every registered subject's schema, keyed by subject. */
export function allEventJsonSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(allSubjects().map((s) => [s, eventJsonSchema(s)]));
}
