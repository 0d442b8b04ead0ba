import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type RoleName } from '@ihf/contracts';
import { type UserView } from './user.dto.js';

export class UserResponse implements UserView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.org', description: 'Trimmed and lower-case' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: RoleName[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'Hubs the user is a member of' })
  hub_ids!: string[];

  @ApiProperty({ description: 'Locked after too many failed sign-ins (an admin unlocks)' })
  locked!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  locked_at!: string | null;

  @ApiProperty({ type: 'integer', minimum: 0 })
  failed_login_attempts!: number;

  @ApiProperty({ description: 'False once deactivated: no sign-in, no tokens' })
  active!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deactivated_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_login_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}
