import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NamespacedNatsServer } from '@ihf/messaging';
import { type Env, type OpenApiOptions, type ServiceBootstrapOptions } from '@ihf/platform';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { type FeedbackConfig } from './config/feedback.config.js';

/** Feedback's default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3002;

/** Feedback's OpenAPI document: title, description and the tags its operations use. */
export const FEEDBACK_OPENAPI: OpenApiOptions = {
  title: 'IHF feedback',
  description:
    'Annotations on widgets, threads that group them, requirement candidates and their triage, votes, followers and merges. Errors are `application/problem+json` with a stable `code`.',
  serverUrl: `http://127.0.0.1:${DEFAULT_PORT}`,
  tags: [
    { name: 'annotations', description: 'Feedback written on widgets' },
    { name: 'threads', description: 'Annotations of one widget grouped under a title' },
    {
      name: 'candidates',
      description: 'Requirement candidates escalated from feedback, and their reviewers',
    },
    { name: 'triage', description: 'The triage workflow and queue of requirement candidates' },
    { name: 'votes', description: 'Votes of hub users and "me too" of end users on candidates' },
    { name: 'subscriptions', description: 'Who follows a candidate and hears what happens to it' },
    {
      name: 'merges',
      description: 'Merging duplicate candidates, with provenance, and undoing it',
    },
  ],
};

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function feedbackAppOptions(config: FeedbackConfig, env?: Env): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    env,
    openApi: FEEDBACK_OPENAPI,
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
