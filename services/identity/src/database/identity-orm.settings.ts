import { MESSAGING_ENTITIES } from '@ihf/messaging';
import { type ServiceOrmSettings } from '@ihf/persistence';
import { AgentClient } from '../agents/agent-client.entity.js';
import { RefreshToken } from '../auth/refresh-token.entity.js';
import { InitIdentity } from '../migrations/migration-20261127120000-init.js';
import { UserVersionSessions } from '../migrations/migration-20261207010000-user-version-sessions.js';
import { MachineRoles } from '../migrations/migration-2026120813000100-machine-roles.js';
import { User } from '../users/user.entity.js';

/** Postgres schema owned by identity. */
export const IDENTITY_SCHEMA = 'identity';

/** ORM settings of the service: its entities and its migrations, in order. */
export function identityOrmSettings(databaseUrl: string): ServiceOrmSettings {
  return {
    schema: IDENTITY_SCHEMA,
    databaseUrl,
    entities: [User, RefreshToken, AgentClient, ...MESSAGING_ENTITIES],
    migrations: [
      { name: 'Migration20261127120000_init', class: InitIdentity },
      { name: 'Migration20261207010000_user_version_sessions', class: UserVersionSessions },
      { name: 'Migration2026120813000100_machine_roles', class: MachineRoles },
    ],
  };
}
