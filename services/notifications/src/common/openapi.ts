import { ApiResponse } from '@nestjs/swagger';

/**
 * The success answer's media types when it is not JSON (`ApiOperationDoc` documents JSON).
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
