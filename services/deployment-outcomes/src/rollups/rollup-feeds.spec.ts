import { randomUUID } from 'node:crypto';
import { parseAnnotation } from './annotation-rollup.feed.js';
import { parseInteraction } from './interaction-rollup.feed.js';

const HUB = randomUUID();
const WIDGET = randomUUID();

describe('rollup feeds', () => {
  const interaction = (payload: Record<string, unknown>) => ({
    subject: 'ihf.ingestion.interaction.recorded.v1',
    data: {
      payload: {
        hub_id: HUB,
        widget_id: WIDGET,
        widget_version: 2,
        event_type: 'view',
        metadata: { session_id: 'abc' },
        occurred_at: '2026-12-07T10:00:59.999Z',
        ...payload,
      },
    },
  });

  it('counts an interaction in its minute, with its session', () => {
    expect(parseInteraction(interaction({}))).toEqual({
      hubId: HUB,
      widgetId: WIDGET,
      widgetVersion: 2,
      eventType: 'view',
      minute: Date.parse('2026-12-07T10:00:00.000Z'),
      session: 'abc',
    });
    expect(parseInteraction(interaction({ metadata: {} }))).toMatchObject({ session: null });
  });

  it('refuses what breaks the contract and ignores other subjects', () => {
    expect(parseInteraction(interaction({ widget_version: 0 }))).toBeInstanceOf(Error);
    expect(parseInteraction(interaction({ occurred_at: 'yesterday' }))).toBeInstanceOf(Error);
    expect(parseInteraction(interaction({ hub_id: 'x' }))).toBeInstanceOf(Error);
    expect(parseInteraction({ subject: 'ihf.ingestion.interaction.other.v1', data: {} })).toBe(
      undefined,
    );
  });

  it('counts created annotations and ignores retractions', () => {
    const data = {
      hub_id: HUB,
      payload: {
        widget_id: WIDGET,
        category: 'friction',
        severity: 'high',
        created_at: '2026-12-07T10:00:00Z',
      },
    };
    expect(parseAnnotation({ subject: 'ihf.feedback.annotation.created.v1', data })).toMatchObject({
      category: 'friction',
      severity: 'high',
    });
    expect(parseAnnotation({ subject: 'ihf.feedback.annotation.retracted.v1', data })).toBe(
      undefined,
    );
    expect(
      parseAnnotation({
        subject: 'ihf.feedback.annotation.created.v1',
        data: { ...data, payload: { ...data.payload, severity: 'apocalyptic' } },
      }),
    ).toBeInstanceOf(Error);
  });
});
