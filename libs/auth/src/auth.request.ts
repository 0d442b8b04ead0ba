import { type ApiKeyPrincipal } from './api-key/api-key-verifier.js';
import { type AuthenticatedUser } from './jwt/authenticated-user.js';

/** The parts of an HTTP request (Fastify or Express) that this library reads and writes. */
export interface AuthRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  /** Set by `JwtAuthGuard` on success. */
  user?: AuthenticatedUser;
  /** Set by `ApiKeyGuard` on success. */
  apiKey?: ApiKeyPrincipal;
}
