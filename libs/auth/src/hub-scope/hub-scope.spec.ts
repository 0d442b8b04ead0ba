import { HubAccessDeniedException } from '../auth.errors.js';
import { type AuthenticatedUser } from '../jwt/authenticated-user.js';
import { accessibleHubIds, assertHubAccess, canAccessHub } from './hub-scope.js';

const hubA = 'aaaaaaaa-0000-4000-8000-000000000001';
const hubB = 'bbbbbbbb-0000-4000-8000-000000000002';
const member: AuthenticatedUser = { id: 'u', roles: ['triager'], hubIds: [hubA], kind: 'user' };
const admin: AuthenticatedUser = { id: 'a', roles: ['admin'], hubIds: [], kind: 'user' };

describe('hub scope', () => {
  it('lets a member act in its hubs only', () => {
    expect(canAccessHub(member, hubA)).toBe(true);
    expect(canAccessHub(member, hubA.toUpperCase())).toBe(true);
    expect(canAccessHub(member, hubB)).toBe(false);
    expect(() => assertHubAccess(member, hubA)).not.toThrow();
    expect(() => assertHubAccess(member, hubB)).toThrow(HubAccessDeniedException);
  });

  it('lets an admin act in every hub', () => {
    expect(canAccessHub(admin, hubB)).toBe(true);
    expect(accessibleHubIds(admin)).toBe('all');
  });

  it('lists a member’s hubs, and none for a user without memberships', () => {
    expect(accessibleHubIds(member)).toEqual([hubA]);
    expect(accessibleHubIds({ ...member, hubIds: [] })).toEqual([]);
  });
});
