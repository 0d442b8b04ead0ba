import { findUnstorableText, jsonDepthExceeds, unstorableText } from './request-input.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts nesting of arrays and objects', () => {
    expect(jsonDepthExceeds(bytes('1'), 0)).toBe(false);
    expect(jsonDepthExceeds(bytes('[]'), 0)).toBe(true);
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[]}]}'), 4)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[]}]}'), 3)).toBe(true);
    // Siblings do not add up.
    expect(jsonDepthExceeds(bytes('[[],[],[[]]]'), 3)).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes('["[[[[", "{{{{"]'), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes('["a\\"[[[[", "\\\\", []]'), 2)).toBe(false);
    expect(jsonDepthExceeds(bytes('["\\\\", [[]]]'), 2)).toBe(true);
  });

  it('scans a body of a million brackets without recursion', () => {
    const deep = bytes(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    expect(jsonDepthExceeds(deep, 64)).toBe(true);
  });
});

describe('unstorable text', () => {
  it('finds NUL and unpaired surrogates, not well-formed pairs', () => {
    expect(unstorableText('plain é 😀')).toBeUndefined();
    expect(unstorableText('a\u0000b')).toMatch(/NUL/);
    expect(unstorableText('a\ud800')).toMatch(/surrogate/);
    expect(unstorableText('\udc00a')).toMatch(/surrogate/);
  });

  it('names the path of every bad value and key', () => {
    const found = findUnstorableText({
      email: 'us\ud800er@example.com',
      items: [{ ok: 'fine' }, { note: 'x\u0000' }],
      'k\u0000': 1,
    });
    expect(found.map((f) => f.field)).toEqual(['email', 'items[1].note', 'k\u0000']);
  });
});
