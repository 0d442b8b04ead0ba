import { DEFAULT_BODY_LIMIT, type Env, type ServiceBootstrapOptions } from '@ihf/platform';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { type GovernanceConfig } from './config/governance.config.js';
import { keepRawWebhookBodies } from './work-items/raw-body.js';

/** Governance's default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3003;

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function governanceAppOptions(config: GovernanceConfig, env?: Env): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    env,
    openApi: { title: 'IHF governance' },
    // Webhook signatures are over the bytes GitHub sent.
    configure: (app) =>
      keepRawWebhookBodies(app.getHttpAdapter().getInstance(), DEFAULT_BODY_LIMIT),
  };
}
