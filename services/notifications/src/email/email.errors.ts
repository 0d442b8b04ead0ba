import { DomainError } from '@ihf/observability';

/** An unsubscribe link that this service did not sign. */
export class UnsubscribeTokenInvalidError extends DomainError {
  constructor() {
    super({
      code: 'NOTIFICATIONS.UNSUBSCRIBE_TOKEN_INVALID',
      status: 400,
      message: 'The unsubscribe link is not valid; use the link of a mail unchanged',
    });
  }
}
