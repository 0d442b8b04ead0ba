import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import {
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
