import { VALUE_SETS } from '@ihf/contracts';
import { migrateSchema } from '@ihf/persistence';
import { checkConstraintLiterals, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { IDENTITY_SCHEMA, identityOrmSettings } from '../src/database/identity-orm.settings.js';

describe('identity: CHECK constraints and the value sets of libs/contracts', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(identityOrmSettings(env.databaseUrl));
  });
  afterAll(() => env.teardown());

  it('allows exactly the roles the contracts define, and lists no other value set', async () => {
    const found = await checkConstraintLiterals(env.databaseUrl, IDENTITY_SCHEMA);
    expect(Object.keys(found).sort()).toEqual(['agent_clients_role_known', 'users_roles_known']);
    expect([...found.users_roles_known].sort()).toEqual([...VALUE_SETS.ROLES].sort());
    expect([...found.agent_clients_role_known].sort()).toEqual(
      [...VALUE_SETS.MACHINE_ROLES].sort(),
    );
  });
});
