import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { MikroORM } from '@mikro-orm/core';
import { Outbox } from '@ihf/messaging';
import { createLogger, DomainError } from '@ihf/observability';
import { createOrmOptions } from '@ihf/persistence';
import { loadIdentityConfigOrExit } from '../config/load-identity-config.js';
import { identityOrmSettings } from '../database/identity-orm.settings.js';
import { migrateIdentity } from '../database/migrate-identity.js';
import { ensureFirstAdmin } from '../users/first-admin.js';
import { PasswordAttempts } from '../users/password-attempts.js';
import { passwordHasherFor } from '../users/users.module.js';
import { UsersService } from '../users/users.service.js';

const USAGE = `Usage: npm run identity:create-admin -- --email <email> [--name <name>] [--force]

Creates an admin user in the identity schema (migrating it first), unless an active admin
exists (--force creates one anyway). The password is read from IHF_ADMIN_PASSWORD, or from
standard input when that is not set. The user.created event is published by the running
identity service's outbox relay.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string', default: 'Administrator' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.email) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadIdentityConfigOrExit('identity create-admin');
  const password = config.IHF_ADMIN_PASSWORD ?? (await readStdin());
  await migrateIdentity(config.DATABASE_URL);
  const orm = await MikroORM.init(createOrmOptions(identityOrmSettings(config.DATABASE_URL)));
  try {
    const outbox = new Outbox('identity');
    const attempts = new PasswordAttempts(
      outbox,
      config,
      createLogger({ service: 'identity-create-admin' }),
    );
    const users = new UsersService(orm, outbox, passwordHasherFor(config), attempts);
    const outcome = await ensureFirstAdmin(
      orm,
      users,
      { email: values.email, name: values.name, password },
      { force: values.force },
    );
    const messages = {
      created: `Created admin ${values.email}.`,
      'admin-exists': 'An active admin already exists; nothing created (use --force to add one).',
      'email-taken': `A user with e-mail ${values.email} already exists; nothing created.`,
    } as const;
    process.stdout.write(`${messages[outcome]}\n`);
    return outcome === 'created' ? 0 : 1;
  } catch (err) {
    if (err instanceof DomainError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await orm.close(true);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`create-admin failed: ${String((err as Error)?.stack ?? err)}\n`);
    process.exitCode = 1;
  },
);
