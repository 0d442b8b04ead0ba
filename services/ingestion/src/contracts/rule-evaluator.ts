import {
  RULE_CHECKS,
  RULE_FORMATS,
  type RuleCheck,
  type RuleFormat,
  type ValidationRule,
} from './validation-rule.js';

/** Which contract a rule came from, carried into every refusal. */
export interface RuleSource {
  readonly kind: 'reporting_contract' | 'envelope_contract';
  readonly version: string;
}

/** Why a rule refused a value: machine-readable, sent to clients and kept in quarantine. */
export interface Refusal {
  /** The rule's `reason` (e.g. `widget_not_active`). */
  readonly reason: string;
  /** The rule's `id` within its contract. */
  readonly rule: string;
  readonly contract_kind: RuleSource['kind'];
  readonly contract_version: string;
  /** The checked field, e.g. `occurred_at` for path `event.occurred_at`. */
  readonly field: string;
  readonly message: string;
}

/** The values rules read, by their first path segment. */
export type RuleContext = Readonly<Record<string, unknown>>;

/** A contract's rules, compiled once: returns the first refusal, or null. */
export type CompiledRules = (context: RuleContext, now: number) => Refusal | null;

type Check = (context: RuleContext, now: number) => string | null;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO 8601 date-time with a time zone (Z or ±hh:mm), as the wire conventions require.
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const RULE_ID_RE = /^[a-z][a-z0-9_:.-]{0,99}$/;
const PATH_RE = /^[a-z_]+(\.[A-Za-z0-9_-]+)+$/;

/** Reads `a.b.c` from the context; undefined when any step is missing. */
export function readPath(context: RuleContext, path: string): unknown {
  return pathReader(path)(context);
}

/**
 * A reader of `a.b.c`, with the path split once when the contract is compiled: rules run for
 * every reported event (the benchmark found splitting per read the largest cost of validation).
 */
export function pathReader(path: string): (context: RuleContext) => unknown {
  const parts = path.split('.');
  if (parts.length === 2) {
    const [head, field] = parts;
    return (c) => {
      const parent = c[head];
      return parent !== null && typeof parent === 'object'
        ? (parent as Record<string, unknown>)[field]
        : undefined;
    };
  }
  return (c) => {
    let value: unknown = c;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The last time parsed: an event's `not_after` and `not_before` rules read the same value. */
let lastTimeText: string | undefined;
let lastTime: number | null = null;

function timeOf(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  if (value === lastTimeText) return lastTime;
  const t = TIMESTAMP_RE.test(value) ? Date.parse(value) : NaN;
  lastTimeText = value;
  lastTime = Number.isNaN(t) ? null : t;
  return lastTime;
}

function matchesFormat(value: unknown, format: RuleFormat): boolean {
  switch (format) {
    case 'uuid':
      return typeof value === 'string' && UUID_RE.test(value);
    case 'timestamp':
      return timeOf(value) !== null;
    case 'string':
      return typeof value === 'string';
    case 'positive_integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** Depth of a JSON value (a scalar is 0, `{}` is 1), stopping early past `limit`. */
function depthOf(value: unknown, limit: number): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, depthOf(child, limit - 1));
    if (deepest > limit) break;
  }
  return deepest + 1;
}

function compileOne(rule: ValidationRule): Check {
  const { path } = rule;
  const read = pathReader(path);
  switch (rule.check) {
    case 'present':
      return (c) => (absent(read(c)) ? `${path} is required` : null);
    case 'format': {
      const format = rule.format!;
      return (c) => {
        const v = read(c);
        return absent(v) || matchesFormat(v, format) ? null : `${path} must be a ${format}`;
      };
    }
    case 'max_length': {
      const max = rule.max!;
      return (c) => {
        const v = read(c);
        if (absent(v)) return null;
        return typeof v === 'string' && v.length <= max
          ? null
          : `${path} must be a string of at most ${max} characters`;
      };
    }
    case 'one_of': {
      const fixed = rule.values ? new Set<unknown>(rule.values) : undefined;
      const from = rule.values_from;
      const readList = from === undefined ? undefined : pathReader(from);
      return (c) => {
        const v = read(c);
        if (absent(v)) return null;
        if (fixed) return fixed.has(v) ? null : `${path} is not one of the accepted values`;
        const list = readList!(c);
        return Array.isArray(list) && list.includes(v) ? null : `${path} is not one of ${from}`;
      };
    }
    case 'equals': {
      const other = rule.other!;
      const readOther = pathReader(other);
      return (c) => (read(c) === readOther(c) ? null : `${path} does not equal ${other}`);
    }
    case 'not_after':
    case 'not_before': {
      const offsetMs = (rule.offset_seconds ?? 0) * 1000;
      const after = rule.check === 'not_after';
      return (c, now) => {
        const v = read(c);
        if (absent(v)) return null;
        const t = timeOf(v);
        if (t === null) return `${path} must be a timestamp`;
        if (after && t > now + offsetMs) return `${path} is too far in the future`;
        if (!after && t < now + offsetMs) return `${path} is too far in the past`;
        return null;
      };
    }
    case 'json_bounds': {
      const maxBytes = rule.max_bytes ?? Number.MAX_SAFE_INTEGER;
      const maxDepth = rule.max_depth ?? Number.MAX_SAFE_INTEGER;
      return (c) => {
        const v = read(c);
        if (absent(v)) return null;
        if (depthOf(v, maxDepth) > maxDepth) return `${path} is nested deeper than ${maxDepth}`;
        const bytes = Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');
        return bytes <= maxBytes ? null : `${path} is larger than ${maxBytes} bytes`;
      };
    }
  }
}

/**
 * Problems of a list of rule definitions (empty when every rule is well-formed), checked when a
 * contract is registered so that a bad contract can never be activated.
 */
export function ruleDefinitionProblems(rules: unknown): string[] {
  if (!Array.isArray(rules)) return ['validation_rules must be an array'];
  const problems: string[] = [];
  const ids = new Set<string>();
  rules.forEach((raw: unknown, i) => {
    const at = `validation_rules[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${at} must be an object`);
      return;
    }
    const r = raw as Record<string, unknown>;
    if (typeof r.id !== 'string' || !RULE_ID_RE.test(r.id)) problems.push(`${at}.id is invalid`);
    else if (ids.has(r.id)) problems.push(`${at}.id '${r.id}' is repeated`);
    else ids.add(r.id);
    if (!RULE_CHECKS.includes(r.check as RuleCheck)) {
      problems.push(`${at}.check must be one of ${RULE_CHECKS.join(', ')}`);
    }
    if (typeof r.path !== 'string' || !PATH_RE.test(r.path)) {
      problems.push(`${at}.path must look like event.field`);
    }
    if (r.reason !== undefined && (typeof r.reason !== 'string' || !RULE_ID_RE.test(r.reason))) {
      problems.push(`${at}.reason is invalid`);
    }
    const need = (name: string, ok: boolean) => {
      if (!ok) problems.push(`${at}.${name} is missing or invalid for check '${String(r.check)}'`);
    };
    const nonNegative = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    switch (r.check) {
      case 'format':
        need('format', RULE_FORMATS.includes(r.format as RuleFormat));
        break;
      case 'max_length':
        need('max', nonNegative(r.max));
        break;
      case 'one_of':
        need(
          'values',
          (Array.isArray(r.values) &&
            r.values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) ||
            (typeof r.values_from === 'string' && PATH_RE.test(r.values_from)),
        );
        break;
      case 'equals':
        need('other', typeof r.other === 'string' && PATH_RE.test(r.other));
        break;
      case 'not_after':
      case 'not_before':
        need(
          'offset_seconds',
          r.offset_seconds === undefined ||
            (typeof r.offset_seconds === 'number' && Number.isFinite(r.offset_seconds)),
        );
        break;
      case 'json_bounds':
        need(
          'max_bytes',
          (r.max_bytes === undefined || nonNegative(r.max_bytes)) &&
            (r.max_depth === undefined || nonNegative(r.max_depth)),
        );
        break;
    }
  });
  return problems;
}

/**
 * Compiles rules once into a function returning the first refusal (rules run in order), so
 * that a request only runs closures. `required` names fields that must be present (the
 * reporting contract's `required_fields`), checked first, under `root` (`event`).
 *
 * @throws Error when a rule is malformed (see {@link ruleDefinitionProblems}).
 */
export function compileRules(
  rules: readonly ValidationRule[],
  source: RuleSource,
  required: { readonly root: string; readonly fields: readonly string[] } = {
    root: 'event',
    fields: [],
  },
): CompiledRules {
  const problems = ruleDefinitionProblems(rules);
  if (problems.length > 0) {
    throw new Error(`Invalid rules in ${source.kind} ${source.version}: ${problems.join('; ')}`);
  }
  const all: ValidationRule[] = [
    ...required.fields.map((field): ValidationRule => ({
      id: `required:${field}`,
      check: 'present',
      path: `${required.root}.${field}`,
      reason: 'missing_field',
    })),
    ...rules,
  ];
  const compiled = all.map((rule) => ({ rule, check: compileOne(rule) }));
  return (context, now) => {
    for (const { rule, check } of compiled) {
      const message = check(context, now);
      if (message !== null) {
        return {
          reason: rule.reason ?? rule.id,
          rule: rule.id,
          contract_kind: source.kind,
          contract_version: source.version,
          field: rule.path.split('.').slice(1).join('.'),
          message,
        };
      }
    }
    return null;
  };
}
