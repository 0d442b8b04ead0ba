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
  };
}
