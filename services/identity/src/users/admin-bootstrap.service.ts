import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { PINO_LOGGER } from '@ihf/observability';
import { type Logger } from 'pino';
import { IdentityConfig } from '../config/identity.config.js';
import { ensureFirstAdmin } from './first-admin.js';
import { UsersService } from './users.service.js';

/** Creates the first admin from IHF_ADMIN_EMAIL / IHF_ADMIN_PASSWORD when no active admin exists. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(IdentityConfig) private readonly config: IdentityConfig,
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { IHF_ADMIN_EMAIL: email, IHF_ADMIN_PASSWORD: password } = this.config;
    if (email === undefined || password === undefined) {
      if ((await this.users.countActiveAdmins()) === 0) {
        this.logger.warn(
          { admin_email_set: email !== undefined, admin_password_set: password !== undefined },
          'No admin exists: set both IHF_ADMIN_EMAIL and IHF_ADMIN_PASSWORD, or run npm run identity:create-admin',
        );
      }
      return;
    }
    const outcome = await ensureFirstAdmin(this.orm, this.users, {
      email,
      password,
      name: this.config.IHF_ADMIN_NAME,
    });
    if (outcome === 'created') this.logger.info({ email }, 'Created the first admin');
    if (outcome === 'email-taken') {
      this.logger.warn(
        { email },
        'No active admin exists, but IHF_ADMIN_EMAIL belongs to a user who is not one: not changed',
      );
    }
  }
}
