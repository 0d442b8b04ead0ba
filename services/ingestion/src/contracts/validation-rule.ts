/**
 * The rule language of contracts' `validation_rules`: data, interpreted by {@link compileRules}
 * (one small evaluator, no code per rule). A rule reads values by path from the evaluation
 * context (`event.*`, `key.*`, `widget.*`, `contract.*`, `attributes.*`) and fails with its
 * `reason` (default: its `id`).
 *
 * | check         | passes when                                                          |
 * | ------------- | -------------------------------------------------------------------- |
 * | `present`     | the value is neither missing, null nor an empty string               |
 * | `format`      | absent, or of `format`: uuid, timestamp, string, positive_integer, object |
 * | `max_length`  | absent, or a string of at most `max` characters                      |
 * | `one_of`      | absent, or one of `values` (or of the array at path `values_from`)   |
 * | `equals`      | the value equals the value at path `other`                           |
 * | `not_after`   | absent, or a time no later than now + `offset_seconds`               |
 * | `not_before`  | absent, or a time no earlier than now + `offset_seconds` (negative)  |
 * | `json_bounds` | absent, or JSON of at most `max_bytes` bytes and `max_depth` levels  |
 */
export const RULE_CHECKS = [
  'present',
  'format',
  'max_length',
  'one_of',
  'equals',
  'not_after',
  'not_before',
  'json_bounds',
] as const;
export type RuleCheck = (typeof RULE_CHECKS)[number];

export const RULE_FORMATS = ['uuid', 'timestamp', 'string', 'positive_integer', 'object'] as const;
export type RuleFormat = (typeof RULE_FORMATS)[number];

/** One rule as stored in a contract's `validation_rules`. */
export interface ValidationRule {
  /** Stable id of the rule within its contract, e.g. `widget_active`. */
  readonly id: string;
  readonly check: RuleCheck;
  /** Where the checked value is, e.g. `event.occurred_at`, `widget.status`. */
  readonly path: string;
  /** Machine-readable refusal reason sent to clients (default: `id`). */
  readonly reason?: string;
  readonly format?: RuleFormat;
  readonly max?: number;
  readonly values?: readonly (string | number | boolean)[];
  readonly values_from?: string;
  readonly other?: string;
  readonly offset_seconds?: number;
  readonly max_bytes?: number;
  readonly max_depth?: number;
}
