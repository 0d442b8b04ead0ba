import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { type KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import {
  ALLOWED_JWT_ALGORITHMS,
  AUTH_OPTIONS,
  isAllowedJwtAlgorithm,
  JWT_STRATEGY_NAME,
} from '../auth.constants.js';
import { TokenRejectedError } from '../auth.errors.js';
import { type AuthOptions } from '../auth.options.js';
import { type AuthenticatedUser } from './authenticated-user.js';
import { claimsToUser } from './jwt-claims.js';
import { isKeyCompatible, JwksKeySource } from './jwks-key-source.js';

const MAX_KID_LENGTH = 256;

function decodeHeader(rawJwt: unknown): { alg: unknown; kid: unknown } {
  if (typeof rawJwt !== 'string') throw new TokenRejectedError('token is not a string');
  const parts = rawJwt.split('.');
  if (parts.length !== 3 || parts[2] === '') throw new TokenRejectedError('malformed or unsigned');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejectedError('header is not JSON');
  }
  if (typeof header !== 'object' || header === null) {
    throw new TokenRejectedError('header is not an object');
  }
  const { alg, kid } = header as Record<string, unknown>;
  return { alg, kid };
}

/**
 * Finds the verification key for a raw token from its header, before any signature check.
 * Refuses disallowed algorithms and missing `kid`s here, so such tokens never cause a JWKS fetch.
 */
export async function resolveVerificationKey(
  keySource: JwksKeySource,
  rawJwt: unknown,
): Promise<KeyObject> {
  const { alg, kid } = decodeHeader(rawJwt);
  if (!isAllowedJwtAlgorithm(alg)) {
    throw new TokenRejectedError(`algorithm ${JSON.stringify(alg)} not allowed`);
  }
  if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) {
    throw new TokenRejectedError('kid missing');
  }
  const key = await keySource.getKey(kid);
  if (key === undefined)
    throw new TokenRejectedError(`unknown kid ${JSON.stringify(kid.slice(0, 64))}`);
  if (!isKeyCompatible(key, alg))
    throw new TokenRejectedError(`key ${JSON.stringify(kid)} cannot verify ${alg}`);
  return key.key;
}

/**
 * Passport strategy `jwt`: verifies identity's access tokens against its JWKS.
 *
 * - Token from `Authorization: Bearer <jwt>` only (never query string, cookie or body).
 * - Algorithms RS256, PS256, ES256 only; the key is chosen by `kid` and must match the algorithm.
 * - `iss`, `aud`, `exp`, `nbf` checked with `clockToleranceSec`; `iat` and `exp` required and
 *   `exp - iat <= maxTokenLifetimeSec`.
 * - `validate()` is pure: it maps claims to an {@link AuthenticatedUser} (see `claimsToUser`
 *   for the claim names) and never touches a database.
 *
 * Failures reach `JwtAuthGuard.handleRequest`, which logs the reason and answers a generic 401.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY_NAME) {
  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @Inject(JwksKeySource) keySource: JwksKeySource,
  ) {
    const secretOrKeyProvider: SecretOrKeyProvider = (_request, rawJwtToken, done) => {
      resolveVerificationKey(keySource, rawJwtToken).then(
        // jsonwebtoken 9 accepts a KeyObject (and prefers it: no PEM re-parse per request);
        // @types/passport-jwt only lists string | Buffer.
        (key) => done(null, key as unknown as Buffer),
        (err: unknown) => done(err),
      );
    };
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider,
      algorithms: [...ALLOWED_JWT_ALGORITHMS],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: options.clockToleranceSec },
    });
  }

  /** Maps verified claims to the request's principal; throws `TokenRejectedError` on bad claims. */
  validate(payload: unknown): AuthenticatedUser {
    return claimsToUser(payload, this.options);
  }
}
