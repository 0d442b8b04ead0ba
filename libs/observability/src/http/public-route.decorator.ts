import { SetMetadata } from '@nestjs/common';

/**
 * Metadata key marking a route or controller as open to anyone (no token). `@ihf/auth`'s
 * `@Public()` sets the same key and its global guard honours it; it lives here so that this
 * lib's own routes (health, metrics) are public without this lib knowing about auth.
 */
export const PUBLIC_ROUTE_KEY = 'ihf:auth:public';

/** Marks a route or controller as public (see {@link PUBLIC_ROUTE_KEY}). */
export const PublicRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata(PUBLIC_ROUTE_KEY, true);
