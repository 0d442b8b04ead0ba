// The demo page's script: the same SDK through each adapter — <ihf-widget> (plain HTML), the
// React binding and the Vue binding — plus a widget inside a shadow root and the annotation UI.
// Imports go through the package's own source (the page is built from this repository).
import { createElement, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createApp, defineComponent, h, ref, withDirectives } from 'vue';
import { createAnnotator } from '../src/annotate/index.js';
import { createTracker } from '../src/index.js';
import { IhfProvider, IhfWidget, useIhfWidget } from '../src/react/index.js';
import { IhfPlugin, vIhfWidget } from '../src/vue/index.js';
import { defineIhfWidget } from '../src/web-component/index.js';
import type { DemoConfig } from './config.js';

declare global {
  interface Window {
    IHF_DEMO: DemoConfig;
    ihfDemo?: { tracker: ReturnType<typeof createTracker> };
  }
}

const config = window.IHF_DEMO;
const { hubId, widgets } = config;

defineIhfWidget();
const tracker = createTracker({
  endpoint: config.endpoint,
  apiKey: config.apiKey,
  dev: true,
  flushInterval: config.flushInterval ?? 2000,
  viewDuration: config.viewDuration ?? 500,
  onError: (error) => console.info('[demo] sdk reported', error.code, error.message),
});
window.ihfDemo = { tracker };

// The demo's forms stay on the page.
document.addEventListener('submit', (event) => {
  if ((event.target as Element | null)?.hasAttribute('data-demo-form')) event.preventDefault();
});

/** A third-party-like component whose widget lives inside its (open) shadow root. */
class DemoSearch extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <style>.widget{display:block;background:#fff;border:2px dashed #7c3aed;border-radius:.5rem;padding:.75rem 1rem}
      h3{margin:0 0 .5rem}input{font:inherit;width:100%;box-sizing:border-box;margin-bottom:.5rem}</style>
      <div class="widget" aria-label="Search (shadow DOM)" data-widget-id="${this.getAttribute('widget-id') ?? ''}"
        data-hub-id="${this.getAttribute('hub-id') ?? ''}" data-view-context="demo/search">
        <h3>Search (shadow DOM)</h3>
        <form id="search-form"><label>Query <input name="q" autocomplete="off"></label>
        <button type="submit">Search</button></form>
      </div>`;
    // submit does not leave the shadow root; the SDK listens in here by itself.
    root.getElementById('search-form')!.addEventListener('submit', (e) => e.preventDefault());
  }
}
customElements.define('demo-search', DemoSearch);

// React: a component and a hook, both putting the attributes on real DOM elements.
function ProductCard() {
  const [added, setAdded] = useState(0);
  return createElement(
    IhfWidget,
    {
      as: 'article',
      id: 'react-product',
      className: 'card',
      'aria-label': 'Product',
      widgetId: widgets.reactProduct,
      hubId,
      viewContext: 'demo/product',
      widgetVersion: 1,
    },
    createElement('h3', null, 'Product (React)'),
    createElement('p', null, `Teapot · in cart: ${added}`),
    createElement(
      'button',
      { id: 'react-add', type: 'button', onClick: () => setAdded((n) => n + 1) },
      'Add to cart',
    ),
  );
}
function CheckoutForm() {
  const envelope = useIhfWidget({
    widgetId: widgets.reactCheckout,
    hubId,
    viewContext: 'demo/checkout',
  });
  const [done, setDone] = useState(false);
  return createElement(
    'form',
    {
      ...envelope,
      id: 'react-checkout',
      className: 'card',
      'aria-label': 'Checkout',
      onSubmit: (e: { preventDefault(): void }) => {
        e.preventDefault();
        setDone(true);
      },
    },
    createElement('h3', null, 'Checkout (React)'),
    createElement('label', null, 'Name ', createElement('input', { name: 'name' })),
    createElement('button', { type: 'submit' }, done ? 'Ordered ✓' : 'Place order'),
  );
}
createRoot(document.getElementById('react-root')!).render(
  createElement(IhfProvider, { tracker }, createElement(ProductCard), createElement(CheckoutForm)),
);

// Vue: the plugin (sharing the page's tracker) and the directive on a component's root.
const ProfileForm = defineComponent({
  setup() {
    const saved = ref(false);
    return () =>
      withDirectives(
        h(
          'form',
          {
            id: 'vue-profile',
            class: 'card',
            'aria-label': 'Profile',
            onSubmit: (e: Event) => {
              e.preventDefault();
              saved.value = true;
            },
          },
          [
            h('h3', 'Profile (Vue)'),
            h('label', ['Display name ', h('input', { name: 'display_name' })]),
            h('button', { type: 'submit', id: 'vue-save' }, saved.value ? 'Saved ✓' : 'Save'),
          ],
        ),
        [[vIhfWidget, { widgetId: widgets.vueProfile, hubId, viewContext: 'demo/profile' }]],
      );
  },
});
createApp(ProfileForm).use(IhfPlugin, { tracker }).mount('#vue-root');

const known = config.knownIssue;
const annotator = createAnnotator({
  endpoint: config.endpoint,
  apiKey: config.apiKey,
  widgetStateRef: () => location.pathname,
  ...(config.reporterId ? { actor: { id: config.reporterId, type: 'user' as const } } : {}),
  // The host knows its known issues (e.g. from its own status page); the dialog offers "Me too".
  knownIssues: (widget) =>
    known && widget.getAttribute('data-widget-id') === widgets[known.widget]
      ? [{ candidate_id: known.candidateId, title: known.title }]
      : [],
});
annotator.mountLauncher('Feedback');
// A "Feedback" button inside two widgets opens the dialog about that widget, as does Alt+Shift+F
// while any widget has the focus; the launcher's dialog offers "Point at it".
for (const id of ['wc-cart', 'wc-newsletter']) {
  annotator.mountWidgetButton(document.getElementById(id)!);
}
