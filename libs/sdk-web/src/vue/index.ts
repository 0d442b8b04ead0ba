/**
 * `@ihf/sdk-web/vue`: the Vue 3 binding (adapter spec `vue-3`). `app.use(IhfPlugin, options)`
 * makes a tracker and registers `v-ihf-widget`, which puts the envelope attributes on the real
 * DOM element (on a component, its root element).
 */
import { inject, type App, type Directive, type InjectionKey } from 'vue';
import { applyWidgetAttributes, widgetAttributes, type WidgetDefinition } from '../attributes.js';
import { warn } from '../guard.js';
import { createTracker, type Tracker, type TrackerOptions } from '../tracker.js';

/** Where the plugin provides its tracker. */
export const IHF_TRACKER: InjectionKey<Tracker> = Symbol('ihf-tracker');

function apply(el: unknown, value: WidgetDefinition | undefined): void {
  try {
    if (!(el instanceof Element) || !value) {
      warn('v-ihf-widget needs an element root and a widget definition', el);
      return;
    }
    applyWidgetAttributes(el, value, 'vue-3');
  } catch {
    // Never throw into the host's render.
  }
}

/** `v-ihf-widget="{ widgetId, hubId, viewContext }"`. */
export const vIhfWidget: Directive<Element, WidgetDefinition> = {
  created: (el, binding) => apply(el, binding.value),
  beforeUpdate: (el, binding) => apply(el, binding.value),
  getSSRProps: (binding) => (binding.value ? widgetAttributes(binding.value, 'vue-3') : {}),
};

export interface IhfPluginOptions extends Partial<TrackerOptions> {
  /** Use this tracker instead of making one. */
  readonly tracker?: Tracker;
  /** Directive name (default `ihf-widget`). */
  readonly directive?: string;
}

/** Registers the directive and, given a tracker or endpoint + apiKey, provides a tracker. */
export const IhfPlugin = {
  install(app: App, options: IhfPluginOptions = {}): void {
    app.directive(options.directive ?? 'ihf-widget', vIhfWidget);
    const { tracker: given, directive: _directive, ...rest } = options;
    const tracker =
      given ?? (rest.endpoint && rest.apiKey ? createTracker(rest as TrackerOptions) : undefined);
    if (!tracker) return;
    app.provide(IHF_TRACKER, tracker);
    // app.onUnmount exists from Vue 3.5 on; before, the tracker lives as long as the page.
    const onUnmount = (app as Partial<Pick<App, 'onUnmount'>>).onUnmount;
    if (!given && typeof onUnmount === 'function') onUnmount.call(app, () => tracker.destroy());
  },
};

/** The plugin's tracker (inside `setup`), or undefined. */
export function useIhfTracker(): Tracker | undefined {
  return inject(IHF_TRACKER, undefined);
}
