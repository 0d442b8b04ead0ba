import { ApiProperty } from '@nestjs/swagger';
import { type AnnotationAnswer } from './annotation.dto.js';

export class AnnotationAcceptedResponse implements AnnotationAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: ['accepted', 'duplicate'],
    description: '`duplicate`: an annotation with this id was accepted before',
  })
  status!: 'accepted' | 'duplicate';

  @ApiProperty({ type: 'integer', minimum: 1, description: 'The widget version it was made on' })
  widget_version!: number;
}
