import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AUTH_OPTIONS } from './auth.constants.js';
import {
  type AuthOptions,
  type AuthOptionsInput,
  authOptionsFromEnv,
  resolveAuthOptions,
} from './auth.options.js';
import { JwksKeySource } from './jwt/jwks-key-source.js';
import { JwtAuthGuard } from './jwt/jwt-auth.guard.js';
import { JwtStrategy } from './jwt/jwt.strategy.js';
import { RolesGuard } from './roles/roles.guard.js';

/** Options of {@link AuthModule.forRoot} beyond the auth configuration. */
export interface AuthModuleExtras {
  /**
   * Register `JwtAuthGuard` then `RolesGuard` as global guards (`APP_GUARD`), so every route
   * needs a valid JWT unless marked `@Public()` or `@ApiKeyAuth()`. Default `true`.
   */
  readonly globalGuards?: boolean;
}

/**
 * Wires JWT authentication (JWKS key source, passport strategy `jwt`) and the global guards.
 * Import once, in the service's root module; it is global.
 *
 * ```ts
 * @Module({ imports: [AuthModule.forRoot()] }) // reads IHF_JWKS_URL, IHF_JWT_ISSUER, IHF_JWT_AUDIENCE
 * export class AppModule {}
 * ```
 */
@Module({})
export class AuthModule {
  /**
   * @param options configuration; defaults to {@link authOptionsFromEnv} (read at call time, so a
   *   missing `IHF_JWKS_URL` stops the service while its modules are being declared).
   */
  static forRoot(
    options: AuthOptionsInput | AuthOptions = authOptionsFromEnv(),
    extras: AuthModuleExtras = {},
  ): DynamicModule {
    const resolved = resolveAuthOptions(options);
    const providers: Provider[] = [
      { provide: AUTH_OPTIONS, useValue: resolved },
      {
        provide: JwksKeySource,
        useFactory: (o: AuthOptions) => new JwksKeySource(o.jwksUrl, o.jwks),
        inject: [AUTH_OPTIONS],
      },
      JwtStrategy,
      JwtAuthGuard,
      RolesGuard,
    ];
    if (extras.globalGuards ?? true) {
      // Order matters: authentication first, then roles.
      providers.push(
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        { provide: APP_GUARD, useExisting: RolesGuard },
      );
    }
    return {
      module: AuthModule,
      global: true,
      providers,
      exports: [AUTH_OPTIONS, JwksKeySource, JwtAuthGuard, RolesGuard],
    };
  }
}
