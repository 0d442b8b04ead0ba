import { ValidateIf } from 'class-validator';

/**
 * How a payload property may be missing, beyond "always present and valid". class-validator's
 * `@IsOptional()` means "absent or null"; the two decorators here say the narrower things the
 * payloads mean, and record it so that the JSON Schema generator says the same.
 */
export type Presence =
  /** Always present; `null` or a valid value. */
  | { readonly kind: 'nullable' }
  /** Required (and valid) when `field` holds one of `values`; otherwise not validated. */
  | { readonly kind: 'requiredWhen'; readonly field: string; readonly values: readonly unknown[] };

// Keyed by the class (constructor) the decorator was applied on.
const presence = new Map<object, Map<string, Presence>>();

function record(target: object, property: string, p: Presence): void {
  const ctor = target.constructor;
  const own = presence.get(ctor) ?? new Map<string, Presence>();
  own.set(property, p);
  presence.set(ctor, own);
}

/**
 * The property is always sent and may be `null` (`x!: T | null`): validated unless it is null,
 * so an absent property is refused as the schema says.
 */
export function Nullable(): PropertyDecorator {
  return (target, key) => {
    const property = String(key);
    ValidateIf((o: Record<string, unknown>) => o[property] !== null)(target, key);
    record(target, property, { kind: 'nullable' });
  };
}

/**
 * The property is required (and validated) when `field` holds one of `values`, as in
 * `ProposalAcceptedV1` whose kind decides which detail fields it carries; otherwise it is not
 * looked at.
 */
export function RequiredWhen(field: string, ...values: readonly unknown[]): PropertyDecorator {
  return (target, key) => {
    ValidateIf((o: Record<string, unknown>) => values.includes(o[field]))(target, key);
    record(target, String(key), { kind: 'requiredWhen', field, values });
  };
}

/** The presence rule recorded for a class's property (inherited ones included). */
export function presenceOf(cls: object, property: string): Presence | undefined {
  for (let c: unknown = cls; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    const p = presence.get(c)?.get(property);
    if (p) return p;
  }
  return undefined;
}
