import { type DynamicModule, Module } from '@nestjs/common';
import { type ConfigClass, type Env, loadConfig } from './load-config.js';

/**
 * Makes a service's validated config injectable by its class, everywhere (global):
 *
 * ```ts
 * @Module({ imports: [ServiceConfigModule.forRoot(FeedbackConfig), …] })
 * export class AppModule {}
 *
 * @Injectable()
 * export class TriageService {
 *   constructor(private readonly config: FeedbackConfig) {}
 * }
 * ```
 *
 * The config is loaded when the app is created; a {@link ConfigValidationError} then stops
 * `bootstrapService` with a message naming each bad variable (see `ConfigValidationError`).
 */
@Module({})
export class ServiceConfigModule {
  /** Provides `ConfigClass`, loaded from `env` (default `process.env`) with {@link loadConfig}. */
  static forRoot<T extends object>(ConfigClass: ConfigClass<T>, env?: Env): DynamicModule {
    return {
      module: ServiceConfigModule,
      global: true,
      providers: [{ provide: ConfigClass, useFactory: () => loadConfig(ConfigClass, env) }],
      exports: [ConfigClass],
    };
  }
}
