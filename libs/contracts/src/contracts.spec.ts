import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validate, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  ANNOTATION_CATEGORIES,
  EVENT_EXAMPLES,
  SEVERITIES,
  asyncApiMessage,
  eventJsonSchema,
  payloadJsonSchema,
  EVENT_CONTRACTS,
  STREAMS,
  SUBJECT_PATTERN,
  allEventJsonSchemas,
  allSubjects,
  contractFor,
  deadLetterSubject,
  streamForSubject,
  subjectMatches,
  versionOfSubject,
  type PayloadOf,
} from './index.js';

describe('event contracts', () => {
  it('names every subject ihf.<service>.<aggregate>.<event>.v<N>', () => {
    for (const subject of allSubjects()) expect(subject).toMatch(SUBJECT_PATTERN);
    expect(versionOfSubject('ihf.identity.user.created.v1')).toBe(1);
    expect(versionOfSubject('ihf.a.b.c.v12')).toBe(12);
    expect(() => versionOfSubject('ihf.a.b.c')).toThrow();
  });

  it('captures every subject in exactly one stream, owned by its producing service', () => {
    for (const subject of allSubjects()) {
      const owners = Object.values(STREAMS).filter((s) =>
        s.subjects.some((f) => subjectMatches(f, subject)),
      );
      expect(owners.map((s) => s.name)).toHaveLength(1);
      const service = subject.split('.')[1];
      // Interaction events are ingestion's, kept in their own stream (ARCHITECTURE.md).
      const expected = subject.startsWith('ihf.ingestion.interaction.')
        ? 'IHF_EVENTS'
        : service === 'deployment'
          ? 'DEPLOYMENT'
          : service.toUpperCase();
      expect(owners[0].name).toContain(expected);
    }
    expect(streamForSubject(deadLetterSubject('feedback__x'))?.name).toBe('IHF_DLQ');
  });

  it('has no two streams whose filters overlap (JetStream refuses that)', () => {
    const filters = Object.values(STREAMS).flatMap((s) =>
      s.subjects.map((f) => ({ stream: s.name, f })),
    );
    for (const a of filters) {
      for (const b of filters) {
        if (a.stream === b.stream) continue;
        // A concrete probe under each filter must not be captured by the other.
        const probe = a.f.replace(/>$/, 'x.y').replace(/\*/g, 'x');
        expect({ probe, other: b.stream, captured: subjectMatches(b.f, probe) }).toEqual({
          probe,
          other: b.stream,
          captured: false,
        });
      }
    }
  });

  it('matches NATS wildcards like the server does', () => {
    expect(subjectMatches('ihf.>', 'ihf.a.b')).toBe(true);
    expect(subjectMatches('ihf.>', 'ihf')).toBe(false);
    expect(subjectMatches('ihf.*.b', 'ihf.a.b')).toBe(true);
    expect(subjectMatches('ihf.*.b', 'ihf.a.c')).toBe(false);
    expect(subjectMatches('ihf.a', 'ihf.a.b')).toBe(false);
  });

  it('validates payloads with the registered class', async () => {
    const good: PayloadOf<'ihf.identity.user.created.v1'> = {
      user_id: '7b0f4b6e-4c1e-4c57-9a0e-1f1d8a6e2f10',
      kind: 'user',
      name: 'Ada',
      roles: ['triager'],
      created_at: '2026-11-27T10:00:00.000Z',
    };
    const cls = contractFor('ihf.identity.user.created.v1')!.payload;
    expect(await validate(plainToInstance(cls, good))).toEqual([]);
    const bad = await validate(plainToInstance(cls, { ...good, roles: ['root'], user_id: 'x' }));
    expect(bad.map((e) => e.property).sort()).toEqual(['roles', 'user_id']);
    expect(contractFor('ihf.nope.x.y.v1')).toBeUndefined();
  });

  it('exports a self-contained JSON Schema per subject, identical to the committed files', () => {
    const schemas = allEventJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(EVENT_CONTRACTS).sort());
    const created = schemas['ihf.identity.user.created.v1'];
    const payload = (created.properties as Record<string, Record<string, unknown>>).payload;
    expect(payload.required).toEqual(expect.arrayContaining(['user_id', 'kind', 'name', 'roles']));
    const dir = join(__dirname, '..', 'schemas');
    const committed = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(committed.sort()).toEqual(
      Object.keys(schemas)
        .map((s) => `${s}.json`)
        .sort(),
    );
    for (const [subject, schema] of Object.entries(schemas)) {
      const onDisk: unknown = JSON.parse(readFileSync(join(dir, `${subject}.json`), 'utf8'));
      // Out of date? Run `npm run contracts:schemas` and commit the result.
      expect(onDisk).toEqual(schema);
    }
  });
});

describe('generated event schemas', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const envelopeOf = (subject: string, payload: unknown): Record<string, unknown> => ({
    event_id: '0f8e2a4c-1b3d-4e5f-8a9b-7c6d5e4f3a21',
    type: subject,
    version: versionOfSubject(subject),
    occurred_at: '2026-11-27T10:00:00.000Z',
    producer: subject.split('.')[1],
    correlation_id: 'corr-1',
    causation_id: null,
    hub_id: contractFor(subject)!.hubScoped ? '3f1c2a9e-0b7d-4c55-9a61-2d4e8f0a1b01' : null,
    aggregate_id: null,
    aggregate_version: null,
    payload,
  });
  /** Whether the consumer runner's validation accepts a payload (class-validator, its options). */
  const classAccepts = (subject: string, payload: object): boolean =>
    validateSync(plainToInstance(contractFor(subject)!.payload, payload), {
      forbidUnknownValues: true,
    }).length === 0;

  it.each(allSubjects())(
    '%s: schema and payload class agree on the example, on each field absent or null, and on unknown fields',
    (subject) => {
      const validate = ajv.compile(eventJsonSchema(subject));
      const schemaAccepts = (payload: object): boolean => validate(envelopeOf(subject, payload));
      const example = EVENT_EXAMPLES[subject] as Record<string, unknown>;
      expect(schemaAccepts(example)).toBe(true);
      expect(classAccepts(subject, example)).toBe(true);
      const disagreements: string[] = [];
      const properties = Object.keys(
        payloadJsonSchema(subject).properties as Record<string, unknown>,
      );
      for (const property of properties) {
        const { [property]: _removed, ...absent } = example;
        const variants: [string, object][] = [
          ['absent', absent],
          ['null', { ...example, [property]: null }],
        ];
        for (const [variant, payload] of variants) {
          const bySchema = schemaAccepts(payload);
          const byClass = classAccepts(subject, payload);
          if (bySchema !== byClass)
            disagreements.push(`${property} ${variant}: schema ${bySchema}, class ${byClass}`);
        }
      }
      expect(disagreements).toEqual([]);
      // Consumers ignore fields they do not know (no whitelist); so does the schema.
      const extended = { ...example, added_in_a_later_release: 1 };
      expect([schemaAccepts(extended), classAccepts(subject, extended)]).toEqual([true, true]);
    },
  );

  it('says which fields are sent as null and which may be left out, as issue 23 found them', () => {
    const payload = (s: string) =>
      eventJsonSchema(s).properties as Record<string, Record<string, unknown>>;
    const created = payload('ihf.feedback.annotation.created.v1').payload;
    expect(created.required).toEqual(
      expect.arrayContaining(['parent_id', 'thread_id', 'actor_id']),
    );
    expect((created.properties as Record<string, unknown>).parent_id).toEqual({
      anyOf: [{ format: 'uuid', type: 'string' }, { type: 'null' }],
    });
    const accepted = payload('ihf.agents.proposal.accepted.v1').payload;
    expect(accepted.required).not.toContain('notes');
    expect(accepted.required).not.toContain('candidate_id');
  });

  it('takes enums from the value sets of libs/contracts', () => {
    const props = (eventJsonSchema('ihf.ingestion.annotation.submitted.v1').properties as never)[
      'payload'
    ]['properties'] as Record<string, { enum?: unknown }>;
    expect(props.category.enum).toEqual([...ANNOTATION_CATEGORIES]);
    expect(props.severity.enum).toEqual([...SEVERITIES]);
  });

  it('serves the committed schema as the payload of an AsyncAPI message', () => {
    const subject = 'ihf.feedback.candidate.created.v1';
    const message = asyncApiMessage(subject) as { payload: { schema: unknown }; name: string };
    const onDisk: unknown = JSON.parse(
      readFileSync(join(__dirname, '..', 'schemas', `${subject}.json`), 'utf8'),
    );
    expect(message.name).toBe(subject);
    expect(message.payload.schema).toEqual(onDisk);
  });
});
