/** @jest-environment jsdom */
import { HUB, WIDGET, WIDGET_2 } from '../fakes.test-helper.js';
import { checkConformance } from './check.js';

describe('checkConformance', () => {
  it('finds every planted violation, in the light DOM and in shadow roots', () => {
    document.body.innerHTML = `
      <section id="ok" data-widget-id="${WIDGET}" data-hub-id="${HUB}" data-view-context="a"></section>
      <div id="no-hub" data-widget-id="${WIDGET_2}" data-view-context="b"></div>
      <div data-hub-id="${HUB}" data-view-context="c" data-widget-version="0"></div>
      <ihf-widget id="empty"></ihf-widget>
      <x-host id="host"></x-host>`;
    const shadow = document.getElementById('host')!.attachShadow({ mode: 'open' });
    shadow.innerHTML = `<p data-widget-id="w-1" data-hub-id="${HUB}" data-view-context="d"></p>
      <p data-widget-id="${WIDGET}" data-hub-id="${WIDGET_2}" data-view-context="e"></p>`;
    const report = checkConformance(document);
    expect(report.widgets).toBe(6);
    expect(report.elements.map((e) => [e.path, e.violations.map((v) => v.reason).sort()])).toEqual([
      ['html > body > div#no-hub', ['missing_attribute']],
      ['html > body > div:nth-of-type(2)', ['invalid_widget_version', 'missing_attribute']],
      [
        'html > body > ihf-widget#empty',
        ['missing_attribute', 'missing_attribute', 'missing_attribute'],
      ],
      ['html > body > x-host#host >>> p:nth-of-type(1)', ['invalid_widget_id']],
      ['html > body > x-host#host >>> p:nth-of-type(2)', ['conflicting_hub']],
    ]);
    expect(report.violations).toBe(8);
  });

  it('reports nothing for a conforming page', () => {
    document.body.innerHTML = `<main data-widget-id="${WIDGET}" data-hub-id="${HUB}" data-view-context="x"></main>`;
    expect(checkConformance(document)).toEqual({
      contract_version: '1.0',
      widgets: 1,
      elements: [],
      violations: 0,
    });
  });
});
