import type { AddressInfo } from 'node:net';
import { UnsupportedMediaTypeException, type DynamicModule, type Type } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createLogger,
  createValidationPipe,
  HealthRegistry,
  MetricsService,
  OBSERVABILITY_OPTIONS,
  type ObservabilityModuleOptions,
  PINO_LOGGER,
  PinoNestLogger,
  PROBLEM_CONTENT_TYPE,
  ProblemFilter,
  toProblem,
  registerHttpObservability,
} from '@ihf/observability';
import type { Logger } from 'pino';
import {
  type ConfigClass,
  ConfigValidationError,
  type Env,
  loadConfig,
} from '../config/load-config.js';
import { ServiceConfig } from '../config/service.config.js';
import { type OpenApiOptions, setupOpenApi } from './openapi.js';
import { problemClientErrorHandler, problemFrameworkErrors } from '../http/client-error.js';
import { parseAllowedOrigins, registerCors } from '../http/cors.js';
import {
  type JsonBodyParser,
  registerBoundedJsonParser,
  registerStorableTextCheck,
} from '../http/request-input.js';
import { registerSecurityHeaders } from '../http/security-headers.js';

/** Default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1_048_576;

/** Options of {@link bootstrapService} and {@link createServiceApp}. */
export interface ServiceBootstrapOptions {
  /** Service name (`identity`, …); must equal the `service` given to `ObservabilityModule.forRoot`. */
  readonly name: string;
  /** The service's root module; it must import `ObservabilityModule.forRoot({ service: name })`. */
  readonly module: Type<unknown> | DynamicModule;
  /** Port when `PORT` is not set (see the architecture's port table). */
  readonly defaultPort: number;
  /**
   * Extra set-up on the created app, before it initialises (CORS, body parsers, …). A NATS
   * request/reply server attached here with `app.connectMicroservice({ strategy: new
   * NamespacedNatsServer(…) })` (from `@ihf/messaging`) is started with the app.
   */
  readonly configure?: (app: NestFastifyApplication) => Promise<void> | void;
  /**
   * The service's own `application/json` body parser, in place of the platform's (which is
   * Fastify's behind a depth bound); it must bound the depth itself (`assertJsonDepth`).
   */
  readonly jsonBodyParser?: JsonBodyParser;
  /**
   * Paths (exact, without the query) that also take an `application/x-www-form-urlencoded`
   * body, e.g. an RFC 8058 one-click unsubscribe, which mail clients POST form-encoded.
   */
  readonly formBodyPaths?: readonly string[];
  /** Largest accepted request body in bytes (default {@link DEFAULT_BODY_LIMIT}). */
  readonly bodyLimit?: number;
  /** Trust `X-Forwarded-*` headers; defaults to the `TRUST_PROXY` variable. */
  readonly trustProxy?: boolean;
  /** OpenAPI document metadata; defaults to the service name as title. */
  readonly openApi?: Partial<OpenApiOptions>;
  /**
   * The service's config class (a subclass of {@link ServiceConfig}), validated before anything
   * else so that a bad variable stops the start with a plain message. Defaults to
   * {@link ServiceConfig}. Make it injectable with `ServiceConfigModule.forRoot(ConfigClass)`.
   */
  readonly config?: ConfigClass<ServiceConfig>;
  /** Environment to read the common config from (default `process.env`; tests pass their own). */
  readonly env?: Env;
}

/**
 * Creates and initialises the service's Fastify app without listening, for tests
 * (`app.inject(...)`) and as the first half of {@link bootstrapService}:
 *
 * 1. validates the config (`options.config`, default {@link ServiceConfig}) from `env`;
 * 2. creates the app on a Fastify adapter (`bodyLimit`, `trustProxy`), with Nest's logs as
 *    pino JSON from the first line on;
 * 3. checks that the root module imports `ObservabilityModule.forRoot` for this service;
 * 4. installs the request-id/logging/metrics hooks, the security headers (helmet,
 *    `Cache-Control: no-store`), a depth-bounded JSON body parser, the refusal of text Postgres
 *    cannot store, the global {@link ProblemFilter} and the validation pipe of
 *    `createValidationPipe`;
 * 5. serves the OpenAPI document (`/docs`, `/docs/json`), runs `configure`, and calls `init()`.
 *
 * @throws ConfigValidationError when a common variable is invalid.
 * @throws Error when the root module does not import `ObservabilityModule.forRoot`, or when
 *   its `service` differs from `name`.
 */
export async function createServiceApp(
  options: ServiceBootstrapOptions,
): Promise<NestFastifyApplication> {
  const config = loadConfig(options.config ?? ServiceConfig, options.env);
  return buildApp(
    options,
    config,
    createLogger({ service: options.name, level: config.LOG_LEVEL }),
  );
}

/**
 * Starts a service, for its `main.ts`:
 *
 * ```ts
 * void bootstrapService({ name: 'identity', module: AppModule, defaultPort: 3000 });
 * ```
 *
 * Builds the app with {@link createServiceApp}, listens on `HOST`:`PORT` (defaults
 * `0.0.0.0`:`defaultPort`), logs `identity listening on http://127.0.0.1:3000`, and handles
 * SIGTERM/SIGINT gracefully: readiness answers 503 at once, in-flight and new requests are
 * still served for `SHUTDOWN_GRACE_MS` (so that load balancers notice and drain the
 * instance), then `app.close()` runs Nest's shutdown hooks and the process exits. A second
 * signal exits immediately.
 *
 * Nest's own `enableShutdownHooks()` is not used: it calls `onModuleDestroy` (closing pools
 * and connections) as soon as the signal arrives, leaving no room for the grace period.
 *
 * On a startup failure it prints the reason (a config error as plain lines naming each bad
 * variable, anything else as a JSON log line with the stack) and exits with status 1.
 */
export async function bootstrapService(
  options: ServiceBootstrapOptions,
): Promise<NestFastifyApplication> {
  let config: ServiceConfig;
  try {
    config = loadConfig(options.config ?? ServiceConfig, options.env);
  } catch (err: unknown) {
    return exitOnStartupError(options.name, err);
  }
  const logger = createLogger({ service: options.name, level: config.LOG_LEVEL });
  try {
    const app = await buildApp(options, config, logger);
    installGracefulShutdown(app, logger, config.SHUTDOWN_GRACE_MS);
    // Node's default accept backlog (511) drops the SYNs of a burst of new connections (a
    // fleet of clients reconnecting at once), which then wait 1, 3, 7 s for the retransmit;
    // the kernel caps this at net.core.somaxconn.
    await app.listen({
      port: config.PORT ?? options.defaultPort,
      host: config.HOST,
      backlog: LISTEN_BACKLOG,
    });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const host = ['0.0.0.0', '::'].includes(config.HOST) ? '127.0.0.1' : config.HOST;
    logger.info(`${options.name} listening on http://${host}:${port}`);
    return app;
  } catch (err: unknown) {
    return exitOnStartupError(options.name, err, logger);
  }
}

/** Pending connections the kernel may queue before the service accepts them. */
const LISTEN_BACKLOG = 4096;

async function buildApp(
  options: ServiceBootstrapOptions,
  config: ServiceConfig,
  bootLogger: Logger,
): Promise<NestFastifyApplication> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const adapter = new FastifyAdapter({
    bodyLimit,
    trustProxy: options.trustProxy ?? config.TRUST_PROXY,
    clientErrorHandler: problemClientErrorHandler,
    frameworkErrors: problemFrameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: new PinoNestLogger(bootLogger),
    // Throw instead of exiting, so that the caller decides (tests must not exit).
    abortOnError: false,
  });
  try {
    assertObservability(app, options.name);
    app.useLogger(app.get(PinoNestLogger));
    registerHttpObservability(adapter.getInstance(), {
      logger: app.get<Logger>(PINO_LOGGER),
      metrics: app.get(MetricsService),
    });
    registerSecurityHeaders(app);
    const corsOrigins = parseAllowedOrigins(config.CORS_ALLOWED_ORIGINS);
    if (corsOrigins) registerCors(adapter, corsOrigins);
    requireJsonBodies(adapter, options.formBodyPaths ?? []);
    registerBoundedJsonParser(app, bodyLimit, options.jsonBodyParser);
    registerStorableTextCheck(app);
    app.useGlobalFilters(app.get(ProblemFilter));
    app.useGlobalPipes(createValidationPipe());
    setupOpenApi(app, { title: options.name, ...options.openApi });
    await options.configure?.(app);
    // Request/reply servers attached in `configure` (connectMicroservice) start with the app.
    await app.startAllMicroservices();
    await app.init();
    return app;
  } catch (err: unknown) {
    await app.close().catch(() => undefined);
    throw err;
  }
}

/** A request body in JSON (`application/json`, with or without parameters). */
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * JSON is the only body the platform's APIs take: any other content type is answered with a
 * 415 problem before parsing, instead of (say) a form body parsed into odd field names.
 */
function requireJsonBodies(adapter: FastifyAdapter, formBodyPaths: readonly string[]): void {
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 ||
      request.headers['transfer-encoding'] !== undefined;
    const type = request.headers['content-type'];
    if (!hasBody || (type !== undefined && JSON_CONTENT_TYPE.test(type))) return done();
    if (
      type !== undefined &&
      FORM_CONTENT_TYPE.test(type) &&
      formBodyPaths.includes(request.url.split('?')[0] ?? '')
    ) {
      return done();
    }
    const { problem } = toProblem(
      new UnsupportedMediaTypeException(
        `Send the body as application/json (got ${type ?? 'no content type'})`,
      ),
      request.url.split('?')[0] ?? '/',
    );
    void reply.code(415).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
}

function assertObservability(app: NestFastifyApplication, name: string): void {
  let observability: ObservabilityModuleOptions;
  try {
    // Through ModuleRef: a failed app.get() would also log an ExceptionHandler error line.
    observability = app
      .get(ModuleRef)
      .get<ObservabilityModuleOptions>(OBSERVABILITY_OPTIONS, { strict: false });
  } catch {
    throw new Error(
      `${name}: the root module must import ObservabilityModule.forRoot({ service: '${name}' })`,
    );
  }
  if (observability.service !== name) {
    throw new Error(
      `${name}: ObservabilityModule.forRoot is for service '${observability.service}', not '${name}'`,
    );
  }
}

function installGracefulShutdown(
  app: NestFastifyApplication,
  logger: Logger,
  graceMs: number,
): void {
  const health = app.get(HealthRegistry);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'Second shutdown signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    health.beginShutdown();
    logger.info({ signal, grace_ms: graceMs }, 'Shutting down: readiness is 503, draining');
    setTimeout(() => {
      app.close().then(
        () => {
          logger.info('Shutdown complete');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'Shutdown failed');
          process.exit(1);
        },
      );
    }, graceMs);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function exitOnStartupError(name: string, err: unknown, logger?: Logger): never {
  if (err instanceof ConfigValidationError) {
    process.stderr.write(`${name} cannot start. ${err.message}\n`);
  } else if (logger) {
    logger.fatal({ err }, `${name} failed to start`);
  } else {
    process.stderr.write(`${name} failed to start: ${String(err)}\n`);
  }
  process.exit(1);
}
