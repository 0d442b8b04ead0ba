import {
  contractAttributes,
  ENVELOPE_CONTRACT_V1,
  readWidget,
  validateElement,
  type EnvelopeContract,
  type WidgetIdentity,
} from './contract.js';
import { guarded, warn } from './guard.js';
import {
  Reporter,
  type ActorType,
  type EventType,
  type IhfError,
  type InteractionEvent,
  type ReporterStats,
} from './reporter.js';
import { uuid } from './uuid.js';

/** Events the tracker captures by itself. */
export type CapturedEvent = 'clicked' | 'viewed' | 'submitted' | 'changed';

export interface TrackerOptions {
  /** Base URL of the ingestion service, e.g. `https://ihf.example.com`. */
  readonly endpoint: string;
  /** The hub API key (`ihf_<prefix>_<secret>`), sent as `Authorization: Bearer`. */
  readonly apiKey: string;
  /** The host's consent switch; nothing is captured or sent while false. Default true. */
  readonly consent?: boolean;
  /** Capture nothing when the browser sends Do-Not-Track or Global Privacy Control. Default true. */
  readonly respectDoNotTrack?: boolean;
  /** What to capture automatically. Default clicked, viewed, submitted. */
  readonly capture?: readonly CapturedEvent[];
  /** Events per request (default 20). */
  readonly batchSize?: number;
  /** Longest wait before a partial batch is sent, ms (default 5000). */
  readonly flushInterval?: number;
  /** Most events kept while offline; the oldest are dropped past it (default 500). */
  readonly maxQueue?: number;
  /** A widget counts as viewed when this share of it is visible (default 0.5)… */
  readonly viewThreshold?: number;
  /** …for this long without interruption, ms (default 1000). */
  readonly viewDuration?: number;
  /** First retry delay and ceiling, ms (defaults 1000 and 60000). */
  readonly retryBase?: number;
  readonly retryMax?: number;
  /** Where the offline queue is kept (default localStorage; null for memory only). */
  readonly storage?: Storage | null;
  readonly storageKey?: string;
  /** The active envelope contract (default v1.0). */
  readonly contract?: EnvelopeContract;
  /** Who acts, when the host knows (actor_id must be a UUID). */
  readonly actor?: { readonly id?: string; readonly type?: ActorType };
  /** Warn in the console about widget elements that break the envelope contract. */
  readonly dev?: boolean;
  /** Where to look for widgets (default document). */
  readonly root?: Document | ShadowRoot | Element;
  readonly fetch?: typeof fetch;
  /** Problems the SDK met (refused requests, rejected events, full queue); never thrown. */
  readonly onError?: (error: IhfError) => void;
}

/** The tracker's public face; every method is safe to call at any time and never throws. */
export interface Tracker {
  /** Reports an event on a widget element (or an explicit identity). */
  track(
    target: Element | WidgetIdentity,
    type: EventType,
    metadata?: Readonly<Record<string, unknown>>,
  ): void;
  /** Sends what is queued now; resolves when done or waiting (offline, back-off). */
  flush(): Promise<void>;
  /** The host's consent switch; withdrawing it also discards what was not sent yet. */
  setConsent(granted: boolean): void;
  setActor(actor: { readonly id?: string; readonly type?: ActorType } | undefined): void;
  /** Watches a root the document cannot see into (a closed shadow root). */
  observe(root: ShadowRoot | Element): void;
  stats(): Readonly<ReporterStats>;
  /** Stops capturing; queued events stay stored for the next page. */
  destroy(): void;
}

function doNotTrack(): boolean {
  if (typeof navigator === 'undefined') return false;
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean; msDoNotTrack?: string };
  const w = typeof window === 'undefined' ? undefined : (window as { doNotTrack?: string });
  return (
    nav.globalPrivacyControl === true ||
    nav.doNotTrack === '1' ||
    nav.doNotTrack === 'yes' ||
    nav.msDoNotTrack === '1' ||
    w?.doNotTrack === '1'
  );
}

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // Access throws when storage is blocked.
  }
}

/** The innermost widget element on an event's path, across shadow boundaries. */
function widgetOnPath(event: Event, attribute: string): Element | null {
  const path = event.composedPath();
  for (const node of path) {
    if (node instanceof Element && node.hasAttribute(attribute)) return node;
  }
  // A non-composed event (submit, change) stops at its shadow root: go on from the host.
  let node: Node | null = path.length > 0 ? (path[path.length - 1] as Node) : null;
  while (node) {
    if (node instanceof Element && node.hasAttribute(attribute)) return node;
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return null;
}

/**
 * Starts capturing interactions on the widgets of the page (see {@link TrackerOptions}).
 * Safe on the server: without a DOM it only reports what `track` is given.
 */
export function createTracker(options: TrackerOptions): Tracker {
  const contract = options.contract ?? ENVELOPE_CONTRACT_V1;
  const idAttribute = contract.required_attributes.includes('data-widget-id')
    ? 'data-widget-id'
    : contract.required_attributes[0];
  const attributes = contractAttributes(contract);
  const selector = attributes.map((a) => `[${a}]`).join(',');
  const capture = new Set<CapturedEvent>(options.capture ?? ['clicked', 'viewed', 'submitted']);
  const report = (error: IhfError) => {
    if (options.dev) warn(error.message, error.detail ?? '');
    try {
      options.onError?.(error);
    } catch {
      // The host's callback threw; not ours to rethrow.
    }
  };
  const internal = (error: unknown) =>
    report({ code: 'internal', message: `internal error: ${String(error)}` });

  let consent = options.consent ?? true;
  const dnt = (options.respectDoNotTrack ?? true) && doNotTrack();
  let actor = options.actor;
  let destroyed = false;
  const allowed = () => consent && !dnt && !destroyed;

  const reporter = new Reporter({
    endpoint: options.endpoint,
    apiKey: options.apiKey,
    batchSize: Math.max(1, options.batchSize ?? 20),
    flushInterval: options.flushInterval ?? 5000,
    maxQueue: Math.max(1, options.maxQueue ?? 500),
    retryBase: options.retryBase ?? 1000,
    retryMax: options.retryMax ?? 60_000,
    storage: options.storage === undefined ? defaultStorage() : options.storage,
    storageKey: options.storageKey ?? 'ihf-sdk-queue',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onError: report,
  });

  const warned = new WeakMap<Element, string>();
  /** Dev mode: one console warning per element and set of problems. */
  const check = (element: Element) => {
    if (!options.dev) return;
    const violations = validateElement(element, contract);
    const text = violations.map((v) => v.message).join('; ');
    if (violations.length > 0 && warned.get(element) !== text) {
      warned.set(element, text);
      warn(`widget element breaks the envelope contract: ${text}`, element);
    }
  };

  const emit = (
    target: Element | WidgetIdentity,
    type: EventType,
    metadata?: Readonly<Record<string, unknown>>,
  ) => {
    if (!allowed()) return;
    let identity: WidgetIdentity | null;
    if (typeof Element !== 'undefined' && target instanceof Element) {
      identity = readWidget(target, contract);
      if (!identity) return check(target);
    } else {
      // Only the identity fields: the reporting contract refuses unknown ones.
      const { widget_id, hub_id, view_context_ref, widget_version } = target as WidgetIdentity;
      identity = { widget_id, hub_id, view_context_ref, widget_version };
    }
    const event: InteractionEvent = {
      id: uuid(),
      ...identity,
      event_type: type,
      occurred_at: new Date().toISOString(),
      ...(actor?.id ? { actor_id: actor.id } : {}),
      ...(actor?.type ? { actor_type: actor.type } : {}),
      ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
    };
    reporter.enqueue(event);
  };

  const cleanups: (() => void)[] = [];
  const listen = (
    target: EventTarget,
    type: string,
    handler: (event: Event) => void,
    opts: AddEventListenerOptions | boolean = true,
  ) => {
    const safe = guarded(handler, internal, undefined);
    target.addEventListener(type, safe, opts);
    cleanups.push(() => target.removeEventListener(type, safe, opts));
  };

  const hasDom = typeof document !== 'undefined' && typeof MutationObserver !== 'undefined';
  const watched = new WeakSet<Node>();
  const registered = new WeakSet<Element>();
  let watchAndScan: (root: Node) => void = () => undefined;

  if (hasDom) {
    const targetTag = (event: Event) => {
      const first = event.composedPath()[0];
      return first instanceof Element ? { target: first.tagName.toLowerCase() } : undefined;
    };
    const onInteraction = (type: 'clicked' | 'submitted' | 'changed') => (event: Event) => {
      if (!allowed()) return;
      const widget = widgetOnPath(event, idAttribute);
      // The SDK's own buttons inside a widget (feedback) are not the widget's interactions.
      if (
        !widget ||
        event.composedPath().some((n) => n instanceof Element && n.hasAttribute('data-ihf-ui'))
      )
        return;
      const meta: Record<string, unknown> = { ...targetTag(event) };
      const first = event.composedPath()[0];
      // Field names only, never values: what a person types is not ours to collect.
      if (type === 'changed' && first instanceof Element && first.getAttribute('name')) {
        meta.field = first.getAttribute('name');
      }
      emit(widget, type, meta);
    };
    const onClick = onInteraction('clicked');
    const onSubmit = onInteraction('submitted');
    const onChange = onInteraction('changed');

    // Views: visible at `viewThreshold` for `viewDuration` ms without a break, once per element.
    const threshold = Math.min(1, Math.max(0.01, options.viewThreshold ?? 0.5));
    const duration = options.viewDuration ?? 1000;
    const visible = new Map<Element, ReturnType<typeof setTimeout> | undefined>();
    const viewed = new WeakSet<Element>();
    const startTimer = (el: Element) => {
      if (visible.get(el) !== undefined || document.visibilityState === 'hidden') return;
      visible.set(
        el,
        setTimeout(
          guarded(
            () => {
              visible.delete(el);
              io?.unobserve(el);
              if (viewed.has(el) || !el.isConnected) return;
              viewed.add(el);
              emit(el, 'viewed');
            },
            internal,
            undefined,
          ),
          duration,
        ),
      );
    };
    const stopTimer = (el: Element, forget: boolean) => {
      clearTimeout(visible.get(el));
      if (forget) visible.delete(el);
      else visible.set(el, undefined);
    };
    const io =
      capture.has('viewed') && typeof IntersectionObserver !== 'undefined'
        ? new IntersectionObserver(
            guarded(
              (entries: IntersectionObserverEntry[]) => {
                for (const entry of entries) {
                  // An element taller than the viewport never reaches the share: then it counts
                  // when it fills that share of the viewport.
                  const fills =
                    !!entry.rootBounds &&
                    entry.intersectionRect.height >= entry.rootBounds.height * threshold;
                  const on =
                    entry.isIntersecting && (entry.intersectionRatio >= threshold - 1e-3 || fills);
                  if (on) startTimer(entry.target);
                  else stopTimer(entry.target, true);
                }
              },
              internal,
              undefined,
            ),
            { threshold: [...new Set([0, 0.25, threshold, 0.5, 0.75, 1])].sort() },
          )
        : undefined;

    const register = (el: Element) => {
      check(el);
      if (registered.has(el)) return;
      registered.add(el);
      if (io && el.hasAttribute(idAttribute)) io.observe(el);
    };

    const mo = new MutationObserver(
      guarded(
        (records: MutationRecord[]) => {
          for (const record of records) {
            if (record.type === 'attributes') {
              if (record.target instanceof Element) register(record.target);
            } else record.addedNodes.forEach((node) => scanRoot(node));
          }
        },
        internal,
        undefined,
      ),
    );
    const watchRoot = (root: Node) => {
      if (watched.has(root)) return;
      watched.add(root);
      mo.observe(root, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: attributes,
      });
      if (root instanceof ShadowRoot) {
        // submit and change are not composed: they never reach the document from in here.
        if (capture.has('submitted')) listen(root, 'submit', onSubmit);
        if (capture.has('changed')) listen(root, 'change', onChange);
      }
    };
    const scanRoot = (root: Node): void => {
      if (root instanceof Element && root.matches(selector)) register(root);
      if (root instanceof Element && root.shadowRoot) {
        watchRoot(root.shadowRoot);
        scanRoot(root.shadowRoot);
      }
      if (!('querySelectorAll' in root)) return;
      const parent = root as ParentNode;
      for (const el of Array.from(parent.querySelectorAll(selector))) register(el);
      for (const el of Array.from(parent.querySelectorAll('*'))) {
        if (el.shadowRoot && !watched.has(el.shadowRoot)) {
          watchRoot(el.shadowRoot);
          scanRoot(el.shadowRoot);
        } else if (el.localName.includes('-') && typeof customElements !== 'undefined') {
          // A custom element not upgraded yet gets its shadow root when it is defined.
          if (!customElements.get(el.localName)) {
            customElements
              .whenDefined(el.localName)
              .then(() => !destroyed && scanRoot(el))
              .catch(internal);
          }
        }
      }
    };

    const root = options.root ?? document;
    if (capture.has('clicked')) listen(document, 'click', onClick);
    if (capture.has('submitted')) listen(document, 'submit', onSubmit);
    if (capture.has('changed')) listen(document, 'change', onChange);
    listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        for (const el of visible.keys()) stopTimer(el, false);
        reporter.flushOnHide();
      } else for (const el of visible.keys()) startTimer(el);
    });
    if (typeof window !== 'undefined') {
      listen(window, 'pagehide', () => reporter.flushOnHide());
      listen(window, 'online', () => reporter.online());
    }
    watchAndScan = (node: Node) => {
      watchRoot(node);
      scanRoot(node);
    };
    watchAndScan(root);
    cleanups.push(() => {
      mo.disconnect();
      io?.disconnect();
      for (const el of visible.keys()) stopTimer(el, true);
    });
  }

  const tracker: Tracker = {
    track: guarded(emit, internal, undefined),
    flush: () => {
      try {
        return reporter.flush().catch(internal);
      } catch (error) {
        internal(error);
        return Promise.resolve();
      }
    },
    setConsent: guarded(
      (granted: boolean) => {
        consent = granted === true;
        if (!consent) reporter.clear();
      },
      internal,
      undefined,
    ),
    setActor: guarded(
      (next: { readonly id?: string; readonly type?: ActorType } | undefined) => (actor = next),
      internal,
      undefined,
    ),
    observe: guarded((root: ShadowRoot | Element) => watchAndScan(root), internal, undefined),
    stats: () => ({ ...reporter.stats }),
    destroy: guarded(
      () => {
        if (destroyed) return;
        destroyed = true;
        for (const cleanup of cleanups.splice(0)) cleanup();
        reporter.stop();
      },
      internal,
      undefined,
    ),
  };
  return tracker;
}
