import { DomainError } from '@ihf/observability';

/**
 * The one answer to every failed sign-in: unknown e-mail, wrong password, locked or
 * deactivated account. Identical so that it does not tell which e-mails exist.
 */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super({
      code: 'IDENTITY.INVALID_CREDENTIALS',
      status: 401,
      message:
        'The e-mail or password is incorrect, or sign-in is locked after repeated failures. ' +
        'Try again later or ask an administrator to unlock the account.',
    });
  }
}

/** A refresh token that is unknown, expired, revoked or already used. */
export class InvalidRefreshTokenError extends DomainError {
  constructor() {
    super({
      code: 'IDENTITY.INVALID_REFRESH_TOKEN',
      status: 401,
      message: 'The refresh token is invalid, expired or revoked. Sign in again.',
    });
  }
}

/** Client credentials that do not identify an active agent client. */
export class InvalidClientError extends DomainError {
  constructor() {
    super({
      code: 'IDENTITY.INVALID_CLIENT',
      status: 401,
      message: 'The client id or client secret is incorrect, or the client is revoked.',
    });
  }
}
