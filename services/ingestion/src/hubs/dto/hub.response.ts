import { ApiProperty } from '@nestjs/swagger';
import { type HubView } from './hub.dto.js';

export class HubResponse implements HubView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'checkout' })
  slug!: string;

  @ApiProperty({ example: 'Checkout' })
  name!: string;

  @ApiProperty({ example: 'shop.example.com' })
  domain!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}
