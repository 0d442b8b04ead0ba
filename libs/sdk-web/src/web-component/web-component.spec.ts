/** @jest-environment jsdom */
import { HUB, MemoryStorage, scriptedFetch, WIDGET, WIDGET_2 } from '../fakes.test-helper.js';
import { createTracker } from '../tracker.js';
import { defineIhfWidget, type IhfWidgetElement } from './index.js';

describe('<ihf-widget>', () => {
  beforeAll(() => defineIhfWidget());

  it('mirrors the short attributes into the envelope data-* attributes on itself', () => {
    document.body.innerHTML = `<ihf-widget widget-id="${WIDGET}" hub-id="${HUB}" view-context="shop/cart" widget-version="2"><button>b</button></ihf-widget>`;
    const el = document.querySelector('ihf-widget')!;
    expect(el.getAttribute('data-widget-id')).toBe(WIDGET);
    expect(el.getAttribute('data-hub-id')).toBe(HUB);
    expect(el.getAttribute('data-view-context')).toBe('shop/cart');
    expect(el.getAttribute('data-widget-version')).toBe('2');
    expect(el.getAttribute('data-adapter')).toBe('web-component');
    expect(el.shadowRoot!.querySelector('slot')).toBeTruthy();
    // Content stays in the light DOM of the host page.
    expect(el.querySelector('button')).toBeTruthy();
  });

  it('follows attribute and property changes', () => {
    document.body.innerHTML = `<ihf-widget widget-id="${WIDGET}" hub-id="${HUB}" view-context="a" widget-version="2"></ihf-widget>`;
    const el = document.querySelector('ihf-widget') as IhfWidgetElement;
    el.widgetId = WIDGET_2;
    el.removeAttribute('widget-version');
    expect(el.getAttribute('data-widget-id')).toBe(WIDGET_2);
    expect(el.hasAttribute('data-widget-version')).toBe(false);
    expect(el.widgetId).toBe(WIDGET_2);
  });

  it('accepts data-* attributes written directly', () => {
    document.body.innerHTML = `<ihf-widget data-widget-id="${WIDGET}" data-hub-id="${HUB}" data-view-context="a"></ihf-widget>`;
    const el = document.querySelector('ihf-widget') as IhfWidgetElement;
    expect(el.getAttribute('data-adapter')).toBe('web-component');
    expect(el.widgetId).toBe(WIDGET);
  });

  it('is idempotent and reports clicks through the core', async () => {
    expect(defineIhfWidget()).toBe(customElements.get('ihf-widget'));
    const api = scriptedFetch();
    document.body.innerHTML = `<ihf-widget widget-id="${WIDGET}" hub-id="${HUB}" view-context="a"><button id="b">b</button></ihf-widget>`;
    const tracker = createTracker({
      endpoint: 'https://i.test',
      apiKey: 'k',
      batchSize: 1,
      storage: new MemoryStorage(),
      fetch: api.fetch,
    });
    document.getElementById('b')!.click();
    await tracker.flush();
    tracker.destroy();
    expect(api.sent[0].body.events[0]).toMatchObject({ widget_id: WIDGET, event_type: 'clicked' });
  });
});
