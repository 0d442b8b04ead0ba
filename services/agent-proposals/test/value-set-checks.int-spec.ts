import { VALUE_SETS } from '@ihf/contracts';
import { migrateSchema } from '@ihf/persistence';
import { checkConstraintLiterals, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { AGENTS_SCHEMA, agentsOrmSettings } from '../src/database/agents-orm.settings.js';

/** Each CHECK that lists a value set of libs/contracts, and the set it must equal. */
const CHECKS: Record<string, keyof typeof VALUE_SETS> = {
  agent_proposals_kind_known: 'PROPOSAL_KINDS',
  agent_proposals_origin_known: 'AGENT_ORIGINS',
  agent_proposals_status_known: 'PROPOSAL_STATUSES',
  agent_review_records_decision_known: 'REVIEW_DECISIONS',
  confidence_annotations_dimension_known: 'CONFIDENCE_DIMENSIONS',
};

describe('agent-proposals: CHECK constraints and the value sets of libs/contracts', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(agentsOrmSettings(env.databaseUrl));
  });
  afterAll(() => env.teardown());

  it('lists in each CHECK exactly the values the contracts define, and no other value list', async () => {
    const found = await checkConstraintLiterals(env.databaseUrl, AGENTS_SCHEMA);
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
