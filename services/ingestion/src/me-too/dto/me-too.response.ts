import { ApiProperty } from '@nestjs/swagger';
import { type MeTooAnswer } from './me-too.dto.js';

export class MeTooAcceptedResponse implements MeTooAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: ['accepted', 'duplicate'],
    description: '`duplicate`: a "me too" with this id was accepted before',
  })
  status!: 'accepted' | 'duplicate';
}
