import { MembershipChangedV1, UserCreatedV1, UserLockedV1 } from './identity/identity.events.js';
import { Subjects } from './subjects.js';

/** A payload class: class-validator decorated, instantiable without arguments. */
export type PayloadClass<T extends object = object> = new () => T;

/** What the platform knows about one event subject. */
export interface EventContract<T extends object = object> {
  /** class-validator class every consumer validates the payload against. */
  readonly payload: PayloadClass<T>;
  /** Whether the envelope carries a `hub_id` (hub-scoped facts) or not. */
  readonly hubScoped: boolean;
  /** One sentence for the generated schema and docs. */
  readonly description: string;
}

function contract<T extends object>(c: EventContract<T>): EventContract<T> {
  return c;
}

/**
 * The single map from subject to payload class. `PayloadOf<S>` is derived from it, so
 * publishing the wrong payload for a subject does not compile.
 */
export const EVENT_CONTRACTS = {
  [Subjects.Identity.UserCreatedV1]: contract({
    payload: UserCreatedV1,
    hubScoped: false,
    description: 'A person or an agent client became a principal.',
  }),
  [Subjects.Identity.UserLockedV1]: contract({
    payload: UserLockedV1,
    hubScoped: false,
    description: 'Sign-in was locked after repeated failed attempts.',
  }),
  [Subjects.Identity.MembershipChangedV1]: contract({
    payload: MembershipChangedV1,
    hubScoped: false,
    description: 'The hubs a user may act in, or its roles, changed.',
  }),
} as const;

/** Every registered event subject. */
export type Subject = keyof typeof EVENT_CONTRACTS;

/** The payload type of a subject, from its registered class. */
export type PayloadOf<S extends Subject> =
  (typeof EVENT_CONTRACTS)[S] extends EventContract<infer T> ? T : never;

/** Contract of a subject, or undefined when the subject is not registered. */
export function contractFor(subject: string): EventContract | undefined {
  return (EVENT_CONTRACTS as Record<string, EventContract>)[subject];
}

/** All registered subjects. */
export function allSubjects(): Subject[] {
  return Object.keys(EVENT_CONTRACTS) as Subject[];
}
