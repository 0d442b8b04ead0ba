import { VALUE_SETS } from '@ihf/contracts';
import { migrateSchema } from '@ihf/persistence';
import { checkConstraintLiterals, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import {
  GOVERNANCE_SCHEMA,
  governanceOrmSettings,
} from '../src/database/governance-orm.settings.js';

/** Each CHECK that lists a value set of libs/contracts, and the set it must equal. */
const CHECKS: Record<string, keyof typeof VALUE_SETS> = {
  requirements_status_known: 'REQUIREMENT_STATUSES',
  requirement_history_change_known: 'REQUIREMENT_CHANGES',
  requirement_history_status_known: 'REQUIREMENT_STATUSES',
  decision_records_outcome_known: 'DECISION_OUTCOMES',
  impl_change_refs_system_known: 'WORK_ITEM_SYSTEMS',
  impl_change_refs_state_known: 'WORK_ITEM_STATES',
  work_item_drafts_system_known: 'WORK_ITEM_SYSTEMS',
};

describe('governance: CHECK constraints and the value sets of libs/contracts', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(governanceOrmSettings(env.databaseUrl));
  });
  afterAll(() => env.teardown());

  it('lists in each CHECK exactly the values the contracts define, and no other value list', async () => {
    const found = await checkConstraintLiterals(env.databaseUrl, GOVERNANCE_SCHEMA);
    // Unknown lists fail too: a new CHECK on a shared value set is added to CHECKS above.
    expect(Object.keys(found).sort()).toEqual(Object.keys(CHECKS).sort());
    for (const [name, valueSet] of Object.entries(CHECKS)) {
      expect({ name, values: [...found[name]].sort() }).toEqual({
        name,
        values: [...VALUE_SETS[valueSet]].sort(),
      });
    }
  });
});
