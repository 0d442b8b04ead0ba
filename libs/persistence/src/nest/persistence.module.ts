import {
  type DynamicModule,
  Inject,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnModuleInit,
  RequestMethod,
} from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmMiddleware, MikroOrmModule } from '@mikro-orm/nestjs';
import { type PostgreSqlConnection } from '@mikro-orm/postgresql';
import { Gauge } from 'prom-client';
import { HealthRegistry, MetricsService } from '@ihf/observability';
import { createOrmOptions, type ServiceOrmSettings } from '../config/orm-options.js';

@Injectable()
class PostgresHealthCheck implements OnModuleInit {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('postgres', async () => {
      const result = await this.orm.checkConnection();
      if (!result.ok) throw new Error(result.reason ?? 'postgres unreachable');
    });
  }
}

/**
 * `ihf_db_pool_connections{state}`: the `pg` pool behind MikroORM, read at each scrape
 * (`total` open, `idle`, and `waiting`: requests queued for a connection while none is idle,
 * the sign of a pool too small for the load).
 */
@Injectable()
class PoolMetrics implements OnModuleInit {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const connection = this.orm.em.getConnection() as unknown as PostgreSqlConnection;
    new Gauge({
      name: 'ihf_db_pool_connections',
      help: 'Connections of the database pool, by state (total, idle, waiting: requests queued for one).',
      labelNames: ['state'],
      registers: [this.metrics.registry],
      async collect() {
        const pool = await connection.getNativeClient().catch(() => undefined);
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        // pg-pool queues every checkout, even one an idle connection serves on the next tick:
        // the scrape's own collectors (outbox and tail backlog queries) are such checkouts, and
        // read raw they showed 1-5 waiting on an idle service. A queue is waiting for capacity
        // only while no connection is idle.
        this.set({ state: 'waiting' }, pool.idleCount > 0 ? 0 : pool.waitingCount);
      },
    });
  }
}

/** How a service's routes use the ORM. */
export interface PersistenceOptions {
  /**
   * Routes that never use the EntityManager's identity map (they query through the connection
   * or fork explicitly), so they skip the per-request fork: MikroORM forks an EntityManager for
   * every request it gives a context (measured: 3% of the busy CPU of a hot route that writes
   * through the pool). An entity method on the global EntityManager in such a route
   * throws (`allowGlobalContext` is off), so a route that starts using one fails its tests.
   */
  readonly withoutRequestContext?: { path: string; method: RequestMethod }[];
}

const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');

/**
 * A service's database access: MikroORM for the service's own schema (EntityManager and
 * MikroORM injectable, a fresh identity map per request) and a 'postgres' readiness check.
 * Migrations are not run here: the service's main runs `migrateSchema` before the app starts.
 */
@Module({})
export class PersistenceModule implements NestModule {
  constructor(@Inject(PERSISTENCE_OPTIONS) private readonly options: PersistenceOptions) {}

  static forRoot(settings: ServiceOrmSettings, options: PersistenceOptions = {}): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        MikroOrmModule.forRoot({
          ...createOrmOptions(settings),
          // Registered below, where routes can be left out.
          registerRequestContext: false,
        }) as DynamicModule,
      ],
      providers: [
        PostgresHealthCheck,
        PoolMetrics,
        { provide: PERSISTENCE_OPTIONS, useValue: options },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(MikroOrmMiddleware)
      .exclude(...(this.options.withoutRequestContext ?? []))
      .forRoutes({ path: '{*all}', method: RequestMethod.ALL });
  }
}
