import { PasswordHasher } from './password-hasher.js';

const params = { memoryKib: 1024, iterations: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(params);

  it('hashes to an argon2id PHC string with a random salt, and verifies', async () => {
    const a = await hasher.hash('Correct-Horse-42');
    const b = await hasher.hash('Correct-Horse-42');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    await expect(hasher.verify(a, 'Correct-Horse-42')).resolves.toBe(true);
    await expect(hasher.verify(a, 'Correct-Horse-43')).resolves.toBe(false);
  });

  it('verifies hashes made with other parameters, and says they need a rehash', async () => {
    const old = await new PasswordHasher({ ...params, iterations: 2 }).hash('pw-with-old-params');
    await expect(hasher.verify(old, 'pw-with-old-params')).resolves.toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('x'))).toBe(false);
  });

  it('never matches a malformed hash', async () => {
    await expect(hasher.verify('plain-text', 'plain-text')).resolves.toBe(false);
    await expect(hasher.verify('$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA', 'x')).resolves.toBe(
      false,
    );
  });

  it('does real work for the dummy verification and always fails', async () => {
    await expect(hasher.verifyDummy('anything')).resolves.toBe(false);
  });
});
