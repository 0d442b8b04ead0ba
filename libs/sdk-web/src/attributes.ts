/** What a framework binding knows about a widget, in the SDK's camelCase. */
export interface WidgetDefinition {
  readonly widgetId: string;
  readonly hubId: string;
  readonly viewContext: string;
  readonly capabilityRef?: string;
  readonly policyScope?: string;
  readonly widgetVersion?: number | string;
}

/** Names of the adapter specs seeded with envelope contract v1.0. */
export type AdapterName = 'react-18' | 'vue-3' | 'web-component' | 'angular-17';

/**
 * The envelope attributes of a widget, ready to spread or set on its root DOM element (the
 * one bindings share, so that every framework emits exactly the same attributes).
 */
export function widgetAttributes(
  widget: WidgetDefinition,
  adapter?: AdapterName,
): Record<string, string> {
  const out: Record<string, string> = {
    'data-widget-id': widget.widgetId,
    'data-hub-id': widget.hubId,
    'data-view-context': widget.viewContext,
  };
  if (widget.capabilityRef !== undefined) out['data-capability-ref'] = widget.capabilityRef;
  if (widget.policyScope !== undefined) out['data-policy-scope'] = widget.policyScope;
  if (widget.widgetVersion !== undefined) {
    out['data-widget-version'] = String(widget.widgetVersion);
  }
  if (adapter !== undefined) out['data-adapter'] = adapter;
  return out;
}

/** Sets the attributes on an element, removing optional ones the definition no longer has. */
export function applyWidgetAttributes(
  element: Element,
  widget: WidgetDefinition,
  adapter?: AdapterName,
): void {
  const attributes = widgetAttributes(widget, adapter);
  for (const name of ['data-capability-ref', 'data-policy-scope', 'data-widget-version']) {
    if (!(name in attributes)) element.removeAttribute(name);
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  }
}
