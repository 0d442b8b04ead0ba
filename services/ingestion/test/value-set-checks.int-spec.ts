import { VALUE_SETS } from '@ihf/contracts';
import { migrateSchema } from '@ihf/persistence';
import { checkConstraintLiterals, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { INGESTION_SCHEMA, ingestionOrmSettings } from '../src/database/ingestion-orm.settings.js';

/** Each CHECK that lists a value set crossing a service boundary, and the set it must equal. */
const CHECKS: Record<string, keyof typeof VALUE_SETS> = {
  envelope_emission_contracts_status_check: 'CONTRACT_STATUSES',
  interaction_reporting_contracts_status_check: 'CONTRACT_STATUSES',
  widget_adapter_specs_status_check: 'ADAPTER_SPEC_STATUSES',
  widgets_status_check: 'WIDGET_STATUSES',
};

/** Value lists that stay inside ingestion (no event or other service carries them). */
const LOCAL = ['quarantined_events_kind_check', 'quarantined_events_outcome_check'];

describe('ingestion: CHECK constraints and the value sets of libs/contracts', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(ingestionOrmSettings(env.databaseUrl));
  });
  afterAll(() => env.teardown());

  it('lists in each CHECK exactly the values the contracts define, and no other value list', async () => {
    const found = await checkConstraintLiterals(env.databaseUrl, INGESTION_SCHEMA);
    // Unknown lists fail too: a new CHECK on a shared value set is added to CHECKS above.
    expect(Object.keys(found).sort()).toEqual([...Object.keys(CHECKS), ...LOCAL].sort());
    for (const [name, valueSet] of Object.entries(CHECKS)) {
      expect({ name, values: [...found[name]].sort() }).toEqual({
        name,
        values: [...VALUE_SETS[valueSet]].sort(),
      });
    }
  });
});
