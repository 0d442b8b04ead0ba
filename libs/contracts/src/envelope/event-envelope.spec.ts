import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { EventEnvelopeDto } from './event-envelope.js';

const envelope = {
  event_id: '5b0f4c1e-8d1a-4c4e-9a55-0c7f7e1f2a10',
  type: 'ihf.identity.user.created.v1',
  version: 1,
  occurred_at: '2026-12-08T10:00:00.000Z',
  producer: 'identity',
  correlation_id: 'c-1',
  causation_id: null,
  hub_id: null,
  payload: {},
};

async function errorsOf(extra: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(EventEnvelopeDto, { ...envelope, ...extra }));
  return errors.map((e) => e.property);
}

describe('EventEnvelopeDto: W3C trace context fields', () => {
  it('accepts an envelope without them, and with a well-formed traceparent and tracestate', async () => {
    expect(await errorsOf({})).toEqual([]);
    expect(
      await errorsOf({
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        tracestate: 'vendor=value',
      }),
    ).toEqual([]);
  });

  it('refuses a malformed traceparent and an oversized tracestate', async () => {
    expect(await errorsOf({ traceparent: 'not-a-traceparent' })).toEqual(['traceparent']);
    expect(
      await errorsOf({ traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01' }),
    ).toEqual(['traceparent']);
    expect(await errorsOf({ tracestate: 'x'.repeat(513) })).toEqual(['tracestate']);
  });
});
