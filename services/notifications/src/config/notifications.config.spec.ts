import { ConfigValidationError, loadConfig } from '@ihf/platform';
import { NotificationsConfig } from './notifications.config.js';

describe('NotificationsConfig', () => {
  const required = {
    IHF_JWKS_URL: 'http://identity:3000/.well-known/jwks.json',
    NOTIFICATIONS_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  };

  it('needs the JWKS URL and the secret key, and has the documented defaults', () => {
    expect(loadConfig(NotificationsConfig, required)).toMatchObject({
      SMTP_URL: 'smtp://127.0.0.1:1025',
      EMAIL_RATE_LIMIT_PER_HOUR: 20,
      EMAIL_DIGEST_INTERVAL_MS: 86_400_000,
      WEBHOOK_RETRY_HORIZON_MS: 86_400_000,
      WEBHOOK_TIMEOUT_MS: 10_000,
      WEBHOOK_ALLOWED_PRIVATE_CIDRS: '',
    });
    expect(() => loadConfig(NotificationsConfig, { IHF_JWKS_URL: required.IHF_JWKS_URL })).toThrow(
      /NOTIFICATIONS_SECRET_KEY/,
    );
  });

  it('refuses a short key, a non-SMTP URL and an allow-list that is not addresses', () => {
    for (const bad of [
      { NOTIFICATIONS_SECRET_KEY: Buffer.alloc(16).toString('base64') },
      { SMTP_URL: 'http://mail:1025' },
      { WEBHOOK_ALLOWED_PRIVATE_CIDRS: 'internal.example.com' },
      { WEBHOOK_TIMEOUT_MS: '0' },
    ]) {
      expect(() => loadConfig(NotificationsConfig, { ...required, ...bad })).toThrow(
        ConfigValidationError,
      );
    }
  });
});
