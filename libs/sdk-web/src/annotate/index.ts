/**
 * `@ihf/sdk-web/annotate`: a small, accessible dialog that lets a person leave feedback
 * (category, severity, text) on a widget; it posts to the annotations endpoint with the hub key.
 *
 * Accessibility: a modal `role="dialog"` labelled by its title, focus moved into it on open,
 * kept inside while open (Tab / Shift+Tab wrap) and given back to the opener on close; Escape
 * closes; every field has a visible label; errors are announced (`role="alert"`), progress and
 * success politely (`role="status"`). It renders in its own shadow root, so host styles neither
 * leak in nor out.
 */
import { ENVELOPE_CONTRACT_V1, readWidget, type EnvelopeContract } from '../contract.js';
import { warn } from '../guard.js';
import { backoffMs, joinUrl, postJson } from '../http.js';
import type { ActorType } from '../reporter.js';
import { uuid } from '../uuid.js';

export const ANNOTATIONS_PATH = '/api/v1/annotations';
export const CATEGORIES = ['friction', 'bug', 'idea', 'question', 'praise'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Severity = (typeof SEVERITIES)[number];
/** Longest feedback text accepted by the dialog. */
export const MAX_BODY = 5000;

/** One annotation as the annotations endpoint takes it. */
export interface Annotation {
  readonly id: string;
  readonly widget_id: string;
  readonly hub_id: string;
  readonly body: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly parent_id?: string;
  readonly actor_id?: string;
  readonly actor_type?: ActorType;
  readonly widget_state_ref?: string;
  /** The widget version the feedback is about (from `data-widget-version`). */
  readonly widget_version?: number;
}

export type SubmitResult =
  | { readonly ok: true; readonly annotation: Annotation }
  | { readonly ok: false; readonly status?: number; readonly message: string };

export interface AnnotatorOptions {
  readonly endpoint: string;
  readonly apiKey: string;
  readonly actor?: { readonly id?: string; readonly type?: ActorType };
  /** A reference to the widget's state when feedback is left (e.g. a route or a snapshot id). */
  readonly widgetStateRef?: (widget: Element) => string | undefined;
  readonly contract?: EnvelopeContract;
  /** Attempts on network errors, 429 and 5xx before giving up (default 3). */
  readonly attempts?: number;
  readonly fetch?: typeof fetch;
  /** Where the dialog is attached (default document.body). */
  readonly container?: Element;
  readonly onSubmitted?: (annotation: Annotation) => void;
}

export interface Annotator {
  /** Opens the dialog for `widget`, or with a choice of the page's widgets when omitted. */
  open(widget?: Element | null): void;
  close(): void;
  /** Adds a floating "Feedback" button that opens the dialog; returns it. */
  mountLauncher(label?: string): HTMLButtonElement | undefined;
  /** Posts an annotation without the UI (retries like the dialog; never throws). */
  submit(annotation: Annotation): Promise<SubmitResult>;
  destroy(): void;
}

const STYLE = `
:host{all:initial}
.backdrop{position:fixed;inset:0;background:rgba(15,23,42,.45);z-index:2147483646}
.dialog{position:fixed;z-index:2147483647;top:50%;left:50%;transform:translate(-50%,-50%);
 width:min(28rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;box-sizing:border-box;
 background:#fff;color:#111827;border-radius:.5rem;padding:1.25rem;font:15px/1.45 system-ui,sans-serif;
 box-shadow:0 10px 30px rgba(0,0,0,.3)}
h2{font-size:1.15rem;margin:0 2rem .5rem 0}
p{margin:.25rem 0 .75rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.4rem;border:1px solid #6b7280;border-radius:.25rem;background:#fff;color:inherit}
textarea{min-height:7rem;resize:vertical}
[aria-invalid=true]{border-color:#b91c1c;outline:1px solid #b91c1c}
.hint{color:#4b5563;font-size:.85rem}
.error{color:#b91c1c;font-weight:600}
.actions{display:flex;gap:.5rem;justify-content:flex-end;margin-top:1rem}
button{font:inherit;padding:.45rem .9rem;border-radius:.25rem;border:1px solid #1d4ed8;background:#fff;color:#1d4ed8;cursor:pointer}
button.primary{background:#1d4ed8;color:#fff}
button[disabled]{opacity:.6;cursor:progress}
button.x{position:absolute;top:.6rem;right:.6rem;border:0;font-size:1.3rem;line-height:1;padding:.2rem .45rem}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.launcher{font:600 15px/1.2 system-ui,sans-serif;position:fixed;right:1rem;bottom:1rem;z-index:2147483645;background:#1d4ed8;color:#fff;border-radius:999px;padding:.6rem 1rem;box-shadow:0 4px 12px rgba(0,0,0,.25)}
`;

const LABELS: Record<Category | Severity, string> = {
  friction: 'Friction – something is harder than it should be',
  bug: 'Bug – something is broken',
  idea: 'Idea – a suggestion',
  question: 'Question',
  praise: 'Praise – something works well',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

function describeWidget(el: Element, index: number): string {
  const name =
    el.getAttribute('aria-label') ??
    el.getAttribute('title') ??
    el.querySelector('h1,h2,h3,h4,legend,label')?.textContent?.trim();
  const context = el.getAttribute('data-view-context') ?? '';
  return `${name || `Widget ${index + 1}`}${context ? ` (${context})` : ''}`;
}

/** Widget elements of the page that conform to the contract, open shadow roots included. */
function pageWidgets(root: ParentNode, contract: EnvelopeContract): Element[] {
  const out: Element[] = [];
  for (const el of Array.from(root.querySelectorAll('*'))) {
    if (el.hasAttribute('data-widget-id') && readWidget(el, contract)) out.push(el);
    if (el.shadowRoot) out.push(...pageWidgets(el.shadowRoot, contract));
  }
  return out;
}

/** The focused element, looking through shadow roots. */
function deepActive(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Makes the annotator; nothing is added to the page until `open` or `mountLauncher`. */
export function createAnnotator(options: AnnotatorOptions): Annotator {
  const contract = options.contract ?? ENVELOPE_CONTRACT_V1;
  let host: HTMLElement | undefined;
  let launcherHost: HTMLElement | undefined;
  let opener: Element | null = null;
  let lastWidget: Element | null = null;

  const onPointer = (event: Event) => {
    try {
      for (const node of event.composedPath()) {
        if (node instanceof Element && node.hasAttribute('data-widget-id')) {
          lastWidget = node;
          return;
        }
      }
    } catch {
      // Guest in the page: ignore.
    }
  };
  if (typeof document !== 'undefined') {
    document.addEventListener('pointerdown', onPointer, true);
    document.addEventListener('focusin', onPointer, true);
  }

  async function submit(annotation: Annotation): Promise<SubmitResult> {
    const attempts = Math.max(1, options.attempts ?? 3);
    let last: SubmitResult = { ok: false, message: 'not sent' };
    for (let attempt = 0; attempt < attempts; attempt++) {
      const outcome = await postJson(
        joinUrl(options.endpoint, ANNOTATIONS_PATH),
        options.apiKey,
        annotation,
        options.fetch ? { fetch: options.fetch } : {},
      );
      if (outcome.kind === 'ok') {
        try {
          options.onSubmitted?.(annotation);
        } catch {
          // The host's callback is not ours to rethrow.
        }
        return { ok: true, annotation };
      }
      if (outcome.kind === 'fail') {
        const detail = (outcome.body as { detail?: unknown; title?: unknown } | null) ?? {};
        const message =
          typeof detail.detail === 'string'
            ? detail.detail
            : typeof detail.title === 'string'
              ? detail.title
              : `the server refused it (${outcome.status})`;
        return { ok: false, status: outcome.status, message };
      }
      last = {
        ok: false,
        ...(outcome.status ? { status: outcome.status } : {}),
        message: outcome.status
          ? `the server is busy (${outcome.status})`
          : 'the network is unavailable',
      };
      if (attempt + 1 < attempts) {
        const wait = Math.min(10_000, outcome.after ?? backoffMs(attempt, 500, 4000));
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    return last;
  }

  function close(): void {
    if (!host) return;
    host.remove();
    host = undefined;
    const back = opener;
    opener = null;
    if (back instanceof HTMLElement && back.isConnected) back.focus();
  }

  function open(widget?: Element | null): void {
    close();
    opener = deepActive();
    const widgets = widget ? [widget] : pageWidgets(document, contract);
    const preselected = widget ?? (lastWidget && widgets.includes(lastWidget) ? lastWidget : null);
    host = el('div', { 'data-ihf-annotate': '' });
    const root = host.attachShadow({ mode: 'open' });
    root.append(el('style', {}, STYLE));
    const backdrop = el('div', { class: 'backdrop' });
    const dialog = el('div', {
      class: 'dialog',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'ihf-title',
      'aria-describedby': 'ihf-desc',
    });
    const title = el('h2', { id: 'ihf-title' }, 'Leave feedback');
    const desc = el('p', { id: 'ihf-desc' });
    const closeButton = el('button', { type: 'button', class: 'x', 'aria-label': 'Close' }, '×');
    const form = el('form', { novalidate: '' });

    let widgetSelect: HTMLSelectElement | undefined;
    if (widget) {
      desc.textContent = `About: ${describeWidget(widget, 0)}`;
    } else if (widgets.length === 0) {
      desc.textContent = 'There is no widget on this page to leave feedback on.';
    } else {
      desc.textContent = 'Choose the part of the page your feedback is about.';
      widgetSelect = el('select', { id: 'ihf-widget', name: 'widget' });
      widgets.forEach((w, i) => {
        const option = el('option', { value: String(i) }, describeWidget(w, i));
        if (w === preselected) option.selected = true;
        widgetSelect!.append(option);
      });
      form.append(el('label', { for: 'ihf-widget' }, 'Widget'), widgetSelect);
    }
    const category = el('select', { id: 'ihf-category', name: 'category' });
    for (const c of CATEGORIES) category.append(el('option', { value: c }, LABELS[c]));
    const severity = el('select', { id: 'ihf-severity', name: 'severity' });
    for (const s of SEVERITIES) severity.append(el('option', { value: s }, LABELS[s]));
    severity.value = 'medium';
    const body = el('textarea', {
      id: 'ihf-body',
      name: 'body',
      required: '',
      maxlength: String(MAX_BODY),
      'aria-required': 'true',
      'aria-describedby': 'ihf-body-hint ihf-error',
    });
    const hint = el(
      'p',
      { id: 'ihf-body-hint', class: 'hint' },
      'Required. What happened, and what did you expect?',
    );
    const error = el('p', { id: 'ihf-error', class: 'error', role: 'alert' });
    const status = el('p', { id: 'ihf-status', role: 'status', 'aria-live': 'polite' });
    const cancel = el('button', { type: 'button' }, 'Cancel');
    const send = el('button', { type: 'submit', class: 'primary' }, 'Send feedback');
    const actions = el('div', { class: 'actions' });
    actions.append(cancel, send);
    form.append(
      el('label', { for: 'ihf-category' }, 'Category'),
      category,
      el('label', { for: 'ihf-severity' }, 'Severity'),
      severity,
      el('label', { for: 'ihf-body' }, 'Your feedback'),
      body,
      hint,
      error,
      status,
      actions,
    );
    dialog.append(closeButton, title, desc);
    if (widgets.length > 0) dialog.append(form);
    root.append(backdrop, dialog);
    (options.container ?? document.body).append(host);

    // One id per dialog: pressing "Send" again after a failure is a retry, not a second note.
    const id = uuid();
    cancel.addEventListener('click', close);
    closeButton.addEventListener('click', close);
    backdrop.addEventListener('click', close);
    dialog.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        close();
      } else if (event.key === 'Tab') {
        const focusable = Array.from(
          dialog.querySelectorAll<HTMLElement>('button,select,textarea,input,[tabindex]'),
        ).filter((f) => !f.hasAttribute('disabled') && f.tabIndex >= 0);
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        const active = root.activeElement;
        if (event.shiftKey && (active === first || !dialog.contains(active))) {
          event.preventDefault();
          last?.focus();
        } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
          event.preventDefault();
          first?.focus();
        }
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        try {
          const text = body.value.trim();
          if (text === '') {
            body.setAttribute('aria-invalid', 'true');
            error.textContent = 'Please describe your feedback before sending it.';
            body.focus();
            return;
          }
          body.removeAttribute('aria-invalid');
          error.textContent = '';
          const target = widget ?? widgets[Number(widgetSelect?.value ?? 0)];
          const identity = readWidget(target, contract);
          if (!identity) {
            error.textContent = 'This widget is not set up for feedback (envelope attributes).';
            return;
          }
          const stateRef = options.widgetStateRef?.(target);
          const annotation: Annotation = {
            id,
            widget_id: identity.widget_id,
            hub_id: identity.hub_id,
            body: text.slice(0, MAX_BODY),
            category: category.value as Category,
            severity: severity.value as Severity,
            ...(options.actor?.id ? { actor_id: options.actor.id } : {}),
            ...(options.actor?.type ? { actor_type: options.actor.type } : {}),
            ...(stateRef ? { widget_state_ref: stateRef.slice(0, 500) } : {}),
            ...(identity.widget_version ? { widget_version: identity.widget_version } : {}),
          };
          send.disabled = true;
          form.setAttribute('aria-busy', 'true');
          status.textContent = 'Sending your feedback…';
          const result = await submit(annotation);
          send.disabled = false;
          form.removeAttribute('aria-busy');
          if (result.ok) {
            form.remove();
            status.textContent = '';
            const done = el('p', { role: 'status' }, 'Thank you! Your feedback was sent.');
            const ok = el('button', { type: 'button', class: 'primary' }, 'Close');
            ok.addEventListener('click', close);
            const row = el('div', { class: 'actions' });
            row.append(ok);
            dialog.append(done, row);
            ok.focus();
          } else {
            status.textContent = '';
            error.textContent = `Your feedback could not be sent: ${result.message}. Your text is kept; please try again.`;
            send.focus();
          }
        } catch (failure) {
          warn('annotation dialog failed', failure);
        }
      })();
    });
    (widgetSelect ?? (widgets.length > 0 ? category : closeButton)).focus();
  }

  const safe =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        fn(...args);
      } catch (failure) {
        warn('annotator failed', failure);
      }
    };

  return {
    open: safe(open),
    close: safe(close),
    submit: (annotation) =>
      submit(annotation).catch((failure) => ({ ok: false, message: String(failure) })),
    mountLauncher(label = 'Feedback') {
      try {
        if (launcherHost) return launcherHost.shadowRoot?.querySelector('button') ?? undefined;
        launcherHost = el('div', { 'data-ihf-annotate-launcher': '' });
        const root = launcherHost.attachShadow({ mode: 'open' });
        root.append(el('style', {}, STYLE));
        const button = el(
          'button',
          { type: 'button', class: 'launcher', 'aria-haspopup': 'dialog' },
          label,
        );
        button.addEventListener('click', () => open());
        root.append(button);
        (options.container ?? document.body).append(launcherHost);
        return button;
      } catch (failure) {
        warn('annotator launcher failed', failure);
        return undefined;
      }
    },
    destroy: safe(() => {
      close();
      launcherHost?.remove();
      launcherHost = undefined;
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('focusin', onPointer, true);
    }),
  };
}
