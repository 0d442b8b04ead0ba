import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class CreateApiKeyDto {
  @ApiPropertyOptional({ example: 'storefront production' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string;
}

export interface ApiKeyView {
  readonly id: string;
  readonly hub_id: string;
  readonly prefix: string;
  readonly label: string | null;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
}

/** The answer to a create: the only time the full key is ever shown. */
export interface CreatedApiKeyView extends ApiKeyView {
  readonly key: string;
}
