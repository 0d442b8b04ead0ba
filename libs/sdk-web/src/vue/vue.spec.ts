/** @jest-environment jsdom */
import {
  createApp,
  defineComponent,
  h,
  nextTick,
  ref,
  resolveDirective,
  withDirectives,
} from 'vue';
import { HUB, MemoryStorage, scriptedFetch, WIDGET, WIDGET_2 } from '../fakes.test-helper.js';
import type { Tracker } from '../tracker.js';
import { IhfPlugin, useIhfTracker, vIhfWidget } from './index.js';

beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
});

describe('Vue binding', () => {
  it('v-ihf-widget puts the attributes on the element and follows changes', async () => {
    const id = ref(WIDGET);
    const app = createApp({
      render: () =>
        withDirectives(h('section', { id: 'w' }, 'x'), [
          [vIhfWidget, { widgetId: id.value, hubId: HUB, viewContext: 'shop/cart' }],
        ]),
    });
    app.mount('#app');
    const el = document.getElementById('w')!;
    expect(el.getAttribute('data-widget-id')).toBe(WIDGET);
    expect(el.getAttribute('data-hub-id')).toBe(HUB);
    expect(el.getAttribute('data-view-context')).toBe('shop/cart');
    expect(el.getAttribute('data-adapter')).toBe('vue-3');
    id.value = WIDGET_2;
    await nextTick();
    expect(el.getAttribute('data-widget-id')).toBe(WIDGET_2);
    app.unmount();
  });

  it('the plugin registers the directive (on a component: its root element) and a tracker', async () => {
    const api = scriptedFetch();
    let tracker: Tracker | undefined;
    const Card = defineComponent({
      render: () => h('article', { class: 'card' }, [h('button', { id: 'b' }, 'b')]),
    });
    const App = defineComponent({
      setup() {
        tracker = useIhfTracker();
        const directive = resolveDirective('ihf-widget')!;
        return () =>
          withDirectives(h(Card), [
            [directive, { widgetId: WIDGET, hubId: HUB, viewContext: 'v' }],
          ]);
      },
    });
    const app = createApp(App).use(IhfPlugin, {
      endpoint: 'https://i.test',
      apiKey: 'k',
      batchSize: 1,
      storage: new MemoryStorage(),
      fetch: api.fetch,
    });
    app.mount('#app');
    expect(document.querySelector('article.card')!.getAttribute('data-widget-id')).toBe(WIDGET);
    expect(tracker).toBeDefined();
    document.getElementById('b')!.click();
    await tracker!.flush();
    expect(api.sent[0].body.events[0]).toMatchObject({ widget_id: WIDGET, event_type: 'clicked' });
    app.unmount();
  });
});
