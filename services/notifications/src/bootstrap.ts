import { type Env, type OpenApiOptions, type ServiceBootstrapOptions } from '@ihf/platform';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { type NotificationsConfig } from './config/notifications.config.js';
import { UNSUBSCRIBE_PATH } from './email/unsubscribe-token.js';

/** Notifications' default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3006;

/** Notifications' OpenAPI document: its title, description and the tags of its operations. */
export const NOTIFICATIONS_OPENAPI: OpenApiOptions = {
  title: 'IHF notifications',
  description:
    "What happened to the feedback people gave, in their inbox and by e-mail, and every platform event to a hub's own systems as signed webhooks (Standard Webhooks). Errors are `application/problem+json` with a stable `code`.",
  serverUrl: `http://127.0.0.1:${DEFAULT_PORT}`,
  tags: [
    { name: 'inbox', description: "The signed-in user's notifications" },
    { name: 'email', description: 'E-mail preferences and the one-click unsubscribe' },
    {
      name: 'webhooks',
      description: "A hub's webhook endpoints, their secrets, delivery log and replays",
    },
  ],
};

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function notificationsAppOptions(
  config: NotificationsConfig,
  env?: Env,
): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    env,
    openApi: NOTIFICATIONS_OPENAPI,
    // RFC 8058: mail clients POST the one-click unsubscribe form-encoded.
    formBodyPaths: [UNSUBSCRIBE_PATH],
  };
}
