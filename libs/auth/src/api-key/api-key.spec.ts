import { generateApiKey, hashApiKey, parseApiKey, verifyApiKeyHash } from './api-key.js';

describe('API keys', () => {
  it('generates ihf_<8-char prefix>_<43-char base64url secret> with its hash', () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^ihf_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`ihf_${prefix}_`)).toBe(true);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('generates distinct keys', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey().key));
    expect(keys.size).toBe(100);
  });

  it('parses a generated key', () => {
    const { key, prefix } = generateApiKey();
    expect(parseApiKey(key)).toEqual({ key, prefix });
  });

  it('parses secrets containing the separator characters of base64url', () => {
    const key = `ihf_abcd1234_${'_-'.repeat(22)}`;
    expect(parseApiKey(key)).toEqual({ key, prefix: 'abcd1234' });
  });

  it.each([
    ['empty', ''],
    ['wrong scheme', `xyz_abcd1234_${'a'.repeat(43)}`],
    ['short prefix', `ihf_abc_${'a'.repeat(43)}`],
    ['upper-case prefix', `ihf_ABCD1234_${'a'.repeat(43)}`],
    ['short secret', `ihf_abcd1234_${'a'.repeat(42)}`],
    ['non-base64url secret', `ihf_abcd1234_${'a'.repeat(42)}=`],
    ['whitespace', ` ihf_abcd1234_${'a'.repeat(43)}`],
    ['overlong secret', `ihf_abcd1234_${'a'.repeat(129)}`],
  ])('rejects a malformed key (%s)', (_name, key) => {
    expect(parseApiKey(key)).toBeNull();
  });

  it('verifies against the stored hash', () => {
    const { key, hash } = generateApiKey();
    expect(verifyApiKeyHash(key, hash)).toBe(true);
  });

  it('rejects another key, a one-character change and malformed stored hashes', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    const last = a.key.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyApiKeyHash(b.key, a.hash)).toBe(false);
    expect(verifyApiKeyHash(a.key.slice(0, -1) + last, a.hash)).toBe(false);
    expect(verifyApiKeyHash(a.key, '')).toBe(false);
    expect(verifyApiKeyHash(a.key, a.hash.slice(2))).toBe(false);
    expect(verifyApiKeyHash(a.key, a.hash.toUpperCase())).toBe(false);
  });
});
