import { HttpException } from '@nestjs/common';
import { AuthRefusedError } from './auth.errors.js';

/** Keeps the stable code of an `@ihf/auth` exception on the wire (see {@link AuthRefusedError}). */
export function preserveAuthCode(err: unknown): unknown {
  if (!(err instanceof HttpException)) return err;
  const response = err.getResponse();
  if (typeof response !== 'object' || response === null) return err;
  const { code, detail } = response as { code?: unknown; detail?: unknown };
  if (typeof code !== 'string' || !code.startsWith('AUTH.')) return err;
  return new AuthRefusedError(
    err.getStatus(),
    code,
    typeof detail === 'string' ? detail : err.message,
    err,
  );
}
