import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NamespacedNatsServer } from '@ihf/messaging';
import { type Env, type ServiceBootstrapOptions } from '@ihf/platform';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { type FeedbackConfig } from './config/feedback.config.js';

/** Feedback's default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3002;

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function feedbackAppOptions(config: FeedbackConfig, env?: Env): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    env,
    openApi: { title: 'IHF feedback' },
    // Serves the candidate look-up (ihf.rpc.feedback.candidate.get.v1) to governance.
    configure: (app: NestFastifyApplication) => {
      app.connectMicroservice(
        {
          strategy: new NamespacedNatsServer({
            natsUrl: config.NATS_URL,
            service: SERVICE_NAME,
            namespace: config.IHF_NATS_NAMESPACE,
          }),
        },
        { inheritAppConfig: false },
      );
    },
  };
}
