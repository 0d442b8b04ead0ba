import { Controller, Get } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '@ihf/auth';
import { asyncApiDocument } from '@ihf/contracts';
import { ApiOperationDoc } from '@ihf/platform';

/** The outline of an AsyncAPI 3 document (its members are as the specification defines them). */
export class AsyncApiDocumentView {
  @ApiProperty({ example: '3.1.0' }) asyncapi!: string;
  @ApiProperty({ type: Object }) info!: Record<string, unknown>;
  @ApiProperty({ type: Object }) servers!: Record<string, unknown>;
  @ApiProperty({ type: Object, description: 'One channel per event subject' })
  channels!: Record<string, unknown>;
  @ApiProperty({ type: Object }) operations!: Record<string, unknown>;
  @ApiProperty({ type: Object }) components!: Record<string, unknown>;
}

/** Built once: the document depends on the contracts compiled into this process only. */
let cached: Record<string, unknown> | undefined;

@ApiTags('asyncapi')
@Controller('docs/asyncapi')
export class AsyncApiController {
  @Get()
  @Public()
  @ApiOperationDoc({
    summary: 'The AsyncAPI 3 document of every event',
    description:
      'Every event subject of the platform (generated from libs/contracts): its address, stream, durable consumers, producer and the JSON Schema of its envelope. What external agents read before they propose.',
    auth: 'public',
    offline: true,
    response: { status: 200, description: 'The AsyncAPI document', type: AsyncApiDocumentView },
  })
  document(): Record<string, unknown> {
    cached ??= asyncApiDocument();
    return cached;
  }
}
