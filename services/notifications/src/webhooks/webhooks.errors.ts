import { DomainError } from '@ihf/observability';

export class WebhookEndpointNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'NOTIFICATIONS.WEBHOOK_ENDPOINT_NOT_FOUND',
      status: 404,
      message: `Webhook endpoint ${id} not found in this hub`,
    });
  }
}

export class WebhookDeliveryNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'NOTIFICATIONS.WEBHOOK_DELIVERY_NOT_FOUND',
      status: 404,
      message: `Webhook delivery ${id} not found for this endpoint`,
    });
  }
}

/** Webhooks are managed by the hub's admins. */
export class WebhookAdminRequiredError extends DomainError {
  constructor() {
    super({
      code: 'NOTIFICATIONS.HUB_ADMIN_REQUIRED',
      status: 403,
      message: 'Only an admin of the hub manages its webhooks',
    });
  }
}

/** The URL names a private, loopback or link-local address that the allow-list does not. */
export class WebhookDestinationRefusedError extends DomainError {
  constructor(reason: string) {
    super({
      code: 'NOTIFICATIONS.WEBHOOK_DESTINATION_REFUSED',
      status: 422,
      message: `Webhooks cannot be delivered there: ${reason}`,
      extensions: { field: 'url' },
    });
  }
}

/** A replay range that matches more deliveries than one call replays. */
export class ReplayRangeTooLargeError extends DomainError {
  constructor(found: number, max: number) {
    super({
      code: 'NOTIFICATIONS.REPLAY_RANGE_TOO_LARGE',
      status: 422,
      message: `The range holds ${found} deliveries; replay at most ${max} at once (narrow from/to)`,
      extensions: { found, max },
    });
  }
}

/** `from` is not before `to`. */
export class ReplayRangeInvalidError extends DomainError {
  constructor() {
    super({
      code: 'NOTIFICATIONS.REPLAY_RANGE_INVALID',
      status: 422,
      message: '`from` must be before `to`',
    });
  }
}
