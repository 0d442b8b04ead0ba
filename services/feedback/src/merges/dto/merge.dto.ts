import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

/** Merges the candidate of the path (the duplicate) into `into_id` (the one kept). */
export class MergeCandidateDto {
  @ApiProperty({ format: 'uuid', description: 'The candidate that is kept' })
  @IsUUID()
  into_id!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: "The duplicate's version the caller saw (409 when it changed)",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  expected_version?: number;
}
