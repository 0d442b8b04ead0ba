import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type IhfAccessTokenClaims, type PrincipalKind, type Role } from '@ihf/auth';
import { IdentityConfig } from '../config/identity.config.js';
import { KeyRing } from './key-ring.js';
import { signJwt } from './signing-key.js';

/** Who an access token is for. */
export interface TokenSubject {
  readonly id: string;
  readonly email?: string;
  readonly roles: readonly Role[];
  readonly hubIds: readonly string[];
  readonly kind: PrincipalKind;
}

/** A signed access token and its lifetime. */
export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

/**
 * Signs access tokens with the key ring's current key, with the claims `@ihf/auth` reads
 * (libs/auth/README.md): iss, aud, sub, email, roles, hubs, kind, iat, exp, jti.
 */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly config: IdentityConfig,
    private readonly keyRing: KeyRing,
  ) {}

  issue(subject: TokenSubject, nowMs: number = Date.now()): IssuedAccessToken {
    const iat = Math.floor(nowMs / 1000);
    const expiresIn = this.config.IHF_ACCESS_TOKEN_TTL_SEC;
    const claims: IhfAccessTokenClaims = {
      iss: this.config.IHF_JWT_ISSUER,
      aud: this.config.IHF_JWT_AUDIENCE,
      sub: subject.id,
      ...(subject.email === undefined ? {} : { email: subject.email }),
      roles: [...subject.roles],
      hubs: [...subject.hubIds],
      kind: subject.kind,
      iat,
      exp: iat + expiresIn,
      jti: randomUUID(),
    };
    return { token: signJwt({ ...claims }, this.keyRing.current), expiresIn };
  }
}
