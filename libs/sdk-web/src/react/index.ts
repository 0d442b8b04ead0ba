/**
 * `@ihf/sdk-web/react`: the React binding (adapter spec `react-18`, React 18 and 19).
 * `useIhfWidget` returns props to spread on the widget's root DOM element; `<IhfWidget>` renders
 * one; `<IhfProvider>` shares a tracker for manual `track` calls.
 */
import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ElementType,
  type HTMLAttributes,
  type ReactNode,
} from 'react';
import { widgetAttributes, type WidgetDefinition } from '../attributes.js';
import { warn } from '../guard.js';
import { createTracker, type Tracker, type TrackerOptions } from '../tracker.js';

const TrackerContext = createContext<Tracker | null>(null);

export interface IhfProviderProps {
  /** A tracker made by the host, or… */
  readonly tracker?: Tracker;
  /** …options to make one for the provider's lifetime. */
  readonly options?: TrackerOptions;
  readonly children?: ReactNode;
}

/**
 * Shares a tracker with the tree: the given one, or one made from `options` on mount and
 * destroyed on unmount (made in an effect, so that StrictMode's mount–unmount–mount leaves a
 * live tracker behind). `options` are read once.
 */
export function IhfProvider({ tracker, options, children }: IhfProviderProps) {
  const [own, setOwn] = useState<Tracker | null>(null);
  const initial = useRef(options);
  useEffect(() => {
    if (tracker || !initial.current) return;
    const made = createTracker(initial.current);
    setOwn(made);
    return () => made.destroy();
  }, [tracker]);
  return createElement(TrackerContext.Provider, { value: tracker ?? own }, children);
}

/** The tracker of the nearest `<IhfProvider>`, or null. */
export function useIhfTracker(): Tracker | null {
  return useContext(TrackerContext);
}

/** Props for the root DOM element of a widget: the envelope attributes and a checking ref. */
export interface IhfWidgetProps {
  readonly [attribute: `data-${string}`]: string;
  readonly ref: (element: Element | null) => void;
}

/**
 * The envelope attributes for `widget`, plus a ref that warns (once) when the element it ends
 * up on lacks them: spreading the props on a component that does not pass them down to a real
 * DOM element would otherwise lose every event silently.
 */
export function useIhfWidget(widget: WidgetDefinition): IhfWidgetProps {
  const { widgetId, hubId, viewContext, capabilityRef, policyScope, widgetVersion } = widget;
  const attributes = useMemo(
    () =>
      widgetAttributes(
        { widgetId, hubId, viewContext, capabilityRef, policyScope, widgetVersion },
        'react-18',
      ),
    [widgetId, hubId, viewContext, capabilityRef, policyScope, widgetVersion],
  );
  const warned = useRef(false);
  const ref = useCallback(
    (element: Element | null) => {
      if (element === null || warned.current) return;
      if (element.getAttribute?.('data-widget-id') !== widgetId) {
        warned.current = true;
        warn(
          `useIhfWidget(${widgetId}): the envelope attributes are not on the DOM element; ` +
            'spread the returned props on the widget root element (or forward them to it)',
          element,
        );
      }
    },
    [widgetId],
  );
  return useMemo(() => ({ ...attributes, ref }), [attributes, ref]);
}

export type IhfWidgetComponentProps = WidgetDefinition &
  Omit<HTMLAttributes<HTMLElement>, 'children'> & {
    /** The DOM element to render (default `div`). */
    readonly as?: ElementType;
    readonly children?: ReactNode;
  };

/** A DOM element carrying the envelope attributes around `children`. */
export function IhfWidget(props: IhfWidgetComponentProps) {
  const {
    as = 'div',
    widgetId,
    hubId,
    viewContext,
    capabilityRef,
    policyScope,
    widgetVersion,
    children,
    ...rest
  } = props;
  const envelope = useIhfWidget({
    widgetId,
    hubId,
    viewContext,
    capabilityRef,
    policyScope,
    widgetVersion,
  });
  return createElement(as, { ...rest, ...envelope }, children);
}
