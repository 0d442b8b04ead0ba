import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  AUTH_OPTIONS,
  type AuthOptions,
  JwksKeySource,
  JwtAuthGuard,
  JwtStrategy,
  RolesGuard,
  resolveAuthOptions,
} from '@ihf/auth';
import { IdentityConfig } from '../config/identity.config.js';
import { KeyRing } from '../keys/key-ring.js';
import { KeysModule } from '../keys/keys.module.js';

/** Nominal URL: the key source below never goes over the network. */
const LOCAL_JWKS_URL = 'http://identity.local/.well-known/jwks.json';

/**
 * Identity verifies its own tokens with the same `@ihf/auth` strategy and guards as every other
 * service, but its key source reads the JWKS document from the in-process key ring instead of
 * fetching it over HTTP (no dependency on its own port being reachable, nothing cached stale).
 * `JwtAuthGuard` then `RolesGuard` (from @ihf/auth) are global: every route needs a token unless `@Public()`.
 */
@Module({
  imports: [KeysModule],
  providers: [
    {
      provide: AUTH_OPTIONS,
      useFactory: (config: IdentityConfig): AuthOptions =>
        resolveAuthOptions({
          jwksUrl: LOCAL_JWKS_URL,
          issuer: config.IHF_JWT_ISSUER,
          audience: config.IHF_JWT_AUDIENCE,
        }),
      inject: [IdentityConfig],
    },
    {
      provide: JwksKeySource,
      useFactory: (keyRing: KeyRing) => {
        const localFetch: typeof fetch = () =>
          Promise.resolve(
            new Response(JSON.stringify(keyRing.jwks()), {
              headers: { 'content-type': 'application/json' },
            }),
          );
        return new JwksKeySource(
          LOCAL_JWKS_URL,
          { minRefreshIntervalMs: 0, cacheMaxAgeMs: 60_000 },
          { fetch: localFetch },
        );
      },
      inject: [KeyRing],
    },
    JwtStrategy,
    JwtAuthGuard,
    RolesGuard,
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_GUARD, useExisting: RolesGuard },
  ],
})
export class TokenVerificationModule {}
