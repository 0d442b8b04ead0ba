import { DomainError } from '@ihf/observability';

/** The reference does not match its tracker's format. */
export class InvalidWorkItemRefError extends DomainError {
  constructor(system: string, expected: string) {
    super({
      code: 'GOVERNANCE.INVALID_WORK_ITEM_REF',
      status: 422,
      message: `Not a ${system} work item reference; expected ${expected}`,
      extensions: { expected },
    });
  }
}

/** The tracker's URLs depend on a per-hub base URL that is not set. */
export class TrackerBaseUrlMissingError extends DomainError {
  constructor(setting: string) {
    super({
      code: 'GOVERNANCE.TRACKER_BASE_URL_MISSING',
      status: 422,
      message: `Set the hub's ${setting} (PUT /api/v1/hubs/{hub_id}/tracker-settings) first`,
      extensions: { setting },
    });
  }
}

/** No key to encrypt webhook secrets with (GOVERNANCE_SECRET_KEY). */
export class SecretKeyMissingError extends DomainError {
  constructor() {
    super({
      code: 'GOVERNANCE.SECRET_KEY_MISSING',
      status: 503,
      message: 'This deployment cannot store webhook secrets: GOVERNANCE_SECRET_KEY is not set',
    });
  }
}

/** The webhook delivery's signature does not match the hub's secret (or there is none). */
export class WebhookSignatureError extends DomainError {
  constructor() {
    super({
      code: 'GOVERNANCE.WEBHOOK_SIGNATURE_INVALID',
      status: 401,
      message: 'X-Hub-Signature-256 does not match the body signed with the hub secret',
    });
  }
}

/** A delivery without the headers GitHub always sends. */
export class WebhookDeliveryInvalidError extends DomainError {
  constructor(message: string) {
    super({ code: 'GOVERNANCE.WEBHOOK_DELIVERY_INVALID', status: 400, message });
  }
}
