import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';
import {
  PRINCIPAL_KINDS,
  ROLES,
  UNLOCK_CAUSES,
  type PrincipalKind,
  type RoleName,
  type UnlockCause,
} from '../../value-sets/value-sets.js';

/** `ihf.identity.user.created.v1`: a person or an agent client became a principal. */
export class UserCreatedV1 {
  @IsUUID()
  user_id!: string;

  @IsIn(PRINCIPAL_KINDS)
  kind!: PrincipalKind;

  @IsString()
  @MaxLength(200)
  name!: string;

  /**
   * The person's e-mail address (lower-cased), for the notifications service. Added after v1
   * was published: absent on agents and on events published before it existed.
   */
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles!: RoleName[];

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.identity.user.locked.v1`: sign-in was locked after repeated failures. */
export class UserLockedV1 {
  @IsUUID()
  user_id!: string;

  @IsISO8601({ strict: true })
  locked_at!: string;

  @IsInt()
  @Min(0)
  failed_login_attempts!: number;
}

/** `ihf.identity.membership.changed.v1`: the hubs a user may act in, or its roles, changed. */
export class MembershipChangedV1 {
  @IsUUID()
  user_id!: string;

  @IsArray()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  hub_ids!: string[];

  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles!: RoleName[];
}

/**
 * `ihf.identity.user.unlocked.v1`: a sign-in lock was lifted, by an admin or because the
 * cool-down passed (noticed at the next password check).
 */
export class UserUnlockedV1 {
  @IsUUID()
  user_id!: string;

  @IsISO8601({ strict: true })
  unlocked_at!: string;

  @IsIn(UNLOCK_CAUSES)
  cause!: UnlockCause;
}

/**
 * `ihf.identity.user.deactivated.v1`: the user can no longer sign in and every session of
 * theirs ended; other services stop giving them work (e.g. feedback assigns them no candidate).
 */
export class UserDeactivatedV1 {
  @IsUUID()
  user_id!: string;

  @IsISO8601({ strict: true })
  deactivated_at!: string;
}

/** `ihf.identity.user.reactivated.v1`: a deactivated user may sign in again. */
export class UserReactivatedV1 {
  @IsUUID()
  user_id!: string;

  @IsISO8601({ strict: true })
  reactivated_at!: string;
}
