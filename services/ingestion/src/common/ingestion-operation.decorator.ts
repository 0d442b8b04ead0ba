import { ApiOperationDoc, type ApiOperationDocOptions } from '@ihf/platform';

/**
 * {@link ApiOperationDoc} for ingestion's operations: each controller answers a lost Postgres
 * connection as 503 `INGESTION.STORAGE_UNAVAILABLE` (RetryAfterFilter), so every operation
 * documents that code.
 */
export const IngestionOperationDoc = (options: ApiOperationDocOptions): MethodDecorator =>
  ApiOperationDoc({
    ...options,
    problems: {
      ...options.problems,
      503: [...(options.problems?.[503] ?? []), 'INGESTION.STORAGE_UNAVAILABLE'],
    },
  });
