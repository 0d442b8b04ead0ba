import { uuid } from './uuid.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid', () => {
  const real = globalThis.crypto;
  afterEach(() => Object.defineProperty(globalThis, 'crypto', { value: real, configurable: true }));

  it('uses crypto.randomUUID when present', () => {
    expect(uuid()).toMatch(V4);
  });

  it.each([
    [
      'getRandomValues only (insecure context)',
      { getRandomValues: real.getRandomValues.bind(real) },
    ],
    ['no crypto at all', undefined],
  ])('falls back to v4 UUIDs with %s', (_name, crypto) => {
    Object.defineProperty(globalThis, 'crypto', { value: crypto, configurable: true });
    const ids = new Set(Array.from({ length: 200 }, () => uuid()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(V4);
  });
});
