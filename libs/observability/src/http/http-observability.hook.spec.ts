import { acceptIncomingId, contextFromHeaders } from './http-observability.hook.js';

describe('acceptIncomingId', () => {
  it.each(['4f1c2a9e-1d2b-4c3d-8e9f-0a1b2c3d4e5f', 'req-123', 'a.b:c_d'])('keeps %s', (id) => {
    expect(acceptIncomingId(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['with spaces', 'a b'],
    ['with a newline (log injection)', 'a\nb'],
    ['with markup', '<script>'],
    ['repeated header', ['a', 'b']],
    ['absent', undefined],
  ])('rejects an id %s', (_case, id) => {
    expect(acceptIncomingId(id)).toBeUndefined();
  });
});

describe('contextFromHeaders', () => {
  it('takes both ids from the headers', () => {
    expect(contextFromHeaders({ 'x-request-id': 'r1', 'x-correlation-id': 'c1' })).toEqual({
      requestId: 'r1',
      correlationId: 'c1',
    });
  });

  it('generates a request id and starts a chain with it when none is given', () => {
    const ctx = contextFromHeaders({ 'x-correlation-id': 'bad value' });
    expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.correlationId).toBe(ctx.requestId);
  });
});
