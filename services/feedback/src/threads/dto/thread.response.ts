import { ApiProperty } from '@nestjs/swagger';
import { SEVERITIES, type Severity } from '@ihf/contracts';
import { type ThreadView } from '../threads.service.js';

/** How many annotations of each severity a thread holds. */
export class SeverityMixResponse implements Record<Severity, number> {
  @ApiProperty({ type: 'integer', minimum: 0 })
  low!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  medium!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  high!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  critical!: number;
}

export class ThreadResponse implements ThreadView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  created_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  annotation_count!: number;

  @ApiProperty({
    type: SeverityMixResponse,
    description: `Annotations per severity (${SEVERITIES.join(', ')})`,
  })
  severity_mix!: SeverityMixResponse;

  @ApiProperty({
    format: 'date-time',
    description: 'The latest of: creation, membership change, newest annotation',
  })
  last_activity_at!: string;
}
