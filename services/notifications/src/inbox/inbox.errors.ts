import { DomainError } from '@ihf/observability';

/** No such item in the caller's inbox (another user's item is not found either). */
export class InboxItemNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'NOTIFICATIONS.INBOX_ITEM_NOT_FOUND',
      status: 404,
      message: `Inbox item ${id} not found`,
    });
  }
}
