import { VALUE_SETS } from '@ihf/contracts';
import { migrateSchema } from '@ihf/persistence';
import { checkConstraintLiterals, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { FEEDBACK_SCHEMA, feedbackOrmSettings } from '../src/database/feedback-orm.settings.js';

/** Each CHECK that lists a value set crossing a service boundary, and the set it must equal. */
const CHECKS: Record<string, keyof typeof VALUE_SETS> = {
  annotations_category_known: 'ANNOTATION_CATEGORIES',
  annotations_severity_known: 'SEVERITIES',
  annotations_source_known: 'ANNOTATION_SOURCES',
  annotations_actor_type_known: 'ACTOR_TYPES',
  requirement_candidates_category_known: 'ANNOTATION_CATEGORIES',
  requirement_candidates_severity_known: 'SEVERITIES',
  requirement_candidates_status_known: 'CANDIDATE_STATUSES',
  triage_states_status_known: 'CANDIDATE_STATUSES',
  triage_states_from_status_known: 'CANDIDATE_STATUSES',
  candidate_merges_from_status_known: 'CANDIDATE_STATUSES',
  candidate_votes_voter_kind_known: 'PARTICIPANT_KINDS',
  candidate_subscribers_subscriber_kind_known: 'PARTICIPANT_KINDS',
  candidate_subscribers_origin_known: 'SUBSCRIPTION_ORIGINS',
  candidate_merge_items_participant_kind_known: 'PARTICIPANT_KINDS',
  candidate_merge_items_original_origin_known: 'SUBSCRIPTION_ORIGINS',
};

describe('feedback: CHECK constraints and the value sets of libs/contracts', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(feedbackOrmSettings(env.databaseUrl));
  });
  afterAll(() => env.teardown());

  it('lists in each CHECK exactly the values the contracts define, and no other value list', async () => {
    const found = await checkConstraintLiterals(env.databaseUrl, FEEDBACK_SCHEMA);
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
