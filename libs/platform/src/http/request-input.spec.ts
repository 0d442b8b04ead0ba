import {
  findUnstorableText,
  jsonDepthExceeds,
  scanJsonText,
  unstorableText,
} from './request-input.js';

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

describe('scanJsonText', () => {
  it('notes a \\u escape inside a string, and only there', () => {
    expect(scanJsonText(bytes('{"a":"plain é 😀","b":[1,true]}'), 64).unicodeEscapes).toBe(false);
    expect(scanJsonText(bytes('{"a":"x\\u0000"}'), 64).unicodeEscapes).toBe(true);
    expect(scanJsonText(bytes('{"k\\ud800":1}'), 64).unicodeEscapes).toBe(true);
    // An escaped backslash followed by a u is no escape of a code unit.
    expect(scanJsonText(bytes('{"a":"\\\\u0000"}'), 64).unicodeEscapes).toBe(false);
    expect(scanJsonText(bytes('{"a":"\\"\\u0041"}'), 64).unicodeEscapes).toBe(true);
  });

  it('agrees with what the parser makes of the text: no escape, nothing unstorable', () => {
    // Every way to write a NUL or a lone surrogate in JSON text is an escape; the bytes of an
    // encoded surrogate (CESU-8) decode to U+FFFD, and a raw NUL is not JSON.
    const cesu = Buffer.concat([bytes('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), bytes('"}')]);
    expect(scanJsonText(cesu, 64).unicodeEscapes).toBe(false);
    expect(findUnstorableText(JSON.parse(cesu.toString('utf8')))).toEqual([]);
    expect(() => JSON.parse(bytes('{"a":"\u0000"}').toString('utf8')) as unknown).toThrow();
    for (const text of ['{"a":"\\u0000"}', '{"a":"\\uD800"}', '{"\\udc00":1}']) {
      expect(scanJsonText(bytes(text), 64).unicodeEscapes).toBe(true);
      expect(findUnstorableText(JSON.parse(text))).toHaveLength(1);
    }
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
