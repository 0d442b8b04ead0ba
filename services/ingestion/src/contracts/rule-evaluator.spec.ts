import { compileRules, readPath, ruleDefinitionProblems } from './rule-evaluator.js';
import { type ValidationRule } from './validation-rule.js';

const source = { kind: 'reporting_contract' as const, version: '1.0' };
const NOW = Date.parse('2026-11-27T12:00:00Z');
const HUB = '7b0f4b6e-4c1e-4c57-9a0e-1f1d8a6e2f10';

const rules: ValidationRule[] = [
  {
    id: 'hub_id_uuid',
    check: 'format',
    path: 'event.hub_id',
    format: 'uuid',
    reason: 'invalid_field',
  },
  { id: 'type_length', check: 'max_length', path: 'event.event_type', max: 10 },
  {
    id: 'hub_matches_key',
    check: 'equals',
    path: 'event.hub_id',
    other: 'key.hub_id',
    reason: 'hub_mismatch',
  },
  {
    id: 'event_type_accepted',
    check: 'one_of',
    path: 'event.event_type',
    values_from: 'contract.accepted_event_types',
    reason: 'event_type_not_accepted',
  },
  {
    id: 'not_future',
    check: 'not_after',
    path: 'event.occurred_at',
    offset_seconds: 300,
    reason: 'occurred_at_in_future',
  },
  {
    id: 'not_stale',
    check: 'not_before',
    path: 'event.occurred_at',
    offset_seconds: -86400,
    reason: 'occurred_at_too_old',
  },
  {
    id: 'metadata_bounds',
    check: 'json_bounds',
    path: 'event.metadata',
    max_bytes: 50,
    max_depth: 2,
  },
  { id: 'widget_known', check: 'present', path: 'widget.id', reason: 'unknown_widget' },
  {
    id: 'widget_active',
    check: 'one_of',
    path: 'widget.status',
    values: ['active'],
    reason: 'widget_not_active',
  },
];

const evaluate = compileRules(rules, source, {
  root: 'event',
  fields: ['hub_id', 'event_type', 'occurred_at'],
});

function context(
  event: Record<string, unknown>,
  widget: Record<string, unknown> | null = { id: 'w', status: 'active' },
) {
  return {
    event: { hub_id: HUB, event_type: 'clicked', occurred_at: '2026-11-27T11:59:00Z', ...event },
    key: { hub_id: HUB },
    widget,
    contract: { accepted_event_types: ['clicked', 'viewed'] },
  };
}

describe('rule evaluator', () => {
  it('accepts a valid event', () => {
    expect(evaluate(context({}), NOW)).toBeNull();
  });

  it.each([
    ['a missing required field', { event_type: undefined }, 'missing_field', 'required:event_type'],
    ['an empty required field', { occurred_at: '' }, 'missing_field', 'required:occurred_at'],
    ['a bad format', { hub_id: 'nope' }, 'invalid_field', 'hub_id_uuid'],
    ['a too long string', { event_type: 'x'.repeat(11) }, 'type_length', 'type_length'],
    [
      'another hub',
      { hub_id: '00000000-0000-4000-8000-000000000000' },
      'hub_mismatch',
      'hub_matches_key',
    ],
    [
      'an unknown event type',
      { event_type: 'licked' },
      'event_type_not_accepted',
      'event_type_accepted',
    ],
    [
      'a time far in the future',
      { occurred_at: '2026-11-27T12:06:00Z' },
      'occurred_at_in_future',
      'not_future',
    ],
    [
      'a time too old',
      { occurred_at: '2026-11-20T12:00:00+02:00' },
      'occurred_at_too_old',
      'not_stale',
    ],
    [
      'a timestamp without zone',
      { occurred_at: '2026-11-27T11:59:00' },
      'occurred_at_in_future',
      'not_future',
    ],
    [
      'too deep metadata',
      { metadata: { a: { b: { c: 1 } } } },
      'metadata_bounds',
      'metadata_bounds',
    ],
    [
      'too large metadata',
      { metadata: { a: 'x'.repeat(60) } },
      'metadata_bounds',
      'metadata_bounds',
    ],
  ])('refuses %s with a typed reason', (_name, event, reason, rule) => {
    expect(evaluate(context(event), NOW)).toMatchObject({
      reason,
      rule,
      contract_kind: 'reporting_contract',
      contract_version: '1.0',
    });
  });

  it('refuses unknown and inactive widgets', () => {
    expect(evaluate(context({}, null), NOW)?.reason).toBe('unknown_widget');
    expect(evaluate(context({}, { id: 'w', status: 'retired' }), NOW)).toMatchObject({
      reason: 'widget_not_active',
      field: 'status',
    });
  });

  it('skips format checks of absent optional values, and allows a small clock skew', () => {
    expect(
      evaluate(context({ metadata: undefined, occurred_at: '2026-11-27T12:04:00Z' }), NOW),
    ).toBeNull();
  });

  it('reads paths safely', () => {
    expect(readPath({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(readPath({ a: null }, 'a.b')).toBeUndefined();
    expect(readPath({ a: 'str' }, 'a.length')).toBeUndefined();
  });

  it('reports malformed rule definitions, and refuses to compile them', () => {
    expect(ruleDefinitionProblems(rules)).toEqual([]);
    expect(ruleDefinitionProblems({})).toEqual(['validation_rules must be an array']);
    const bad = [
      { id: 'x', check: 'regex', path: 'event.a' },
      { id: 'x', check: 'format', path: 'event.a', format: 'email' },
      { id: 'Bad Id', check: 'present', path: 'nope' },
      { id: 'y', check: 'equals', path: 'event.a' },
    ];
    expect(ruleDefinitionProblems(bad)).toHaveLength(6);
    expect(() => compileRules(bad as ValidationRule[], source)).toThrow(/Invalid rules/);
  });
});
