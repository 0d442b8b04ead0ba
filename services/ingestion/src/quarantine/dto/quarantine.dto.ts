import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export class ListQuarantineQueryDto {
  @ApiPropertyOptional({ description: 'Only refusals with this reason code' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_:.-]{0,99}$/)
  reason?: string;

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

export class ReplayQuarantineDto {
  @ApiPropertyOptional({
    description: 'Quarantine entries to replay (default: the oldest pending ones)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  ids?: string[];

  @ApiPropertyOptional({ description: 'Only entries refused with this reason code' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_:.-]{0,99}$/)
  reason?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export interface QuarantineEntryView {
  readonly id: string;
  readonly hub_id: string;
  readonly kind: string;
  readonly event_id: string | null;
  readonly widget_id: string | null;
  readonly raw: unknown;
  readonly raw_truncated: boolean;
  readonly reason: string;
  readonly rule: string;
  readonly contract_kind: string | null;
  readonly contract_version: string | null;
  readonly detail: string | null;
  readonly received_at: string;
  readonly replay_count: number;
}

export interface QuarantineCountView {
  readonly reason: string;
  readonly rule: string;
  readonly contract_kind: string | null;
  readonly contract_version: string | null;
  readonly count: number;
}

export interface ReplayResultView {
  readonly quarantine_id: string;
  readonly event_id: string | null;
  readonly status: 'accepted' | 'duplicate' | 'rejected';
  readonly reason?: string;
  readonly rule?: string;
}

export interface ReplayResponse {
  readonly replayed: number;
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
  readonly results: ReplayResultView[];
}
