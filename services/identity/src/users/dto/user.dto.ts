import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { ROLES, type RoleName } from '@ihf/contracts';
import { type User } from '../user.entity.js';

const MAX_HUBS = 1000;

export class CreateUserDto {
  @ApiProperty({ example: 'ada@example.org', description: 'Stored trimmed and lower-case' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(200)
  name!: string;

  /** Checked against the password policy by the service (422 with the reasons). */
  @ApiProperty({ description: '12 to 256 characters, not the e-mail, not a common password' })
  @IsString()
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true, default: ['viewer'] })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: RoleName[];

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_HUBS)
  @IsUUID('all', { each: true })
  hub_ids?: string[];
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: RoleName[];
}

export class SetHubsDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMaxSize(MAX_HUBS)
  @IsUUID('all', { each: true })
  hub_ids!: string[];
}

export class SetPasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class ChangeOwnPasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  current_password!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  new_password!: string;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}

/** A user on the wire (never the password hash). */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: RoleName[];
  readonly hub_ids: string[];
  readonly locked: boolean;
  readonly locked_at: string | null;
  readonly failed_login_attempts: number;
  readonly active: boolean;
  readonly deactivated_at: string | null;
  readonly last_login_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: [...user.roles],
    hub_ids: [...user.hubIds],
    locked: user.lockedAt != null,
    locked_at: iso(user.lockedAt),
    failed_login_attempts: user.failedLoginAttempts,
    active: user.deactivatedAt == null,
    deactivated_at: iso(user.deactivatedAt),
    last_login_at: iso(user.lastLoginAt),
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
