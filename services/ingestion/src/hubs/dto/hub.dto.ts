import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;
const DOMAIN = /^[A-Za-z0-9.-]{1,253}$/;

export class CreateHubDto {
  @ApiProperty({ example: 'checkout' })
  @Matches(SLUG, { message: 'slug must be lower-case letters, digits and -, at most 100' })
  slug!: string;

  @ApiProperty({ example: 'Checkout' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'shop.example.com' })
  @Matches(DOMAIN, { message: 'domain must be a host name' })
  domain!: string;
}

export class UpdateHubDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(SLUG, { message: 'slug must be lower-case letters, digits and -, at most 100' })
  slug?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(DOMAIN, { message: 'domain must be a host name' })
  domain?: string;
}

/** `limit` and `cursor` of a list. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export interface HubView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly domain: string;
  readonly created_at: string;
  readonly updated_at: string;
}
