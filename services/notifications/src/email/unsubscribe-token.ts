import { createHmac, timingSafeEqual } from 'node:crypto';

/** The one-click unsubscribe link's path (EmailController); the token is its query. */
export const UNSUBSCRIBE_PATH = '/api/v1/email/unsubscribe';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The signed token of a one-click unsubscribe link: `<user id>.<HMAC-SHA256 of it>` (base64url).
 * Its key is derived from NOTIFICATIONS_SECRET_KEY for this one purpose. It does not expire:
 * an old mail's link must still unsubscribe (RFC 8058 asks links to keep working).
 */
export class UnsubscribeTokens {
  private readonly key: Buffer;

  constructor(secretKeyBase64: string) {
    this.key = createHmac('sha256', Buffer.from(secretKeyBase64, 'base64'))
      .update('ihf-notifications-unsubscribe-v1')
      .digest();
  }

  sign(userId: string): string {
    return `${userId}.${this.mac(userId).toString('base64url')}`;
  }

  /** The user id the token was signed for, or undefined when it was not signed by us. */
  verify(token: string): string | undefined {
    const [userId, mac] = token.split('.');
    if (!userId || !mac || !UUID_RE.test(userId) || token.split('.').length !== 2) return undefined;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(userId);
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? userId
      : undefined;
  }

  private mac(userId: string): Buffer {
    return createHmac('sha256', this.key).update(userId).digest();
  }
}
