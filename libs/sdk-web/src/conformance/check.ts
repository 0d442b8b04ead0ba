import {
  contractAttributes,
  ENVELOPE_CONTRACT_V1,
  validateElement,
  type EnvelopeContract,
  type Violation,
} from '../contract.js';

/** The violations of one widget element, with where to find it. */
export interface ElementReport {
  /** A CSS-like path; `>>>` marks a step into a shadow root. */
  readonly path: string;
  readonly widget_id: string | null;
  readonly violations: readonly Violation[];
}

/** Every widget element of a page and what is wrong with each. */
export interface ConformanceReport {
  readonly contract_version: string;
  /** How many widget elements were found (conforming or not). */
  readonly widgets: number;
  /** Only the elements with violations. */
  readonly elements: readonly ElementReport[];
  /** Total number of violations. */
  readonly violations: number;
}

function step(el: Element): string {
  let s = el.localName;
  if (el.id) return `${s}#${el.id}`;
  const parent = el.parentNode;
  if (parent && 'children' in parent) {
    const same = Array.from(parent.children).filter((c) => c.localName === el.localName);
    if (same.length > 1) s += `:nth-of-type(${same.indexOf(el) + 1})`;
  }
  return s;
}

/** A readable path from the document (through shadow roots) to `el`. */
export function describeElement(el: Element): string {
  const parts: string[] = [];
  let node: Element | null = el;
  while (node) {
    parts.unshift(step(node));
    if (node.parentElement) node = node.parentElement;
    else {
      const root = node.getRootNode();
      node = root instanceof ShadowRoot ? root.host : null;
      if (node) parts.unshift('>>>');
    }
  }
  return parts.join(' > ').replace(/ > >>> > /g, ' >>> ');
}

/** Every element under `root`, open shadow roots included. */
function* deepElements(root: ParentNode): Generator<Element> {
  for (const el of Array.from(root.querySelectorAll('*'))) {
    yield el;
    if (el.shadowRoot) yield* deepElements(el.shadowRoot);
  }
}

/**
 * Checks every widget element under `root` (an element carrying any attribute the contract
 * knows, or an `<ihf-widget>`), through open shadow roots, against the envelope contract. Also
 * flags one widget id declared with two different hubs on the same page.
 */
export function checkConformance(
  root: ParentNode = document,
  contract: EnvelopeContract = ENVELOPE_CONTRACT_V1,
): ConformanceReport {
  const attributes = contractAttributes(contract);
  const elements: ElementReport[] = [];
  const hubOf = new Map<string, string>();
  let widgets = 0;
  let total = 0;
  for (const el of deepElements(root)) {
    if (el.localName !== 'ihf-widget' && !attributes.some((a) => el.hasAttribute(a))) continue;
    widgets++;
    const violations = validateElement(el, contract);
    const id = el.getAttribute('data-widget-id');
    const hub = el.getAttribute('data-hub-id');
    if (id && hub && violations.length === 0) {
      const seen = hubOf.get(id.toLowerCase());
      if (seen !== undefined && seen !== hub.toLowerCase()) {
        violations.push({
          reason: 'conflicting_hub',
          rule: 'sdk:one_hub_per_widget',
          attribute: 'data-hub-id',
          message: `widget ${id} is declared with hubs ${seen} and ${hub} on the same page`,
        });
      } else hubOf.set(id.toLowerCase(), hub.toLowerCase());
    }
    if (violations.length > 0) {
      total += violations.length;
      elements.push({ path: describeElement(el), widget_id: id, violations });
    }
  }
  return { contract_version: contract.contract_version, widgets, elements, violations: total };
}
