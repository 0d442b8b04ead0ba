/** @jest-environment jsdom */
import { act, createElement, forwardRef, StrictMode, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { HUB, MemoryStorage, scriptedFetch, WIDGET } from '../fakes.test-helper.js';
import type { Tracker } from '../tracker.js';
import {
  IhfProvider,
  IhfWidget,
  useIhfTracker,
  useIhfWidget,
  type IhfWidgetProps,
} from './index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
const widget = { widgetId: WIDGET, hubId: HUB, viewContext: 'shop/cart', widgetVersion: 4 };
let root: Root;
let container: HTMLElement;

beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  container = document.getElementById('app')!;
  root = createRoot(container);
});
afterEach(() => act(() => root.unmount()));

function render(node: ReactNode) {
  act(() => root.render(node));
}

describe('React binding', () => {
  it('<IhfWidget> puts the envelope attributes on the real DOM element', () => {
    render(createElement(IhfWidget, { ...widget, as: 'section', id: 'w' }, 'content'));
    const el = container.querySelector('section#w')!;
    expect(el.getAttribute('data-widget-id')).toBe(WIDGET);
    expect(el.getAttribute('data-hub-id')).toBe(HUB);
    expect(el.getAttribute('data-view-context')).toBe('shop/cart');
    expect(el.getAttribute('data-widget-version')).toBe('4');
    expect(el.getAttribute('data-adapter')).toBe('react-18');
    expect(el.textContent).toBe('content');
  });

  it('useIhfWidget props can be forwarded through a component to its DOM root', () => {
    const Card = forwardRef<HTMLDivElement, Omit<IhfWidgetProps, 'ref'>>((props, ref) =>
      createElement('div', { ...props, ref, className: 'card' }),
    );
    function Host() {
      return createElement(Card, useIhfWidget(widget));
    }
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    render(createElement(Host));
    expect(container.querySelector('.card')!.getAttribute('data-widget-id')).toBe(WIDGET);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('warns when a component swallows the attributes instead of putting them on its DOM root', () => {
    const Lossy = forwardRef<HTMLDivElement, Omit<IhfWidgetProps, 'ref'>>((_props, ref) =>
      createElement('div', { ref, className: 'lossy' }),
    );
    function Host() {
      return createElement(Lossy, useIhfWidget(widget));
    }
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    render(createElement(Host));
    render(createElement(Host));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][1])).toContain('not on the DOM element');
    warn.mockRestore();
  });

  it('<IhfProvider> survives StrictMode (mount, unmount, mount) with a live tracker', async () => {
    const api = scriptedFetch();
    let seen: Tracker | null = null;
    function Probe() {
      seen = useIhfTracker();
      return createElement(IhfWidget, widget, createElement('button', { id: 's' }, 's'));
    }
    render(
      createElement(
        StrictMode,
        null,
        createElement(
          IhfProvider,
          {
            options: {
              endpoint: 'https://i.test',
              apiKey: 'k',
              batchSize: 1,
              storage: new MemoryStorage(),
              fetch: api.fetch,
            },
          },
          createElement(Probe),
        ),
      ),
    );
    expect(seen).not.toBeNull();
    document.getElementById('s')!.click();
    await seen!.flush();
    // One live tracker: the click is reported once (the StrictMode twin was destroyed).
    expect(api.sent.flatMap((s) => s.body.events)).toHaveLength(1);
  });

  it('<IhfProvider> makes a tracker that reports clicks, and destroys it on unmount', async () => {
    const api = scriptedFetch();
    let seen: Tracker | null = null;
    function Probe() {
      seen = useIhfTracker();
      return createElement(IhfWidget, widget, createElement('button', { id: 'b' }, 'b'));
    }
    render(
      createElement(
        IhfProvider,
        {
          options: {
            endpoint: 'https://i.test',
            apiKey: 'k',
            batchSize: 1,
            storage: new MemoryStorage(),
            fetch: api.fetch,
          },
        },
        createElement(Probe),
      ),
    );
    expect(seen).not.toBeNull();
    document.getElementById('b')!.click();
    await seen!.flush();
    expect(api.sent[0].body.events[0]).toMatchObject({
      widget_id: WIDGET,
      event_type: 'clicked',
      widget_version: 4,
    });
  });
});
