/**
 * `@ihf/sdk-web/web-component`: `<ihf-widget>`, a custom element that wraps a widget's content
 * and carries the envelope attributes on itself (adapter spec `web-component`).
 *
 * Either write the data-* attributes directly, or the short forms (`widget-id`, `hub-id`,
 * `view-context`, `widget-version`, `capability-ref`, `policy-scope`), which the element
 * mirrors into data-* attributes. It always adds `data-adapter="web-component"`.
 */
import { applyWidgetAttributes, type WidgetDefinition } from '../attributes.js';

const SHORT = [
  'widget-id',
  'hub-id',
  'view-context',
  'widget-version',
  'capability-ref',
  'policy-scope',
] as const;

/** The element's interface (declared so it can be typed without a DOM at import time). */
export interface IhfWidgetElement extends HTMLElement {
  widgetId: string | null;
  hubId: string | null;
  viewContext: string | null;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m: string, c: string) => c.toUpperCase());
}

/**
 * Registers the element (default tag `ihf-widget`) and returns its class; a second call
 * returns the class already defined. Returns undefined where custom elements do not exist (SSR).
 */
export function defineIhfWidget(tagName = 'ihf-widget'): CustomElementConstructor | undefined {
  try {
    if (typeof customElements === 'undefined' || typeof HTMLElement === 'undefined') return;
    const existing = customElements.get(tagName);
    if (existing) return existing;

    class Element extends HTMLElement {
      static readonly observedAttributes: readonly string[] = SHORT;

      constructor() {
        super();
        // A box of its own (custom elements are inline by default), so that visibility can be
        // measured, and a slot so that the content stays in the light DOM of the host page.
        this.attachShadow({ mode: 'open' }).innerHTML =
          '<style>:host{display:block}:host([hidden]){display:none}</style><slot></slot>';
      }

      connectedCallback(): void {
        this.sync();
      }

      attributeChangedCallback(): void {
        this.sync();
      }

      private sync(): void {
        try {
          const get = (n: string) => this.getAttribute(n);
          const widgetId = get('widget-id');
          if (widgetId !== null) {
            const definition: WidgetDefinition = {
              widgetId,
              hubId: get('hub-id') ?? this.getAttribute('data-hub-id') ?? '',
              viewContext: get('view-context') ?? this.getAttribute('data-view-context') ?? '',
              ...(get('widget-version') !== null ? { widgetVersion: get('widget-version')! } : {}),
              ...(get('capability-ref') !== null ? { capabilityRef: get('capability-ref')! } : {}),
              ...(get('policy-scope') !== null ? { policyScope: get('policy-scope')! } : {}),
            };
            applyWidgetAttributes(this, definition, 'web-component');
          } else if (this.getAttribute('data-adapter') !== 'web-component') {
            this.setAttribute('data-adapter', 'web-component');
          }
        } catch {
          // A guest in the host page: never throw from a lifecycle callback.
        }
      }
    }
    for (const name of SHORT.slice(0, 3)) {
      Object.defineProperty(Element.prototype, camel(name), {
        get(this: HTMLElement) {
          return this.getAttribute(name) ?? this.getAttribute(`data-${name}`);
        },
        set(this: HTMLElement, value: string | null) {
          if (value === null) this.removeAttribute(name);
          else this.setAttribute(name, value);
        },
      });
    }
    customElements.define(tagName, Element);
    return Element;
  } catch {
    return undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ihf-widget': IhfWidgetElement;
  }
}
