import { ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/**
 * The success answer's media types when it is not JSON only (`ApiOperationDoc` documents JSON).
 * Put it above `@ApiOperationDoc`: it is applied after it and replaces that status's content.
 * Text media types carry no schema, since the response validator parses a declared schema as JSON.
 */
export function ApiSuccessContent(
  status: 200,
  content: Record<string, { schema?: object }>,
): MethodDecorator {
  // An empty description keeps ApiOperationDoc's; `type: undefined` drops its JSON-only type.
  return ApiResponse({ status, description: '', type: undefined, content });
}

/** A JSON body schema referring to a documented class (registered with `@ApiExtraModels`). */
export function jsonOf(type: new () => unknown): { schema: object } {
  return { schema: { $ref: getSchemaPath(type) } };
}

/** What GitHub delivers for the `issues` and `pull_request` events (the members read here). */
export class GithubDeliveryBody {
  @ApiPropertyOptional({
    example: 'closed',
    description: 'What happened to the issue or pull request (a `ping` has none)',
  })
  action?: string;
}
