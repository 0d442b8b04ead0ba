import { VALUE_SETS } from '@ihf/contracts';
import { migrateSchema } from '@ihf/persistence';
import { checkConstraintLiterals, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import {
  NOTIFICATIONS_SCHEMA,
  notificationsOrmSettings,
} from '../src/database/notifications-orm.settings.js';

/** Each CHECK that lists a value set of libs/contracts, and the set it must equal. */
const CHECKS: Record<string, keyof typeof VALUE_SETS> = {
  email_preferences_mode_known: 'EMAIL_MODES',
  email_deliveries_status_known: 'EMAIL_DELIVERY_STATUSES',
  webhook_endpoints_status_known: 'WEBHOOK_ENDPOINT_STATUSES',
  webhook_deliveries_status_known: 'WEBHOOK_DELIVERY_STATUSES',
};

describe('notifications: CHECK constraints and the value sets of libs/contracts', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(notificationsOrmSettings(env.databaseUrl));
  });
  afterAll(() => env.teardown());

  it('lists in each CHECK exactly the values the contracts define, and no other value list', async () => {
    const found = await checkConstraintLiterals(env.databaseUrl, NOTIFICATIONS_SCHEMA);
    expect(Object.keys(found).sort()).toEqual(Object.keys(CHECKS).sort());
    for (const [name, valueSet] of Object.entries(CHECKS)) {
      expect({ name, values: [...found[name]].sort() }).toEqual({
        name,
        values: [...VALUE_SETS[valueSet]].sort(),
      });
    }
  });
});
