import { TokenRejectedError } from '../auth.errors.js';
import { claimsToUser } from './jwt-claims.js';

const policy = { maxTokenLifetimeSec: 3600, clockToleranceSec: 30 };
const now = 1_700_000_000;
const sub = '6f1c1f5e-2b1a-4c3e-9d1e-0a1b2c3d4e5f';
const hub = 'aa1c1f5e-2b1a-4c3e-9d1e-0a1b2c3d4e5f';
const valid = {
  sub,
  email: 'a@example.org',
  roles: ['triager', 'viewer'],
  hubs: [hub],
  kind: 'user',
  iat: now,
  exp: now + 900,
};

describe('claimsToUser', () => {
  it('maps the documented claims', () => {
    expect(claimsToUser(valid, policy, now)).toEqual({
      id: sub,
      email: 'a@example.org',
      roles: ['triager', 'viewer'],
      hubIds: [hub],
      kind: 'user',
    });
  });

  it('treats absent hubs and email as none', () => {
    const { hubs: _h, email: _e, ...rest } = valid;
    const user = claimsToUser({ ...rest, kind: 'agent', roles: ['agent'] }, policy, now);
    expect(user).toEqual({ id: sub, roles: ['agent'], hubIds: [], kind: 'agent' });
  });

  it('accepts exactly the maximum lifetime', () => {
    expect(() => claimsToUser({ ...valid, exp: now + 3600 }, policy, now)).not.toThrow();
  });

  it.each([
    ['a lifetime over the maximum', { exp: now + 3601 }, /lifetime/],
    ['a missing iat', { iat: undefined }, /iat/],
    ['a missing exp', { exp: undefined }, /exp/],
    ['an iat in the future', { iat: now + 31, exp: now + 600 }, /future/],
    ['exp before iat', { exp: now - 1 }, /exp is not after iat/],
    ['an unknown role', { roles: ['viewer', 'root'] }, /unknown role "root"/],
    ['roles that are not an array', { roles: 'admin' }, /roles/],
    ['missing roles', { roles: undefined }, /roles/],
    ['a non-UUID sub', { sub: 'admin' }, /sub/],
    ['a non-UUID hub', { hubs: ['*'] }, /hubs/],
    ['an unknown kind', { kind: 'service' }, /kind/],
    ['a missing kind', { kind: undefined }, /kind/],
  ])('rejects %s', (_name, override, reason) => {
    const act = () => claimsToUser({ ...valid, ...override }, policy, now);
    expect(act).toThrow(TokenRejectedError);
    expect(act).toThrow(reason);
  });
});
