import {
  DEFAULT_BODY_LIMIT,
  type Env,
  type OpenApiOptions,
  type ServiceBootstrapOptions,
} from '@ihf/platform';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { type GovernanceConfig } from './config/governance.config.js';
import { keepRawWebhookBodies } from './work-items/raw-body.js';

/** Governance's default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3003;

/** Governance's OpenAPI document: its title, description and the tags of its operations. */
export const GOVERNANCE_OPENAPI: OpenApiOptions = {
  title: 'IHF governance',
  description:
    'Requirements promoted from accepted candidates, the decisions taken on them (also as MADR records and a CSV log), the policies they cite and the work items that carry them out. Errors are `application/problem+json` with a stable `code`.',
  serverUrl: `http://127.0.0.1:${DEFAULT_PORT}`,
  tags: [
    { name: 'requirements', description: 'Requirements, their history and their trace' },
    {
      name: 'decisions',
      description: 'The decision log, with policy references and linked work items',
    },
    {
      name: 'work-items',
      description: "A hub's tracker settings and GitHub's webhook for work-item states",
    },
  ],
};

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function governanceAppOptions(config: GovernanceConfig, env?: Env): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    env,
    openApi: GOVERNANCE_OPENAPI,
    // Webhook signatures are over the bytes GitHub sent.
    configure: (app) =>
      keepRawWebhookBodies(app.getHttpAdapter().getInstance(), DEFAULT_BODY_LIMIT),
  };
}
