import { ApiProperty } from '@nestjs/swagger';
import { MACHINE_ROLES, type MachineRole } from '@ihf/contracts';
import { type AgentClientView } from './agent-client.dto.js';

export class AgentClientResponse implements AgentClientView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'Equal to `id`: what the client sends as `client_id`',
  })
  client_id!: string;

  @ApiProperty({ example: 'Proposal bot' })
  name!: string;

  @ApiProperty({
    description: 'The public start of the secret, to recognise it',
    example: 'ihf_ab12cd34',
  })
  secret_prefix!: string;

  @ApiProperty({ enum: MACHINE_ROLES, description: 'The role its tokens carry' })
  role!: MachineRole;

  @ApiProperty({ type: [String], format: 'uuid' })
  hub_ids!: string[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The admin who created it',
  })
  created_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;
}

export class CreatedAgentClientResponse extends AgentClientResponse {
  @ApiProperty({
    description: 'The client secret; shown only in this answer (it is stored hashed)',
  })
  client_secret!: string;
}
