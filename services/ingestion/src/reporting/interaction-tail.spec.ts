import { tailTimeToIso } from '@ihf/messaging';
import { interactionMessage } from './interaction-tail';

// The relay's fast path (metadata as stored text, times as Postgres' UTC text) must put on the
// wire exactly what the plain path (parsed row, as the reconciler reads it) does.
describe('interaction message', () => {
  const metadata = {
    page: '/checkout?step=2&x="y"',
    nested: { a: [1, 2.5, null, true], 'key with "quotes"': 'ünïcødé ✓ \\ back' },
    emoji: '😀',
    empty: {},
  };
  const base = {
    id: '6f1c2b9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    hub_id: '7f1c2b9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    widget_id: '8f1c2b9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
    widget_version: 3,
    event_type: 'clicked',
    actor_id: null,
    actor_type: 'user',
    view_context_ref: 'view/"3"',
  };

  it('puts the same envelope on the wire from stored text as from a parsed row', () => {
    const plain = interactionMessage({
      ...base,
      metadata,
      occurred_at: new Date('2026-12-07T06:13:51.120Z'),
      received_at: new Date('2026-12-07T06:13:52.123Z'),
    });
    const fast = interactionMessage({
      ...base,
      metadata_json: JSON.stringify(metadata),
      occurred_at: '2026-12-07 06:13:51.12+00',
      received_at: '2026-12-07 06:13:52.123456+00',
    });
    expect(plain.data).toBeUndefined();
    expect(fast.data).toBeDefined();
    expect(JSON.parse(fast.data!)).toEqual(JSON.parse(JSON.stringify(plain.envelope)));
    // The object form stays complete as well.
    expect(JSON.parse(JSON.stringify(fast.envelope))).toEqual(JSON.parse(fast.data!));
  });

  it('keeps metadata that contains the text of the placeholder escape intact', () => {
    const tricky = { note: '\\u0000ihf:metadata\\u0000', other: '"\\u0000ihf:metadata\\u0000"' };
    const fast = interactionMessage({
      ...base,
      metadata_json: JSON.stringify(tricky),
      occurred_at: '2026-12-07 06:13:51+00',
      received_at: '2026-12-07 06:13:51+00',
    });
    const wire = JSON.parse(fast.data!) as { payload: { metadata: unknown } };
    expect(wire.payload.metadata).toEqual(tricky);
  });

  it.each([
    ['2026-12-07 06:13:51.123456+00', '2026-12-07T06:13:51.123Z'],
    ['2026-12-07 06:13:51.1+00', '2026-12-07T06:13:51.100Z'],
    ['2026-12-07 06:13:51+00', '2026-12-07T06:13:51.000Z'],
    ['1970-01-01 00:00:00.999999+00', '1970-01-01T00:00:00.999Z'],
  ])('turns Postgres UTC text %s into %s, as a Date would', (pgText, iso) => {
    expect(tailTimeToIso(pgText)).toBe(iso);
    expect(tailTimeToIso(new Date(iso))).toBe(iso);
  });

  it('falls back to a Date for other text, and refuses what is not a time', () => {
    expect(tailTimeToIso('2026-12-07 07:13:51.5+01')).toBe('2026-12-07T06:13:51.500Z');
    expect(() => tailTimeToIso('yesterday')).toThrow('Not a time');
    expect(() => tailTimeToIso(undefined)).toThrow('Not a time');
  });
});
