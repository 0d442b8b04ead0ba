import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { HealthRegistry } from '@ihf/observability';
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
 * A service's database access: MikroORM for the service's own schema (EntityManager and
 * MikroORM injectable, a fresh identity map per request) and a 'postgres' readiness check.
 * Migrations are not run here: the service's main runs `migrateSchema` before the app starts.
 */
@Module({})
export class PersistenceModule {
  static forRoot(settings: ServiceOrmSettings): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        MikroOrmModule.forRoot({
          ...createOrmOptions(settings),
          registerRequestContext: true,
        }) as DynamicModule,
      ],
      providers: [PostgresHealthCheck],
    };
  }
}
