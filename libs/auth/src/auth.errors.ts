import {
  ForbiddenException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';

/** Stable error codes of this library (the problem+json filter passes `code` through). */
export const AuthErrorCode = {
  /** No credentials, or credentials that did not verify. Deliberately says nothing more. */
  Unauthenticated: 'AUTH.UNAUTHENTICATED',
  /** Authenticated, but none of the roles the route requires. */
  RoleRequired: 'AUTH.ROLE_REQUIRED',
  /** Authenticated, but not a member of the hub addressed. */
  HubAccessDenied: 'AUTH.HUB_ACCESS_DENIED',
  /** The identity service's keys could not be obtained, so no token can be verified. */
  KeysUnavailable: 'AUTH.KEYS_UNAVAILABLE',
} as const;

/** One of {@link AuthErrorCode}. */
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** RFC 9457 problem body with this project's stable `code` member. */
export interface AuthProblem {
  readonly type: 'about:blank';
  readonly title: string;
  readonly status: number;
  readonly code: AuthErrorCode;
  readonly detail: string;
}

function problem(status: number, title: string, code: AuthErrorCode, detail: string): AuthProblem {
  return { type: 'about:blank', title, status, code, detail };
}

/**
 * 401 with a generic body. The actual reason (expired, bad signature, unknown kid, ...) is logged
 * by the guard, never returned: telling a caller which check failed helps an attacker tune forgeries.
 */
export class AuthUnauthorizedException extends UnauthorizedException {
  constructor() {
    super(
      problem(
        401,
        'Unauthorized',
        AuthErrorCode.Unauthenticated,
        'Missing or invalid credentials.',
      ),
    );
  }
}

/** 403: the principal lacks every role the route requires. */
export class RoleRequiredException extends ForbiddenException {
  constructor() {
    super(
      problem(
        403,
        'Forbidden',
        AuthErrorCode.RoleRequired,
        'Your role does not permit this operation.',
      ),
    );
  }
}

/** 403: the principal is not a member of the hub it addressed. */
export class HubAccessDeniedException extends ForbiddenException {
  constructor() {
    super(
      problem(403, 'Forbidden', AuthErrorCode.HubAccessDenied, 'You are not a member of this hub.'),
    );
  }
}

/** 503: no usable signing keys (identity unreachable and nothing usable cached). */
export class KeysUnavailableException extends ServiceUnavailableException {
  constructor() {
    super(
      problem(
        503,
        'Service Unavailable',
        AuthErrorCode.KeysUnavailable,
        'Credentials cannot be verified right now; retry shortly.',
      ),
    );
  }
}

/**
 * A token was refused for a reason that is logged but not returned (becomes a generic 401).
 * Thrown inside the JWT pipeline; not meant for services.
 */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
}

/** The JWKS could not be fetched and no usable cached key set exists. */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
}
