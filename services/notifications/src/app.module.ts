import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from '@ihf/auth';
import { MessagingModule } from '@ihf/messaging';
import { ObservabilityModule, type ObservabilityModuleOptions } from '@ihf/observability';
import { PersistenceModule } from '@ihf/persistence';
import { NotificationsConfig } from './config/notifications.config.js';
import {
  NOTIFICATIONS_SCHEMA,
  notificationsOrmSettings,
} from './database/notifications-orm.settings.js';
import { EmailModule } from './email/email.module.js';
import { InboxModule } from './inbox/inbox.module.js';
import { NoticesModule } from './notices/notices.module.js';
import { RecipientsModule } from './recipients/recipients.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** Service name: logs, metrics, envelope producer, queue group. */
export const SERVICE_NAME = 'notifications';

/** Makes the already validated {@link NotificationsConfig} injectable everywhere. */
@Global()
@Module({})
class NotificationsConfigModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsConfigModule,
      providers: [{ provide: NotificationsConfig, useValue: config }],
      exports: [NotificationsConfig],
    };
  }
}

/** Extra options of {@link AppModule.forRoot}, for tests. */
export interface AppModuleExtras {
  readonly observability?: Partial<ObservabilityModuleOptions>;
}

/** The notifications service, built from its validated config. */
@Module({})
export class AppModule {
  static forRoot(config: NotificationsConfig, extras: AppModuleExtras = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          ...extras.observability,
        }),
        NotificationsConfigModule.forRoot(config),
        PersistenceModule.forRoot(notificationsOrmSettings(config.DATABASE_URL)),
        // Notifications publishes no events of its own: it reads every stream, owns none.
        MessagingModule.forRoot({
          service: SERVICE_NAME,
          schema: NOTIFICATIONS_SCHEMA,
          natsUrl: config.NATS_URL,
          databaseUrl: config.DATABASE_URL,
          namespace: config.IHF_NATS_NAMESPACE,
          streams: [],
          relay: false,
        }),
        AuthModule.forRoot({
          jwksUrl: config.IHF_JWKS_URL,
          issuer: config.IHF_JWT_ISSUER,
          audience: config.IHF_JWT_AUDIENCE,
        }),
        RecipientsModule,
        InboxModule,
        EmailModule,
        NoticesModule,
        WebhooksModule,
      ],
    };
  }
}
