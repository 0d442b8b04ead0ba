/**
 * `@ihf/sdk-web/annotate`: a small, accessible dialog that lets a person leave feedback
 * (category, severity, text) on a widget; it posts to the annotations endpoint with the hub key.
 *
 * Accessibility: a native `<dialog>` opened with `showModal()`, so the rest of the page is inert
 * (not focusable, not exposed to assistive technology) while it is open; labelled by its title
 * and described per state; focus moved into it on open, kept inside (Tab / Shift+Tab wrap) and
 * given back to the opener on close; Escape closes; every field has a visible label; errors
 * are announced (`role="alert"`) and cleared once the text is valid; progress and the thank-you
 * go through one `role="status"` region that exists from the start. "Point at it" lets a
 * person choose the widget on the page instead of by name. It renders in its own shadow root,
 * so host styles neither leak in nor out.
 */
import { ENVELOPE_CONTRACT_V1, readWidget, type EnvelopeContract } from '../contract.js';
import { warn } from '../guard.js';
import { backoffMs, joinUrl, postJson } from '../http.js';
import type { ActorType } from '../reporter.js';
import { uuid } from '../uuid.js';

export const ANNOTATIONS_PATH = '/api/v1/annotations';
/** Ingestion's endpoint for an end user's "me too" about a known issue (a candidate). */
export const ME_TOO_PATH = '/api/v1/me-too';
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

/** A known issue (a requirement candidate) the host lets people say "me too" about. */
export interface KnownIssue {
  readonly candidate_id: string;
  /** What people read next to the "Me too" button. */
  readonly title: string;
}

/** One "me too" as the me-too endpoint takes it. */
export interface MeToo {
  readonly id: string;
  readonly hub_id: string;
  readonly candidate_id: string;
  /** The end user's actor id: counted once per reporter and candidate. */
  readonly reporter_id: string;
  readonly widget_id?: string;
}

export type MeTooResult =
  | { readonly ok: true; readonly meToo: MeToo }
  | { readonly ok: false; readonly status?: number; readonly message: string };

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
  /**
   * Keys that open the dialog about the widget holding the focus (`event.code` with modifiers,
   * default `Alt+Shift+KeyF`); `false` turns the shortcut off.
   */
  readonly shortcut?: string | false;
  /**
   * Known issues of a widget: the dialog lists them with a "Me too" button each (shown only
   * when `actor.id` is set, since a "me too" counts once per reporter).
   */
  readonly knownIssues?: (widget: Element) => readonly KnownIssue[];
}

export interface Annotator {
  /** Opens the dialog for `widget`, or with a choice of the page's widgets when omitted. */
  open(widget?: Element | null): void;
  close(): void;
  /** Adds a floating "Feedback" button that opens the dialog; returns it. */
  mountLauncher(label?: string): HTMLButtonElement | undefined;
  /** Adds a button inside `widget` that opens the dialog about that widget; returns it. */
  mountWidgetButton(widget: Element, label?: string): HTMLButtonElement | undefined;
  /** Posts an annotation without the UI (retries like the dialog; never throws). */
  submit(annotation: Annotation): Promise<SubmitResult>;
  /**
   * Says "me too" about a known issue without the UI (needs `actor.id`; the hub comes from
   * `widget`'s attributes or `hubId`). Reuse `id` to retry the same one. Never throws.
   */
  meToo(request: {
    readonly candidateId: string;
    readonly widget?: Element;
    readonly hubId?: string;
    readonly id?: string;
  }): Promise<MeTooResult>;
  destroy(): void;
}

/** The focus ring: a dark ring over a white band, so one of them contrasts with any backdrop. */
export const FOCUS_RING = '#0f172a';

const STYLE = `
:host{all:initial}
dialog.dialog{width:min(28rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;box-sizing:border-box;
 background:#fff;color:#111827;border:1px solid #6b7280;border-radius:.5rem;padding:1.25rem;font:15px/1.45 system-ui,sans-serif;
 box-shadow:0 10px 30px rgba(0,0,0,.3)}
dialog::backdrop{background:rgba(15,23,42,.45)}
dialog.picker{position:fixed;inset:0;width:100vw;height:100vh;max-width:none;max-height:none;margin:0;padding:0;
 border:0;background:transparent;overflow:hidden;font:15px/1.45 system-ui,sans-serif}
dialog.picker::backdrop{background:rgba(15,23,42,.55)}
dialog.picker:has(.target:hover,.target:focus-visible)::backdrop{background:transparent}
.banner{position:fixed;left:50%;top:.75rem;transform:translateX(-50%);width:max-content;max-width:calc(100vw - 2rem);box-sizing:border-box;
 margin:0;padding:.5rem .9rem;background:#fff;color:#111827;border:1px solid #6b7280;border-radius:.5rem;z-index:2147483647}
.target{position:fixed;box-sizing:border-box;margin:0;padding:0;border:2px dashed #fff;border-radius:.5rem;
 background:transparent;color:transparent;cursor:pointer}
.target:hover,.target:focus-visible{border:3px solid #fff;outline:3px solid ${FOCUS_RING};outline-offset:0;
 box-shadow:0 0 0 200vmax rgba(15,23,42,.55)}
h2{font-size:1.15rem;margin:0 2rem .5rem 0}
p{margin:.25rem 0 .75rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
select,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.4rem;border:1px solid #6b7280;border-radius:.25rem;background:#fff;color:inherit}
textarea{min-height:7rem;resize:vertical}
[aria-invalid=true]{border-color:#b91c1c;outline:1px solid #b91c1c}
.hint{color:#4b5563;font-size:.85rem}
.error{color:#b91c1c;font-weight:600}
.error:empty,.status:empty{margin:0}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:flex-end;margin-top:1rem}
.point{margin-top:.5rem}
fieldset.known{border:1px solid #6b7280;border-radius:.25rem;margin:.75rem 0 0;padding:.25rem .6rem .5rem}
fieldset.known legend{font-weight:600;padding:0 .25rem}
.issue{display:flex;align-items:center;justify-content:space-between;gap:.5rem;margin-top:.4rem}
button{font:inherit;padding:.45rem .9rem;border-radius:.25rem;border:1px solid #1d4ed8;background:#fff;color:#1d4ed8;cursor:pointer}
button.primary{background:#1d4ed8;color:#fff}
button[disabled]{opacity:.6;cursor:progress}
button[aria-disabled=true]{cursor:default}
button.x{position:absolute;top:.6rem;right:.6rem;border:0;font-size:1.3rem;line-height:1;padding:.2rem .45rem}
:focus-visible{outline:3px solid ${FOCUS_RING};outline-offset:2px;box-shadow:0 0 0 2px #fff}
.launcher{font:600 15px/1.2 system-ui,sans-serif;position:fixed;right:1rem;bottom:1rem;z-index:2147483645;background:#1d4ed8;color:#fff;border-radius:999px;padding:.6rem 1rem;box-shadow:0 4px 12px rgba(0,0,0,.25)}
.launcher:focus-visible{box-shadow:0 0 0 2px #fff,0 4px 12px rgba(0,0,0,.25)}
.in-widget{font:600 13px/1.2 system-ui,sans-serif;padding:.25rem .6rem;margin:.25rem 0}
@media (forced-colors:active){dialog.dialog,.banner{border:2px solid CanvasText}.target{border-color:Highlight}}
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

/** The innermost conforming widget around `node`, across shadow boundaries. */
function widgetAround(node: Node | null, contract: EnvelopeContract): Element | null {
  while (node) {
    if (
      node instanceof Element &&
      node.hasAttribute('data-widget-id') &&
      readWidget(node, contract)
    )
      return node;
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return null;
}

/** `Alt+Shift+KeyF` as a test of a keydown event. */
function parseShortcut(spec: string): (event: KeyboardEvent) => boolean {
  const parts = spec.split('+');
  const code = parts.pop();
  const mods = new Set(parts.map((m) => m.toLowerCase()));
  return (event) =>
    event.code === code &&
    event.altKey === mods.has('alt') &&
    event.shiftKey === mods.has('shift') &&
    event.ctrlKey === mods.has('control') &&
    event.metaKey === mods.has('meta');
}

/**
 * Where `showModal()` is missing, makes everything but `host` inert (each sibling along its
 * ancestors, skipping what the page made inert itself); returns the undo.
 */
function inertAround(host: Element): () => void {
  const changed: HTMLElement[] = [];
  for (let node: Element = host; node.parentElement; node = node.parentElement) {
    for (const sibling of Array.from(node.parentElement.children)) {
      if (sibling !== node && sibling instanceof HTMLElement && !sibling.hasAttribute('inert')) {
        sibling.setAttribute('inert', '');
        changed.push(sibling);
      }
    }
  }
  return () => changed.forEach((node) => node.removeAttribute('inert'));
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
  const widgetButtons: HTMLElement[] = [];
  let opener: Element | null = null;
  let lastWidget: Element | null = null;
  /** Undoes what the open dialog did to the page (listeners, inert fallback). */
  let cleanup: (() => void)[] = [];

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
  const isShortcut =
    options.shortcut === false ? null : parseShortcut(options.shortcut ?? 'Alt+Shift+KeyF');
  const onKey = (event: KeyboardEvent) => {
    try {
      if (!isShortcut || host || event.defaultPrevented || !isShortcut(event)) return;
      event.preventDefault();
      open(widgetAround(deepActive(), contract));
    } catch (failure) {
      warn('annotator shortcut failed', failure);
    }
  };
  if (typeof document !== 'undefined') {
    document.addEventListener('pointerdown', onPointer, true);
    document.addEventListener('focusin', onPointer, true);
    document.addEventListener('keydown', onKey);
  }

  /** Posts `body` to `path`, retrying network errors, 429 and 5xx; never throws. */
  async function post(
    path: string,
    body: object,
  ): Promise<{ ok: true } | { ok: false; status?: number; message: string }> {
    const attempts = Math.max(1, options.attempts ?? 3);
    let last: { ok: false; status?: number; message: string } = { ok: false, message: 'not sent' };
    for (let attempt = 0; attempt < attempts; attempt++) {
      const outcome = await postJson(
        joinUrl(options.endpoint, path),
        options.apiKey,
        body,
        options.fetch ? { fetch: options.fetch } : {},
      );
      if (outcome.kind === 'ok') return { ok: true };
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

  async function submit(annotation: Annotation): Promise<SubmitResult> {
    const result = await post(ANNOTATIONS_PATH, annotation);
    if (!result.ok) return result;
    try {
      options.onSubmitted?.(annotation);
    } catch {
      // The host's callback is not ours to rethrow.
    }
    return { ok: true, annotation };
  }

  async function meToo(request: {
    readonly candidateId: string;
    readonly widget?: Element;
    readonly hubId?: string;
    readonly id?: string;
  }): Promise<MeTooResult> {
    const reporter = options.actor?.id;
    if (!reporter) return { ok: false, message: '"me too" needs the actor id (actor.id)' };
    const identity = request.widget ? readWidget(request.widget, contract) : null;
    const hubId = identity?.hub_id ?? request.hubId;
    if (!hubId) return { ok: false, message: '"me too" needs a widget or a hubId' };
    const body: MeToo = {
      id: request.id ?? uuid(),
      hub_id: hubId,
      candidate_id: request.candidateId,
      reporter_id: reporter,
      ...(identity ? { widget_id: identity.widget_id } : {}),
    };
    const result = await post(ME_TOO_PATH, body);
    return result.ok ? { ok: true, meToo: body } : result;
  }

  function close(): void {
    if (!host) return;
    for (const undo of cleanup) undo();
    cleanup = [];
    host.remove();
    host = undefined;
    const back = opener;
    opener = null;
    if (back instanceof HTMLElement && back.isConnected) back.focus();
  }

  /** Shows a dialog modally: natively, or with the rest of the page made inert. */
  function showModal(dialog: HTMLDialogElement): void {
    if (typeof dialog.showModal === 'function') {
      dialog.showModal();
    } else {
      dialog.setAttribute('open', '');
      dialog.setAttribute('aria-modal', 'true');
      cleanup.push(inertAround(host!));
    }
  }
  function hide(dialog: HTMLDialogElement): void {
    if (typeof dialog.close === 'function') dialog.close();
    else dialog.removeAttribute('open');
  }

  function open(widget?: Element | null): void {
    close();
    opener = deepActive();
    const widgets = pageWidgets(document, contract);
    if (widget && !widgets.includes(widget)) widgets.unshift(widget);
    const preselected = widget ?? (lastWidget && widgets.includes(lastWidget) ? lastWidget : null);
    host = el('div', { 'data-ihf-annotate': '', 'data-ihf-ui': '' });
    const root = host.attachShadow({ mode: 'open' });
    root.append(el('style', {}, STYLE));
    const dialog = el('dialog', {
      class: 'dialog',
      'aria-labelledby': 'ihf-title',
      'aria-describedby': 'ihf-desc',
    });
    const title = el('h2', { id: 'ihf-title' }, 'Leave feedback');
    const desc = el('p', { id: 'ihf-desc' });
    const closeButton = el('button', { type: 'button', class: 'x', 'aria-label': 'Close' }, '×');
    const form = el('form', { novalidate: '' });
    // Exists, empty, from the start: a live region that appears with its text is often not read.
    const status = el('p', {
      id: 'ihf-status',
      class: 'status',
      role: 'status',
      'aria-live': 'polite',
    });

    const about = (w: Element) => {
      const version = readWidget(w, contract)?.widget_version;
      return `${describeWidget(w, widgets.indexOf(w))}${version ? `, version ${version}` : ''}`;
    };
    const widgetSelect = el('select', { id: 'ihf-widget', name: 'widget' });
    const pointButton = el(
      'button',
      { type: 'button', class: 'point', id: 'ihf-point', 'aria-describedby': 'ihf-point-hint' },
      'Point at it',
    );
    const chosen = () => widgets[Number(widgetSelect.value)] ?? widgets[0];
    // Known issues of the chosen widget, each with a "Me too" button (one id per issue and
    // dialog, so pressing it again after a failure is a retry).
    const known = el('fieldset', { class: 'known', id: 'ihf-known' });
    const meTooIds = new Map<string, string>();
    const showKnown = () => {
      known.replaceChildren();
      const target = widgets.length > 0 ? chosen() : null;
      const issues =
        target && options.actor?.id && options.knownIssues
          ? options.knownIssues(target).slice(0, 10)
          : [];
      known.hidden = issues.length === 0;
      if (!target || issues.length === 0) return;
      known.append(el('legend', {}, 'Already reported? Say "me too"'));
      for (const issue of issues) {
        const row = el('div', { class: 'issue' });
        const button = el(
          'button',
          { type: 'button', 'aria-label': `Me too: ${issue.title}` },
          'Me too',
        );
        // aria-disabled, not disabled: a disabled button drops the focus out of the dialog.
        button.addEventListener('click', () => {
          if (button.getAttribute('aria-disabled') === 'true') return;
          void (async () => {
            try {
              button.setAttribute('aria-disabled', 'true');
              error.textContent = '';
              status.textContent = 'Sending your "me too"…';
              const id = meTooIds.get(issue.candidate_id) ?? uuid();
              meTooIds.set(issue.candidate_id, id);
              const result = await meToo({ candidateId: issue.candidate_id, widget: target, id });
              if (result.ok) {
                button.textContent = 'Counted';
                button.setAttribute('aria-label', `Counted: ${issue.title}`);
                status.textContent = `Thank you! You were counted for "${issue.title}".`;
              } else {
                button.removeAttribute('aria-disabled');
                status.textContent = '';
                error.textContent = `Your "me too" could not be sent: ${result.message}. Please try again.`;
              }
            } catch (failure) {
              warn('me too failed', failure);
            }
          })();
        });
        row.append(el('span', {}, issue.title), button);
        known.append(row);
      }
    };
    const describeChoice = () => {
      desc.textContent = `About: ${about(chosen())}.`;
      showKnown();
    };
    if (widgets.length === 0) {
      desc.textContent = 'There is no widget on this page to leave feedback on.';
    } else {
      widgets.forEach((w, i) => {
        const option = el('option', { value: String(i) }, describeWidget(w, i));
        if (w === preselected) option.selected = true;
        widgetSelect.append(option);
      });
      if (preselected) describeChoice();
      else desc.textContent = 'Choose the part of the page your feedback is about.';
      widgetSelect.addEventListener('change', describeChoice);
      form.append(
        el('label', { for: 'ihf-widget' }, 'Widget'),
        widgetSelect,
        pointButton,
        el(
          'p',
          { id: 'ihf-point-hint', class: 'hint' },
          'Or point at it: choose the widget on the page itself.',
        ),
      );
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
    const cancel = el('button', { type: 'button' }, 'Cancel');
    const send = el('button', { type: 'submit', class: 'primary' }, 'Send feedback');
    const actions = el('div', { class: 'actions' });
    actions.append(cancel, send);
    form.append(
      known,
      el('label', { for: 'ihf-category' }, 'Category'),
      category,
      el('label', { for: 'ihf-severity' }, 'Severity'),
      severity,
      el('label', { for: 'ihf-body' }, 'Your feedback'),
      body,
      hint,
      error,
      actions,
    );
    dialog.append(closeButton, title, desc);
    if (widgets.length > 0) dialog.append(form);
    showKnown();
    dialog.append(status);
    root.append(dialog);
    (options.container ?? document.body).append(host);
    showModal(dialog);

    // One id per dialog: pressing "Send" again after a failure is a retry, not a second note.
    const id = uuid();
    cancel.addEventListener('click', close);
    closeButton.addEventListener('click', close);
    // Escape on a native modal dialog: close our way (focus back to the opener, host removed).
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close();
    });
    // A click on the backdrop lands on the dialog element, outside its box.
    dialog.addEventListener('click', (event: MouseEvent) => {
      if (event.target !== dialog || event.detail === 0) return;
      const box = dialog.getBoundingClientRect();
      const inside =
        event.clientX >= box.left &&
        event.clientX <= box.right &&
        event.clientY >= box.top &&
        event.clientY <= box.bottom;
      if (!inside) close();
    });
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
    // The error says what to fix; once it is fixed, it goes (and the field is valid again).
    let invalid = false;
    body.addEventListener('input', () => {
      if (invalid && body.value.trim() !== '') {
        invalid = false;
        body.removeAttribute('aria-invalid');
        error.textContent = '';
      }
    });
    pointButton.addEventListener('click', () =>
      pointAt(root, dialog, widgets, (picked) => {
        if (picked) {
          widgetSelect.value = String(widgets.indexOf(picked));
          describeChoice();
        }
        (picked ? widgetSelect : pointButton).focus();
      }),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        try {
          const text = body.value.trim();
          if (text === '') {
            invalid = true;
            body.setAttribute('aria-invalid', 'true');
            error.textContent = 'Please describe your feedback before sending it.';
            body.focus();
            return;
          }
          error.textContent = '';
          const target = chosen();
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
            desc.textContent = `Your feedback about ${about(target)} was sent. You can go back to the page.`;
            status.textContent = 'Thank you! Your feedback was sent.';
            // Named apart from the × ("Close"): two buttons with one name are one too many.
            const ok = el('button', { type: 'button', class: 'primary' }, 'Back to the page');
            ok.addEventListener('click', close);
            const row = el('div', { class: 'actions' });
            row.append(ok);
            dialog.append(row);
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
    (widgets.length === 0 ? closeButton : widget ? category : widgetSelect).focus();
  }

  /**
   * "Point at it": the dialog steps aside, the page dims and each widget gets a target over it
   * (highlighted under the pointer and on focus, in page order for Tab); choosing one or Escape
   * brings the dialog back and calls `done` with the widget or null.
   */
  function pointAt(
    root: ShadowRoot,
    dialog: HTMLDialogElement,
    widgets: Element[],
    done: (picked: Element | null) => void,
  ): void {
    const picker = el('dialog', {
      class: 'picker',
      'aria-labelledby': 'ihf-pick-title',
      tabindex: '-1',
    });
    const banner = el(
      'p',
      { class: 'banner', id: 'ihf-pick-title' },
      'Point at the part of the page your feedback is about (or Tab to it and press Enter). Escape goes back.',
    );
    picker.append(banner);
    const targets = widgets.map((w, i) => {
      const target = el('button', { type: 'button', class: 'target' }, describeWidget(w, i));
      target.addEventListener('click', () => finish(w));
      target.addEventListener('focus', () => {
        const box = w.getBoundingClientRect();
        if (box.top < 0 || box.bottom > innerHeight) w.scrollIntoView({ block: 'center' });
        place();
      });
      picker.append(target);
      return target;
    });
    const place = () => {
      const boxes = widgets.map((w) => w.getBoundingClientRect());
      // Inner widgets above outer ones: the smaller box is the one under the pointer.
      const order = boxes
        .map((b, i) => [b.width * b.height, i] as const)
        .sort((x, y) => y[0] - x[0]);
      order.forEach(([, i], rank) => {
        const b = boxes[i];
        const style = targets[i].style;
        style.left = `${b.left}px`;
        style.top = `${b.top}px`;
        style.width = `${b.width}px`;
        style.height = `${b.height}px`;
        style.zIndex = String(rank + 1);
        targets[i].hidden = b.width === 0 && b.height === 0;
      });
    };
    let finished = false;
    const finish = (picked: Element | null) => {
      // Escape may arrive as both keydown and cancel: act once.
      if (finished) return;
      finished = true;
      removeEventListener('scroll', place, true);
      removeEventListener('resize', place);
      hide(picker);
      picker.remove();
      if (host) {
        showModal(dialog);
        done(picked);
      }
    };
    picker.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(null);
    });
    picker.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        finish(null);
      } else if (event.key === 'Tab') {
        // Round and round the widgets, as in the dialog.
        const shown = targets.filter((t) => !t.hidden);
        const at = shown.indexOf(root.activeElement as HTMLButtonElement);
        const next = event.shiftKey
          ? at <= 0
            ? shown.length - 1
            : at - 1
          : at === shown.length - 1
            ? 0
            : at + 1;
        event.preventDefault();
        shown[next]?.focus();
      }
    });
    addEventListener('scroll', place, true);
    addEventListener('resize', place);
    cleanup.push(() => {
      removeEventListener('scroll', place, true);
      removeEventListener('resize', place);
    });
    hide(dialog);
    root.append(picker);
    place();
    showModal(picker);
    picker.focus();
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

  /** A button in a shadow root of its own (host styles stay out), marked as SDK UI. */
  function mountButton(
    container: Element,
    marker: string,
    attributes: Record<string, string>,
    label: string,
    onClick: () => void,
  ): { host: HTMLElement; button: HTMLButtonElement } {
    const buttonHost = el('span', { [marker]: '', 'data-ihf-ui': '' });
    const root = buttonHost.attachShadow({ mode: 'open' });
    root.append(el('style', {}, STYLE));
    const button = el(
      'button',
      { type: 'button', 'aria-haspopup': 'dialog', ...attributes },
      label,
    );
    button.addEventListener('click', onClick);
    root.append(button);
    container.append(buttonHost);
    return { host: buttonHost, button };
  }

  return {
    open: safe(open),
    close: safe(close),
    submit: (annotation) =>
      submit(annotation).catch((failure) => ({ ok: false, message: String(failure) })),
    meToo: (request) =>
      meToo(request).catch((failure) => ({ ok: false, message: String(failure) })),
    mountLauncher(label = 'Feedback') {
      try {
        if (launcherHost) return launcherHost.shadowRoot?.querySelector('button') ?? undefined;
        const mounted = mountButton(
          options.container ?? document.body,
          'data-ihf-annotate-launcher',
          { class: 'launcher' },
          label,
          () => open(),
        );
        launcherHost = mounted.host;
        return mounted.button;
      } catch (failure) {
        warn('annotator launcher failed', failure);
        return undefined;
      }
    },
    mountWidgetButton(widget, label = 'Feedback') {
      try {
        const mounted = mountButton(
          widget,
          'data-ihf-annotate-widget',
          {
            class: 'in-widget',
            // The visible text first, so speech input can say what it sees.
            'aria-label': `${label} on ${describeWidget(widget, 0)}`,
            ...(typeof options.shortcut === 'string' || options.shortcut === undefined
              ? { 'aria-keyshortcuts': (options.shortcut ?? 'Alt+Shift+KeyF').replace('Key', '') }
              : {}),
          },
          label,
          () => open(widget),
        );
        widgetButtons.push(mounted.host);
        return mounted.button;
      } catch (failure) {
        warn('annotator widget button failed', failure);
        return undefined;
      }
    },
    destroy: safe(() => {
      close();
      launcherHost?.remove();
      launcherHost = undefined;
      for (const button of widgetButtons.splice(0)) button.remove();
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('focusin', onPointer, true);
      document.removeEventListener('keydown', onKey);
    }),
  };
}
