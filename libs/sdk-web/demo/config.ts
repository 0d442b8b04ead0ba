/** The widgets of the demo page (each must be registered in the hub for a live run). */
export const DEMO_WIDGETS = [
  'wcCart',
  'wcNewsletter',
  'wcFooter',
  'shadowSearch',
  'reactProduct',
  'reactCheckout',
  'vueProfile',
] as const;
export type DemoWidget = (typeof DEMO_WIDGETS)[number];

/** What the demo server writes into the page (`window.IHF_DEMO`). */
export interface DemoConfig {
  /** Base URL of the ingestion service. */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly hubId: string;
  readonly widgets: Readonly<Record<DemoWidget, string>>;
  readonly flushInterval?: number;
  readonly viewDuration?: number;
  /** The end user's actor id (the annotator's `actor.id`): needed for "me too". */
  readonly reporterId?: string;
  /** A known issue (a requirement candidate) the dialog offers "Me too" for, on one widget. */
  readonly knownIssue?: {
    readonly candidateId: string;
    readonly title: string;
    readonly widget: DemoWidget;
  };
}
