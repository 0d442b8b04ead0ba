import { type Env, type OpenApiOptions, type ServiceBootstrapOptions } from '@ihf/platform';
import { AppModule, type AppModuleExtras, SERVICE_NAME } from './app.module.js';
import { type DeploymentConfig } from './config/deployment.config.js';

/** deployment-outcomes' default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3004;

/** The service's OpenAPI document: its title, description and the tags of its operations. */
export const DEPLOYMENT_OPENAPI: OpenApiOptions = {
  title: 'IHF deployment outcomes',
  description:
    'Deployments of decisions (by people or by a pipeline hook), the widgets they affect, interaction and annotation rollups, before/after outcome signals with confidence intervals, and one human evaluation per deployment. Errors are `application/problem+json` with a stable `code`.',
  serverUrl: `http://127.0.0.1:${DEFAULT_PORT}`,
  tags: [
    { name: 'deployments', description: 'Deployments, the hook and their affected widgets' },
    { name: 'outcomes', description: 'Signals, evaluation, the outcome report and friction' },
  ],
};

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function deploymentAppOptions(
  config: DeploymentConfig,
  env?: Env,
  extras: AppModuleExtras = {},
): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config, extras),
    defaultPort: DEFAULT_PORT,
    env,
    openApi: DEPLOYMENT_OPENAPI,
  };
}
