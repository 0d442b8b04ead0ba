import 'reflect-metadata';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

/** A config class: decorated with class-validator, defaults as property initialisers. */
export type ConfigClass<T extends object> = new () => T;

/** Environment variables, as `process.env` has them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One bad or missing variable. */
export interface ConfigProblem {
  readonly variable: string;
  readonly messages: readonly string[];
}

/**
 * Thrown by {@link loadConfig}: its message names each bad or missing variable, one per line,
 * and is meant to be printed as is (no stack) before the process exits.
 */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        'Invalid configuration:',
        ...problems.map((p) => `  - ${p.variable}: ${p.messages.join('; ')}`),
      ].join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Reads `env` into a new instance of `ConfigClass` and validates it, once, at boot.
 *
 * - Each decorated property is read from the variable of the same name (config classes use
 *   the variable names, `DATABASE_URL`, so that errors and code name the same thing).
 * - An unset or empty variable keeps the property's initialiser (its default).
 * - Values are converted by the property's type: `number` (must be numeric), `boolean`
 *   (`true/false`, `1/0`, `yes/no`, `on/off`), else kept as a string. The type is the declared
 *   one (decorator metadata), or, when the property has no type annotation (`PORT = 3000`, for
 *   which TypeScript emits `Object`), the type of its default.
 *
 * Values never appear in the error (they may be secrets), only variable names and rules.
 *
 * @throws ConfigValidationError naming every invalid or missing variable.
 */
export function loadConfig<T extends object>(
  ConfigClass: ConfigClass<T>,
  env: Env = process.env,
): T {
  const config = new ConfigClass();
  const target = config as Record<string, unknown>;
  for (const property of configProperties(ConfigClass)) {
    const raw = env[property];
    if (raw === undefined || raw === '') continue;
    target[property] = convert(raw.trim(), declaredType(ConfigClass, property, target[property]));
  }
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigValidationError(errors.map((error) => toProblem(error, target)));
  }
  return config;
}

/** Names of the properties that carry a class-validator decorator. */
function configProperties(ConfigClass: ConfigClass<object>): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(ConfigClass, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function declaredType(
  ConfigClass: ConfigClass<object>,
  property: string,
  defaultValue: unknown,
): unknown {
  const type: unknown = Reflect.getMetadata(
    'design:type',
    ConfigClass.prototype as object,
    property,
  );
  if (type !== Object && type !== undefined) return type;
  if (typeof defaultValue === 'number') return Number;
  if (typeof defaultValue === 'boolean') return Boolean;
  return String;
}

function convert(raw: string, type: unknown): unknown {
  if (type === Number) {
    // Number('') and Number(' ') are 0; Number('12abc') is NaN, which the validators reject.
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  if (type === Boolean) {
    const lower = raw.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
  }
  return raw;
}

/** Type checks: when one fails, the range and format messages of the same value are noise. */
const TYPE_CONSTRAINTS = new Set(['isInt', 'isNumber', 'isBoolean', 'isString']);

function toProblem(error: ValidationError, values: Record<string, unknown>): ConfigProblem {
  const constraints = Object.entries(error.constraints ?? {});
  const typeFailures = constraints.filter(([name]) => TYPE_CONSTRAINTS.has(name));
  // class-validator starts its messages with the property name, which the line already shows.
  const messages = (typeFailures.length > 0 ? typeFailures : constraints).map(([, message]) =>
    message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
  );
  if (values[error.property] === undefined) {
    return { variable: error.property, messages: ['is required but not set', ...messages] };
  }
  return { variable: error.property, messages };
}
