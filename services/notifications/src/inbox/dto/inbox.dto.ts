import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { NoNulCharacters } from '../../common/text.js';

export class InboxQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Only the unread items', type: Boolean })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  unread?: boolean;
}

export class InboxItemView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) hub_id!: string | null;
  @ApiProperty({ format: 'uuid', description: 'The event it tells of' }) event_id!: string;
  @ApiProperty({ example: 'ihf.governance.decision.recorded.v1' }) event_type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) read_at!: string | null;
}

export class InboxPageView {
  @ApiProperty({ type: [InboxItemView] }) items!: InboxItemView[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

export class UnreadCountView {
  @ApiProperty({ type: 'integer', minimum: 0 }) unread!: number;
}

export class MarkedView {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Items marked read by this call' })
  marked!: number;
}
