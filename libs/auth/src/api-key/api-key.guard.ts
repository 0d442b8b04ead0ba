import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { AuthUnauthorizedException } from '../auth.errors.js';
import { type AuthRequest } from '../auth.request.js';
import { parseApiKey } from './api-key.js';
import { ApiKeyVerifier } from './api-key-verifier.js';

/**
 * Authenticates `Authorization: Bearer ihf_<prefix>_<secret>` with the module's
 * {@link ApiKeyVerifier} and puts the principal on `request.apiKey` (`@CurrentApiKey()`).
 * Missing, malformed, unknown or revoked keys: 401 with a generic body. Usually applied through
 * `@ApiKeyAuth()`, which also makes the global `JwtAuthGuard` step aside.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);

  constructor(@Inject(ApiKeyVerifier) private readonly verifier: ApiKeyVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    const presented = match === null ? null : parseApiKey(match[1]);
    if (presented === null) {
      this.logger.debug('API key missing or malformed');
      throw new AuthUnauthorizedException();
    }
    const principal = await this.verifier.verify(presented);
    if (principal === null) {
      this.logger.warn(`API key with prefix ${presented.prefix} rejected (unknown or revoked)`);
      throw new AuthUnauthorizedException();
    }
    request.apiKey = principal;
    return true;
  }
}
