/**
 * The envelope emission contract: which data-* attributes a widget's root element carries and
 * the rules they obey. Contracts are data (as the ingestion service stores them); this file
 * holds a frozen copy of v1.0 and the small evaluator the SDK and the conformance checker share.
 */

/** One rule of a contract's `validation_rules` that reads `attributes.<name>`. */
export interface EnvelopeRule {
  readonly id: string;
  readonly check: string;
  readonly path: string;
  readonly reason?: string;
  readonly format?: string;
  readonly max?: number;
  readonly values?: readonly (string | number | boolean)[];
}

/** An envelope emission contract, in the shape the ingestion service serves it. */
export interface EnvelopeContract {
  readonly contract_version: string;
  readonly required_attributes: readonly string[];
  readonly optional_attributes: readonly string[];
  readonly validation_rules: readonly EnvelopeRule[];
}

/** The seeded v1.0 envelope contract (frozen: a change is a new contract version). */
export const ENVELOPE_CONTRACT_V1: EnvelopeContract = {
  contract_version: '1.0',
  required_attributes: ['data-widget-id', 'data-view-context', 'data-hub-id'],
  optional_attributes: [
    'data-capability-ref',
    'data-policy-scope',
    'data-widget-version',
    'data-adapter',
  ],
  validation_rules: [
    {
      id: 'widget_id_uuid',
      check: 'format',
      path: 'attributes.data-widget-id',
      format: 'uuid',
      reason: 'invalid_widget_id',
    },
    {
      id: 'hub_id_uuid',
      check: 'format',
      path: 'attributes.data-hub-id',
      format: 'uuid',
      reason: 'invalid_hub_id',
    },
    {
      id: 'view_context_length',
      check: 'max_length',
      path: 'attributes.data-view-context',
      max: 500,
      reason: 'invalid_view_context',
    },
  ],
};

/**
 * Rules the SDK adds to every contract because of how attributes map to the reporting
 * contract: `data-widget-version` is sent as `widget_version`, which must be a positive integer.
 */
const SDK_RULES: readonly EnvelopeRule[] = [
  {
    id: 'sdk:widget_version_integer',
    check: 'format',
    path: 'attributes.data-widget-version',
    format: 'positive_integer',
    reason: 'invalid_widget_version',
  },
];

/** Why an element breaks the envelope contract. */
export interface Violation {
  /** Machine-readable reason: `missing_attribute`, or the failing rule's `reason`. */
  readonly reason: string;
  /** The rule id (`required:<attribute>` for a missing required attribute). */
  readonly rule: string;
  readonly attribute: string;
  readonly message: string;
}

/** What events are reported against: read from a widget element's attributes. */
export interface WidgetIdentity {
  readonly widget_id: string;
  readonly hub_id: string;
  readonly view_context_ref?: string;
  readonly widget_version?: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function formatOk(value: string, format: string | undefined): boolean {
  if (format === 'uuid') return UUID_RE.test(value);
  if (format === 'positive_integer') return /^[1-9]\d{0,14}$/.test(value);
  // Attributes are always strings; formats the browser cannot judge are the server's business.
  return true;
}

/** The attributes a contract knows (required first), for selectors and observers. */
export function contractAttributes(contract: EnvelopeContract): string[] {
  return [...contract.required_attributes, ...contract.optional_attributes];
}

/**
 * Every way `element` breaks `contract` (empty when it conforms). Unknown rule checks are
 * skipped, so that an older SDK keeps working with a newer contract.
 */
export function validateElement(
  element: Element,
  contract: EnvelopeContract = ENVELOPE_CONTRACT_V1,
): Violation[] {
  const out: Violation[] = [];
  const v = contract.contract_version;
  for (const attribute of contract.required_attributes) {
    const value = element.getAttribute(attribute);
    if (value === null || value.trim() === '') {
      out.push({
        reason: 'missing_attribute',
        rule: `required:${attribute}`,
        attribute,
        message: `${attribute} is required by envelope contract ${v}`,
      });
    }
  }
  for (const rule of [...contract.validation_rules, ...SDK_RULES]) {
    if (!rule.path.startsWith('attributes.')) continue;
    const attribute = rule.path.slice('attributes.'.length);
    const value = element.getAttribute(attribute);
    const absent = value === null || value.trim() === '';
    let problem: string | null = null;
    if (rule.check === 'present') problem = absent ? 'is required' : null;
    else if (absent) continue;
    else if (rule.check === 'format') {
      problem = formatOk(value, rule.format) ? null : `must be a ${rule.format}`;
    } else if (rule.check === 'max_length') {
      problem = value.length <= (rule.max ?? Infinity) ? null : `is longer than ${rule.max}`;
    } else if (rule.check === 'one_of') {
      problem = (rule.values ?? []).includes(value) ? null : 'is not an accepted value';
    }
    if (problem !== null) {
      out.push({
        reason: rule.reason ?? rule.id,
        rule: rule.id,
        attribute,
        message: `${attribute} ${problem} (envelope contract ${v}, rule ${rule.id})`,
      });
    }
  }
  return out;
}

/** The identity events carry, or null when the element breaks the contract. */
export function readWidget(
  element: Element,
  contract: EnvelopeContract = ENVELOPE_CONTRACT_V1,
): WidgetIdentity | null {
  if (validateElement(element, contract).length > 0) return null;
  const version = element.getAttribute('data-widget-version');
  const view = element.getAttribute('data-view-context');
  return {
    widget_id: element.getAttribute('data-widget-id')!.toLowerCase(),
    hub_id: element.getAttribute('data-hub-id')!.toLowerCase(),
    ...(view ? { view_context_ref: view } : {}),
    ...(version ? { widget_version: Number(version) } : {}),
  };
}
