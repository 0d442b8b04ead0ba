/**
 * The feedback service's package entry (`@ihf/feedback-service`), for tools that build the
 * service in-process and measure it (bench/feedback): the app, its schema, and the SQL whose
 * plans the benchmark records. Services never import it (they talk over NATS); the service
 * itself runs from `dist/main.js` (exported as `@ihf/feedback-service/main`).
 */
export { SERVICE_NAME } from './app.module.js';
export { feedbackAppOptions } from './bootstrap.js';
export { CANDIDATE_HISTORY_SQL } from './candidates/candidates.service.js';
export { FeedbackConfig } from './config/feedback.config.js';
export { migrateFeedback } from './database/migrate-feedback.js';
export { buildTriageQueueSql } from './triage/triage-queue.query.js';
