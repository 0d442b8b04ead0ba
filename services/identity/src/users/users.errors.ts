import { DomainError } from '@ihf/observability';

export class UserNotFoundError extends DomainError {
  constructor(id: string) {
    super({ code: 'IDENTITY.USER_NOT_FOUND', status: 404, message: `User ${id} does not exist` });
  }
}

export class EmailTakenError extends DomainError {
  constructor() {
    super({
      code: 'IDENTITY.EMAIL_TAKEN',
      status: 409,
      message: 'A user with this e-mail address already exists',
    });
  }
}

export class WeakPasswordError extends DomainError {
  constructor(violations: string[]) {
    super({
      code: 'IDENTITY.WEAK_PASSWORD',
      status: 422,
      message: `The password is not acceptable: it ${violations.join('; it ')}`,
      extensions: { violations },
    });
  }
}

export class LastAdminError extends DomainError {
  constructor() {
    super({
      code: 'IDENTITY.LAST_ADMIN',
      status: 409,
      message: 'This change would leave no active admin',
    });
  }
}

export class UserDeactivatedError extends DomainError {
  constructor(id: string) {
    super({
      code: 'IDENTITY.USER_DEACTIVATED',
      status: 409,
      message: `User ${id} is deactivated`,
    });
  }
}

export class CurrentPasswordIncorrectError extends DomainError {
  constructor() {
    super({
      code: 'IDENTITY.CURRENT_PASSWORD_INCORRECT',
      status: 403,
      // Also the answer while password checks are locked (as sign-in answers alike).
      message:
        'The current password is incorrect, or password checks are locked after repeated failures',
    });
  }
}
