import { ApiProperty } from '@nestjs/swagger';
import {
  ACTOR_TYPES,
  type ActorType,
  ANNOTATION_CATEGORIES,
  ANNOTATION_SOURCES,
  type AnnotationCategory,
  type AnnotationSource,
  SEVERITIES,
  type Severity,
} from '@ihf/contracts';
import { type AnnotationView } from '../annotation.repository.js';

export class AnnotationResponse implements AnnotationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The widget version it was made on, when known',
  })
  widget_version!: number | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The annotation it answers',
  })
  parent_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  thread_id!: string | null;

  @ApiProperty()
  body!: string;

  @ApiProperty({ enum: ANNOTATION_CATEGORIES })
  category!: AnnotationCategory;

  @ApiProperty({ enum: SEVERITIES })
  severity!: Severity;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actor_id!: string | null;

  @ApiProperty({ enum: ACTOR_TYPES })
  actor_type!: ActorType;

  @ApiProperty({ type: String, nullable: true })
  widget_state_ref!: string | null;

  @ApiProperty({
    enum: ANNOTATION_SOURCES,
    description: "`ingestion`: reported from a hub's site; `api`: written through this API",
  })
  source!: AnnotationSource;

  @ApiProperty()
  retracted!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  retracted_at!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  retracted_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}
