import { randomUUID } from 'node:crypto';
import { UnsubscribeTokens } from './unsubscribe-token.js';

describe('UnsubscribeTokens', () => {
  const tokens = new UnsubscribeTokens(Buffer.alloc(32, 1).toString('base64'));

  it('verifies its own tokens to the user they were signed for', () => {
    const user = randomUUID();
    expect(tokens.verify(tokens.sign(user))).toBe(user);
  });

  it('refuses a token for another user, from another key, or malformed', () => {
    const user = randomUUID();
    const [, mac] = tokens.sign(user).split('.');
    expect(tokens.verify(`${randomUUID()}.${mac}`)).toBeUndefined();
    const other = new UnsubscribeTokens(Buffer.alloc(32, 2).toString('base64'));
    expect(tokens.verify(other.sign(user))).toBeUndefined();
    for (const bad of ['', user, `${user}.`, `${user}.${mac}.x`, `nope.${mac}`]) {
      expect(tokens.verify(bad)).toBeUndefined();
    }
  });
});
