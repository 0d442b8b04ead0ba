/**
 * Every event subject of the platform, as constants: `ihf.<service>.<aggregate>.<event>.v<N>`.
 * Subjects are data, never derived from class names. A breaking payload change is a new
 * subject (`.v2`) published beside the old one until every consumer has moved.
 */
export const Subjects = {
  Identity: {
    UserCreatedV1: 'ihf.identity.user.created.v1',
    UserLockedV1: 'ihf.identity.user.locked.v1',
    MembershipChangedV1: 'ihf.identity.membership.changed.v1',
  },
} as const;
