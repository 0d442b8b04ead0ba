import { Module } from '@nestjs/common';
import { IdentityConfig } from '../config/identity.config.js';
import { AdminBootstrap } from './admin-bootstrap.service.js';
import { PasswordAttempts } from './password-attempts.js';
import { PasswordHasher } from './password-hasher.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** argon2id with the configured costs. */
export function passwordHasherFor(config: IdentityConfig): PasswordHasher {
  return new PasswordHasher({
    memoryKib: config.IHF_ARGON2_MEMORY_KIB,
    iterations: config.IHF_ARGON2_ITERATIONS,
    parallelism: config.IHF_ARGON2_PARALLELISM,
  });
}

@Module({
  controllers: [UsersController],
  providers: [
    { provide: PasswordHasher, useFactory: passwordHasherFor, inject: [IdentityConfig] },
    PasswordAttempts,
    UsersService,
    AdminBootstrap,
  ],
  exports: [UsersService, PasswordHasher, PasswordAttempts],
})
export class UsersModule {}
