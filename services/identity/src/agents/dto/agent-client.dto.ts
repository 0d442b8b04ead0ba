import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Matches,
} from 'class-validator';
import { MACHINE_ROLES, type MachineRole } from '@ihf/contracts';
import { type AgentClient } from '../agent-client.entity.js';

export class CreateAgentClientDto {
  @ApiProperty({ example: 'Proposal bot' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  hub_ids?: string[];

  @ApiPropertyOptional({
    enum: MACHINE_ROLES,
    default: 'agent',
    description:
      "The client's one role: `agent` (proposal bots) or `deployer` (a pipeline's deployment hook; needs at least one hub)",
  })
  @IsOptional()
  @IsIn(MACHINE_ROLES)
  role?: MachineRole;
}

/** An agent client on the wire (never its secret hash). */
export interface AgentClientView {
  readonly id: string;
  /** Equal to `id`: what the client sends as `client_id`. */
  readonly client_id: string;
  readonly name: string;
  readonly secret_prefix: string;
  readonly role: MachineRole;
  readonly hub_ids: string[];
  readonly created_by: string | null;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
}

export function toAgentClientView(client: AgentClient): AgentClientView {
  return {
    id: client.id,
    client_id: client.id,
    name: client.name,
    secret_prefix: client.secretPrefix,
    role: client.role,
    hub_ids: [...client.hubIds],
    created_by: client.createdBy ?? null,
    created_at: client.createdAt.toISOString(),
    last_used_at: client.lastUsedAt ? client.lastUsedAt.toISOString() : null,
    revoked_at: client.revokedAt ? client.revokedAt.toISOString() : null,
  };
}
