import { ApiProperty } from '@nestjs/swagger';
import { type ApiKeyView, type CreatedApiKeyView } from './api-key.dto.js';

export class ApiKeyResponse implements ApiKeyView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ description: 'The public part of the key, shown in lists', example: 'ab12cd34' })
  prefix!: string;

  @ApiProperty({ type: String, nullable: true, example: 'storefront production' })
  label!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse implements CreatedApiKeyView {
  @ApiProperty({
    description: 'The full key (`ihf_<prefix>_<secret>`); shown only in this answer',
    example: 'ihf_ab12cd34_3q2+7w…',
  })
  key!: string;
}
