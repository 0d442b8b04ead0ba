import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** An end user's "me too" about a requirement candidate (`POST /api/v1/me-too`). */
export class SubmitMeTooDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Chosen by the client, so that a retry is recognised',
  })
  @IsUUID()
  id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  hub_id!: string;

  @ApiProperty({ format: 'uuid', description: 'The requirement candidate the person also has' })
  @IsUUID()
  candidate_id!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The end user\'s actor id: one "me too" per reporter and candidate counts',
  })
  @IsUUID()
  reporter_id!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The widget the person was looking at' })
  @IsOptional()
  @IsUUID()
  widget_id?: string;
}

export interface MeTooAnswer {
  readonly id: string;
  readonly status: 'accepted' | 'duplicate';
}
