/** @jest-environment jsdom */
import {
  ENVELOPE_CONTRACT_V1,
  readWidget,
  validateElement,
  type EnvelopeContract,
} from './contract.js';
import { HUB, WIDGET } from './fakes.test-helper.js';

function element(attributes: Record<string, string>): Element {
  const el = document.createElement('div');
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  return el;
}
const valid = {
  'data-widget-id': WIDGET,
  'data-hub-id': HUB,
  'data-view-context': 'checkout/cart',
};

describe('envelope contract v1.0', () => {
  it('accepts a conforming element and reads its identity', () => {
    const el = element({ ...valid, 'data-widget-version': '3', 'data-adapter': 'react-18' });
    expect(validateElement(el)).toEqual([]);
    expect(readWidget(el)).toEqual({
      widget_id: WIDGET,
      hub_id: HUB,
      view_context_ref: 'checkout/cart',
      widget_version: 3,
    });
  });

  it.each(['data-widget-id', 'data-hub-id', 'data-view-context'])(
    'requires %s (missing or blank)',
    (attribute) => {
      const missing = element({ ...valid });
      missing.removeAttribute(attribute);
      const blank = element({ ...valid, [attribute]: '  ' });
      for (const el of [missing, blank]) {
        expect(validateElement(el)).toEqual([
          expect.objectContaining({ reason: 'missing_attribute', attribute }),
        ]);
        expect(readWidget(el)).toBeNull();
      }
    },
  );

  it.each([
    ['data-widget-id', 'widget-1', 'invalid_widget_id'],
    ['data-hub-id', '1234', 'invalid_hub_id'],
    ['data-view-context', 'x'.repeat(501), 'invalid_view_context'],
    ['data-widget-version', '0', 'invalid_widget_version'],
    ['data-widget-version', '1.5', 'invalid_widget_version'],
    ['data-widget-version', 'v2', 'invalid_widget_version'],
  ])('flags %s="%s" as %s', (attribute, value, reason) => {
    const violations = validateElement(element({ ...valid, [attribute]: value }));
    expect(violations).toEqual([expect.objectContaining({ reason, attribute })]);
    expect(violations[0].message).toContain('envelope contract 1.0');
  });

  it('reports every violation of an element, not only the first', () => {
    const reasons = validateElement(element({ 'data-widget-id': 'nope' })).map((v) => v.reason);
    expect(reasons.sort()).toEqual(['invalid_widget_id', 'missing_attribute', 'missing_attribute']);
  });

  it('follows the contract it is given, and skips checks it does not know', () => {
    const v2: EnvelopeContract = {
      ...ENVELOPE_CONTRACT_V1,
      contract_version: '2.0',
      required_attributes: [...ENVELOPE_CONTRACT_V1.required_attributes, 'data-capability-ref'],
      validation_rules: [
        ...ENVELOPE_CONTRACT_V1.validation_rules,
        {
          id: 'scope',
          check: 'one_of',
          path: 'attributes.data-policy-scope',
          values: ['internal', 'public'],
        },
        { id: 'future', check: 'json_bounds', path: 'attributes.data-view-context' },
      ],
    };
    const el = element({ ...valid, 'data-policy-scope': 'secret' });
    expect(validateElement(el, v2).map((v) => v.rule)).toEqual([
      'required:data-capability-ref',
      'scope',
    ]);
  });

  it('lower-cases ids so that one widget is one widget', () => {
    const el = element({ ...valid, 'data-widget-id': WIDGET.toUpperCase() });
    expect(readWidget(el)?.widget_id).toBe(WIDGET);
  });
});
