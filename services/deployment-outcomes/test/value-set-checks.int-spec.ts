import { VALUE_SETS } from '@ihf/contracts';
import { migrateSchema } from '@ihf/persistence';
import { checkConstraintLiterals, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import {
  DEPLOYMENT_SCHEMA,
  deploymentOrmSettings,
} from '../src/database/deployment-orm.settings.js';

/** Each CHECK that lists a value set of libs/contracts, and the set it must equal. */
const CHECKS: Record<string, keyof typeof VALUE_SETS> = {
  deployment_records_recorder_known: 'DEPLOYMENT_RECORDERS',
  affected_widgets_source_known: 'AFFECTED_WIDGET_SOURCES',
  outcome_signals_phase_known: 'OUTCOME_PHASES',
};

describe('deployment-outcomes: CHECK constraints and the value sets of libs/contracts', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(deploymentOrmSettings(env.databaseUrl));
  });
  afterAll(() => env.teardown());

  it('lists in each CHECK exactly the values the contracts define, and no other value list', async () => {
    const found = await checkConstraintLiterals(env.databaseUrl, DEPLOYMENT_SCHEMA);
    expect(Object.keys(found).sort()).toEqual(Object.keys(CHECKS).sort());
    for (const [name, valueSet] of Object.entries(CHECKS)) {
      expect({ name, values: [...found[name]].sort() }).toEqual({
        name,
        values: [...VALUE_SETS[valueSet]].sort(),
      });
    }
  });
});
