import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import {
  jetstream,
  jetstreamManager,
  type ConsumerInfo,
  type JetStreamClient,
} from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge, Histogram } from 'prom-client';
import { HealthRegistry, MetricsService, PINO_LOGGER } from '@ihf/observability';
import {
  STREAMS,
  assertNamespace,
  physicalStreamName,
  subjectMatches,
  type ConsumerDefinition,
  type StreamName,
} from '@ihf/contracts';
import { connectNats } from '../nats/nats-connection.js';
import { BusPermissionError, PermissionWatch } from '../auth/permission-watch.js';
import { type NatsSecurityOptions } from '../auth/nats-credentials.js';
import {
  StreamNotProvisionedError,
  provisionConsumers,
  provisionStreams,
} from '../provisioning/provision.js';
import { Outbox } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { ConsumerRunner } from '../consumer/consumer-runner.js';
import { INBOX_RETENTION_MS, pruneInbox } from '../inbox/inbox.js';
import { pruneConsumerFailures } from '../consumer/consumer-failures.js';
import { type EventHandlers } from '../consumer/event-handlers.js';
import { RpcClient } from '../rpc/rpc.js';
import {
  TableTailRelay,
  type TableTailDefinition,
  type TailSql,
} from '../tail/table-tail-relay.js';
import { TableTailThread } from '../tail/table-tail-thread.js';
import { type Logger } from '../logger.js';
import {
  StreamReconciler,
  outboxReconcileSource,
  tailReconcileSource,
  type ReconcileResult,
  type ReconcileSource,
} from '../reconcile/reconciler.js';

/** How a service uses the bus. */
export interface MessagingModuleOptions {
  /** The service's name: the envelope `producer`, the queue group, metric and log labels. */
  readonly service: string;
  /** The service's Postgres schema (outbox and inbox tables live there). */
  readonly schema: string;
  readonly natsUrl: string;
  /**
   * Credentials and TLS of the bus connections (default: from the environment, see
   * `natsSecurityOptions`: NATS_CREDS, NATS_NKEY_SEED or NATS_USER/NATS_PASSWORD, NATS_TLS_*).
   */
  readonly security?: NatsSecurityOptions;
  readonly databaseUrl: string;
  /** Bus namespace ('' in production; tests and side-by-side stacks set one). */
  readonly namespace: string;
  /** Streams this service publishes to; created or updated at start-up. */
  readonly streams: readonly StreamName[];
  /** Run the outbox relay in this process (default true). */
  readonly relay?: boolean;
  /**
   * Append-only tables that are their own outbox (prepared with `tableTailSql`), relayed by a
   * `TableTailRelay` each; one replica leads per table. Their subjects' streams must be listed
   * in `streams`.
   */
  readonly tails?: readonly TableTailDefinition[];
  /**
   * Where the table tail relays run: `worker` (a worker thread per table, off the request
   * event loop; the definition must name its `thread` module) or `main` (default).
   */
  readonly tailThread?: 'main' | 'worker';
  /** Handlers running at once per consumer in this process (default 8). */
  readonly consumerConcurrency?: number;
  /**
   * How often the relayed rows of the last 15 minutes (outbox, and tails with a `timeColumn`)
   * are compared with their streams and missing messages published again (default 5 minutes;
   * 0: only on demand, through `RelayReconciliation.reconcileNow()`).
   */
  readonly reconcileIntervalMs?: number;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
/** How often consumers waiting for a stream their owner has not created yet try again. */
const CONSUMER_RETRY_MS = 5_000;
/** How long a permission violation keeps the 'nats' readiness check failing. */
export const PERMISSION_VIOLATION_WINDOW_MS = 5 * 60_000;
/** Injection token of the service's NatsConnection. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** Injection token of the service's JetStreamClient. */
export const JETSTREAM = Symbol('JETSTREAM');

/**
 * Where a service registers the consumers it runs, with their handlers, typically from an
 * `onModuleInit` of its event-handler class:
 * `consumers.register(CONSUMERS.feedback_ingestion, { [Subjects.Ingestion.WidgetRegisteredV1]: (e, em) => … })`.
 * The consumers are provisioned and started once the application has bootstrapped.
 */
@Injectable()
export class EventConsumers {
  readonly registered: { definition: ConsumerDefinition; handlers: EventHandlers }[] = [];
  private sealed = false;

  register(definition: ConsumerDefinition, handlers: EventHandlers): void {
    if (this.sealed) {
      throw new Error(
        `Consumer '${definition.durable}' registered after start-up: register in onModuleInit`,
      );
    }
    if (this.registered.some((r) => r.definition.durable === definition.durable)) {
      throw new Error(`Consumer '${definition.durable}' is registered twice`);
    }
    for (const subject of Object.keys(handlers)) {
      if (!subjectMatches(definition.filterSubject, subject)) {
        throw new Error(
          `Consumer '${definition.durable}' filters ${definition.filterSubject}: its handler for ${subject} would never run`,
        );
      }
    }
    this.registered.push({ definition, handlers });
  }

  /** Called once consumers start; later registrations would silently never run, so they throw. */
  seal(): void {
    this.sealed = true;
  }
}

/**
 * On-demand reconciliation of this service's relays with their streams (for an admin endpoint
 * or a command): see `StreamReconciler`. Available once the application has bootstrapped.
 */
@Injectable()
export class RelayReconciliation {
  reconciler?: StreamReconciler;

  /** Compares the recently relayed rows with the streams and publishes what is missing. */
  async reconcileNow(): Promise<ReconcileResult[]> {
    if (!this.reconciler) throw new Error('The relays are not running in this process');
    return this.reconciler.reconcileNow();
  }
}

/**
 * This process's table tail relays, for the code that writes their tables: whether this
 * process leads a table's relay now, and a direct wake-up after a commit (instead of a NOTIFY,
 * which Postgres serialises across every committing transaction of the cluster: see
 * `tableTailLocalWakeSql`). Filled once the application has bootstrapped.
 */
@Injectable()
export class TableTails {
  private readonly byTable = new Map<string, TableTailRelay | TableTailThread>();

  /** Called by the messaging lifecycle for each relay it starts. */
  add(tail: TableTailRelay | TableTailThread): void {
    this.byTable.set(tail.table, tail);
  }

  /** Whether this process's relay of `table` leads (as last known; it may just have lost it). */
  leads(table: string): boolean {
    return this.byTable.get(table)?.isLeader ?? false;
  }

  /** Wakes this process's relay of `table` as a notification would. */
  wake(table: string): void {
    this.byTable.get(table)?.wake();
  }
}

/** The consumer metrics the runners report to (created once, before the runners start). */
interface ConsumerMetrics {
  readonly outcomes: Counter<'consumer' | 'subject' | 'outcome'>;
  readonly redeliveries: Counter<'consumer'>;
  readonly handleSeconds: Histogram<'consumer'>;
  readonly eventAge: Histogram<'consumer'>;
}

@Injectable()
class MessagingLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private relay?: OutboxRelay;
  private readonly tails: (TableTailRelay | TableTailThread)[] = [];
  private pruneTimer?: NodeJS.Timeout;
  private readonly runners: ConsumerRunner[] = [];
  /** Why the consumers are not running yet (a stream their owner has not created yet). */
  private consumersWaiting?: Error;
  private consumerRetry?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(JETSTREAM) private readonly js: JetStreamClient,
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(EventConsumers) private readonly consumers: EventConsumers,
    @Inject(RpcClient) private readonly rpc: RpcClient,
    @Inject(RelayReconciliation) private readonly reconciliation: RelayReconciliation,
    @Inject(TableTails) private readonly tableTails: TableTails,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const permissions = PermissionWatch.of(this.nc, this.logger);
    this.health.register('nats', async () => {
      if (this.nc.isClosed()) throw new Error('NATS connection closed');
      await this.nc.flush();
      // A refused publish or pull means lost work until the credentials are fixed: not ready.
      const [refused] = permissions.recent(PERMISSION_VIOLATION_WINDOW_MS);
      if (refused) throw new BusPermissionError(refused);
    });
    this.health.register('consumers', () => {
      if (this.consumersWaiting) return Promise.reject(this.consumersWaiting);
      const stopped = this.runners.filter((r) => r.stoppedWith !== undefined);
      if (stopped.length)
        return Promise.reject(new Error(`${stopped.length} consumer(s) stopped consuming`));
      return Promise.resolve();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { options, orm, logger } = this;
    this.consumers.seal();
    const jsm = await jetstreamManager(this.nc);
    const definitions = this.consumers.registered.map((c) => c.definition);
    const read = new Set<StreamName>([
      ...definitions.map((d) => d.stream),
      ...(definitions.length ? (['IHF_DLQ'] as const) : []),
    ]);
    for (const own of options.streams) read.delete(own);
    // Declarative: the streams this service owns are made to match their definitions at
    // start-up; streams it only reads from are created when missing, never changed.
    await provisionStreams(
      jsm,
      options.namespace,
      options.streams.map((s) => STREAMS[s]),
      'owner',
    );
    const provisionReading = async () => {
      await provisionStreams(
        jsm,
        options.namespace,
        [...read].map((s) => STREAMS[s]),
        'ensure',
      );
      await provisionConsumers(jsm, options.namespace, definitions);
    };
    // Under generated bus permissions only a stream's owner creates it: when the owner has not
    // started yet, this service runs without its consumers (readiness says why) and retries.
    let consumersProvisioned = true;
    try {
      await provisionReading();
    } catch (error) {
      if (!(error instanceof StreamNotProvisionedError)) throw error;
      consumersProvisioned = false;
      this.consumersWaiting = error;
      logger.warn({ err: error, stream: error.stream }, 'consumers: waiting for a stream');
    }

    if (options.relay ?? true) {
      const published = new Counter({
        name: 'ihf_outbox_published_total',
        help: 'Outbox events published to JetStream.',
        registers: [this.metrics.registry],
      });
      const lag = new Histogram({
        name: 'ihf_outbox_relay_lag_seconds',
        help: 'Time from outbox insert to JetStream acknowledgement.',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [this.metrics.registry],
      });
      this.relay = new OutboxRelay({
        schema: options.schema,
        orm,
        databaseUrl: options.databaseUrl,
        nc: this.nc,
        namespace: options.namespace,
        logger,
        onPublished: (events) => {
          published.inc(events.length);
          const now = Date.now();
          for (const e of events) lag.observe((now - e.createdAt.getTime()) / 1000);
        },
      });
      await this.relay.start();
      const relay = this.relay;
      // What to alert on: events waiting longer than a few seconds mean the relay is stuck.
      new Gauge({
        name: 'ihf_outbox_pending_events',
        help: 'Outbox events not yet published (the backlog; -1 when it cannot be read).',
        registers: [this.metrics.registry],
        async collect() {
          this.set(await relay.pendingCount().catch(() => -1));
        },
      });
      new Gauge({
        name: 'ihf_outbox_oldest_pending_seconds',
        help: 'Age of the oldest outbox event not yet published (0 when none).',
        registers: [this.metrics.registry],
        async collect() {
          this.set(await relay.oldestPendingAgeSeconds().catch(() => -1));
        },
      });
    }

    if (options.tails?.length) {
      const tailed = new Counter({
        name: 'ihf_table_tail_published_total',
        help: 'Rows of append-only tables published to JetStream, by table.',
        labelNames: ['table'],
        registers: [this.metrics.registry],
      });
      const setAside = new Counter({
        name: 'ihf_table_tail_set_aside_total',
        help: 'Rows of append-only tables set aside in relay_failures (never published), by table.',
        labelNames: ['table'],
        registers: [this.metrics.registry],
      });
      // The ORM's pg pool: the relay's statements bind their parameters, no ORM layer between.
      const sql = (await orm.em.getConnection().getNativeClient()) as TailSql;
      for (const definition of options.tails) {
        const common = {
          schema: options.schema,
          sql,
          databaseUrl: options.databaseUrl,
          namespace: options.namespace,
          logger,
          onPublished: (count: number) => tailed.inc({ table: definition.table }, count),
          onSetAside: (count: number) => setAside.inc({ table: definition.table }, count),
        };
        // A thread connects to NATS with the environment's credentials: explicit ones stay here.
        const threaded = options.tailThread === 'worker' && !options.security;
        if (options.tailThread === 'worker' && !threaded)
          logger.warn(
            { table: definition.table },
            'table tail relay: explicit NATS credentials, relaying on the main thread',
          );
        const tail = threaded
          ? new TableTailThread({
              ...common,
              definition,
              service: options.service,
              natsUrl: options.natsUrl,
            })
          : new TableTailRelay({ ...definition, ...common, nc: this.nc });
        await tail.start();
        this.tails.push(tail);
        this.tableTails.add(tail);
      }
      const tails = this.tails;
      // What to alert on: a lag of more than a few seconds means no replica is relaying
      // (a dead leader, a stuck batch); set-aside rows need an operator.
      new Gauge({
        name: 'ihf_table_tail_oldest_pending_seconds',
        help: 'Age of the oldest row of an append-only table not yet relayed (0 when none), by table.',
        labelNames: ['table'],
        registers: [this.metrics.registry],
        async collect() {
          for (const tail of tails)
            this.set({ table: tail.table }, await tail.oldestPendingAgeSeconds().catch(() => -1));
        },
      });
      new Gauge({
        name: 'ihf_table_tail_set_aside_rows',
        help: 'Rows of append-only tables waiting in relay_failures for an operator, by table.',
        labelNames: ['table'],
        registers: [this.metrics.registry],
        async collect() {
          for (const tail of tails)
            this.set({ table: tail.table }, await tail.setAsideRows().catch(() => -1));
        },
      });
    }

    const sources: ReconcileSource[] = [];
    if (options.relay ?? true) sources.push(outboxReconcileSource({ ...options, orm }));
    (options.tails ?? []).forEach((definition, i) => {
      const tail = this.tails[i];
      // The leader reconciles its table: one replica reads it, not all.
      if (definition.timeColumn)
        sources.push(
          tailReconcileSource({ ...definition, ...options, orm, active: () => tail.isLeader }),
        );
    });
    if (sources.length) {
      const repaired = new Counter({
        name: 'ihf_relay_reconciled_total',
        help: 'Acknowledged messages found missing from their stream and published again, by source.',
        labelNames: ['source'],
        registers: [this.metrics.registry],
      });
      this.reconciliation.reconciler = new StreamReconciler({
        nc: this.nc,
        sources,
        intervalMs: options.reconcileIntervalMs,
        logger,
        onRepaired: (source, count) => repaired.inc({ source }, count),
      });
      this.reconciliation.reconciler.start();
    }

    const outcomes = new Counter({
      name: 'ihf_consumer_deliveries_total',
      help: 'Event deliveries settled by consumers, by consumer, subject and outcome (handled, duplicate, ignored, retry, dead_lettered).',
      labelNames: ['consumer', 'subject', 'outcome'],
      registers: [this.metrics.registry],
    });
    const redeliveries = new Counter({
      name: 'ihf_consumer_redeliveries_total',
      help: 'Deliveries of a message JetStream had delivered before (a retry, an expired ack wait), by consumer.',
      labelNames: ['consumer'],
      registers: [this.metrics.registry],
    });
    const handleSeconds = new Histogram({
      name: 'ihf_consumer_handle_duration_seconds',
      help: 'Time to validate, handle and settle one delivery, by consumer.',
      labelNames: ['consumer'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.metrics.registry],
    });
    // Read-model freshness: how old an event is when its consumer applies it (the read model
    // it keeps lags the producer by about this much).
    const eventAge = new Histogram({
      name: 'ihf_consumer_event_age_seconds',
      help: 'Age of an event (now minus occurred_at) when its consumer handled it, by consumer.',
      labelNames: ['consumer'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [this.metrics.registry],
    });
    if (this.consumers.registered.length) {
      const registered = this.consumers.registered.map((c) => c.definition);
      const { namespace } = options;
      // Both gauges are collected in parallel at a scrape: they share one look-up per consumer.
      const recent = new Map<string, { at: number; info: Promise<ConsumerInfo | undefined> }>();
      const info = (d: ConsumerDefinition) => {
        const hit = recent.get(d.durable);
        if (hit && Date.now() - hit.at < 1_000) return hit.info;
        const fresh = jsm.consumers
          .info(physicalStreamName(namespace, STREAMS[d.stream].name), d.durable)
          .catch(() => undefined);
        recent.set(d.durable, { at: Date.now(), info: fresh });
        return fresh;
      };
      // Read from JetStream at each scrape: the same for every replica (use max by consumer).
      new Gauge({
        name: 'ihf_consumer_pending_messages',
        help: 'Messages of the stream not yet delivered to the consumer (its lag), by consumer.',
        labelNames: ['consumer'],
        registers: [this.metrics.registry],
        async collect() {
          for (const d of registered) {
            const i = await info(d);
            this.set({ consumer: d.durable }, i ? i.num_pending : -1);
          }
        },
      });
      new Gauge({
        name: 'ihf_consumer_ack_pending_messages',
        help: 'Messages delivered to the consumer and not yet acknowledged, by consumer.',
        labelNames: ['consumer'],
        registers: [this.metrics.registry],
        async collect() {
          for (const d of registered) {
            const i = await info(d);
            this.set({ consumer: d.durable }, i ? i.num_ack_pending : -1);
          }
        },
      });
    }
    const startRunners = async () => {
      await this.startRunners({ outcomes, redeliveries, handleSeconds, eventAge });
    };
    if (consumersProvisioned) {
      await startRunners();
      return;
    }
    const retry = () => {
      this.consumerRetry = setTimeout(() => {
        if (this.stopping) return;
        void provisionReading()
          .then(startRunners)
          .then(
            () => {
              this.consumersWaiting = undefined;
              logger.info({}, 'consumers: the streams exist now; consuming');
            },
            (error: unknown) => {
              this.consumersWaiting = error instanceof Error ? error : new Error(String(error));
              if (!(error instanceof StreamNotProvisionedError))
                logger.error({ err: error }, 'consumers: could not start; retrying');
              if (!this.stopping) retry();
            },
          );
      }, CONSUMER_RETRY_MS);
      this.consumerRetry.unref();
    };
    retry();
  }

  private async startRunners(metrics: ConsumerMetrics): Promise<void> {
    const { options, js, orm, logger } = this;
    const { outcomes, redeliveries, handleSeconds, eventAge } = metrics;
    for (const { definition, handlers } of this.consumers.registered) {
      const runner = new ConsumerRunner({
        definition,
        handlers,
        orm,
        schema: options.schema,
        js,
        namespace: options.namespace,
        logger,
        concurrency: options.consumerConcurrency,
        onOutcome: (outcome, subject, durationMs, delivery) => {
          const consumer = definition.durable;
          outcomes.inc({ consumer, subject, outcome });
          handleSeconds.observe({ consumer }, durationMs / 1000);
          if (delivery.deliveries > 1) redeliveries.inc({ consumer });
          if (outcome === 'handled' && delivery.occurredAt) {
            const age = (Date.now() - Date.parse(delivery.occurredAt)) / 1000;
            if (Number.isFinite(age)) eventAge.observe({ consumer }, Math.max(0, age));
          }
        },
      });
      await runner.start();
      this.runners.push(runner);
    }

    if (this.runners.length) {
      // Handled event ids are kept longer than any stream keeps messages, then pruned.
      const prune = () =>
        void Promise.all([
          pruneInbox(orm.em.fork(), options.schema, INBOX_RETENTION_MS),
          pruneConsumerFailures(orm.em.fork(), options.schema, INBOX_RETENTION_MS),
        ]).catch((error: unknown) => logger.warn({ err: error }, 'inbox pruning failed'));
      prune();
      this.pruneTimer = setInterval(prune, 10 * 60_000);
      this.pruneTimer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Stop taking work, finish what is in flight, then let go of NATS.
    this.stopping = true;
    clearTimeout(this.consumerRetry);
    clearInterval(this.pruneTimer);
    await Promise.allSettled(this.runners.map((r) => r.stop()));
    await this.reconciliation.reconciler?.stop();
    await this.relay?.stop();
    await Promise.allSettled(this.tails.map((t) => t.stop()));
    await this.rpc.close().catch(() => undefined);
    await this.nc.drain().catch(() => undefined);
  }
}

/**
 * A service's bus: NATS connection and JetStream client, the `Outbox` to write events with,
 * the outbox relay, the consumers registered in `EventConsumers`, an `RpcClient` for
 * request/reply look-ups, a 'nats' readiness check and relay/consumer metrics. Needs
 * `ObservabilityModule` and `PersistenceModule` (MikroORM) in the application.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    assertNamespace(options.namespace);
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NATS_CONNECTION,
          useFactory: () => connectNats(options.natsUrl, options.service, options.security),
        },
        {
          provide: JETSTREAM,
          useFactory: (nc: NatsConnection) => jetstream(nc),
          inject: [NATS_CONNECTION],
        },
        { provide: Outbox, useValue: new Outbox(options.service) },
        {
          provide: RpcClient,
          useFactory: async () => {
            const client = new RpcClient(options);
            await client.connect();
            return client;
          },
        },
        EventConsumers,
        RelayReconciliation,
        TableTails,
        MessagingLifecycle,
      ],
      exports: [
        MESSAGING_OPTIONS,
        NATS_CONNECTION,
        JETSTREAM,
        Outbox,
        RpcClient,
        EventConsumers,
        RelayReconciliation,
        TableTails,
      ],
    };
  }
}
