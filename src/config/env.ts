/**
 * Typed readers of environment variables. Each returns the value or an error
 * naming the variable and what it expected, so a misconfigured edge says all
 * that is wrong at once and does not start.
 */
export type EnvReader = Readonly<Record<string, string | undefined>>;

/** A required variable found unset, with a value to copy. */
export interface MissingVariable {
  readonly name: string;
  readonly example: string;
}

export class EnvErrors {
  readonly messages: string[] = [];
  readonly missing: MissingVariable[] = [];

  fail(name: string, expected: string, value: string): void {
    this.messages.push(`${name}: expected ${expected}, got ${JSON.stringify(value)}`);
  }

  /** `name` is required and unset: `meaning` says what to give it, `example` a value to copy. */
  required(name: string, meaning: string, example: string): void {
    this.missing.push({ name, example });
    this.messages.push(`${name} is not set: ${meaning}, e.g. ${name}=${example}`);
  }
}

function raw(env: EnvReader, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function text(env: EnvReader, name: string): string | undefined;
export function text(env: EnvReader, name: string, fallback: string): string;
export function text(env: EnvReader, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function integer(env: EnvReader, errors: EnvErrors, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    errors.fail(name, `a whole number from ${min} to ${max}`, value);
    return fallback;
  }
  return parsed;
}

export function boolean(env: EnvReader, errors: EnvErrors, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  errors.fail(name, 'true or false', value);
  return fallback;
}

/** A comma-separated list, blanks dropped. */
export function list(env: EnvReader, name: string): string[] {
  return (raw(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function oneOf<T extends string>(env: EnvReader, errors: EnvErrors, name: string, choices: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  errors.fail(name, `one of ${choices.join(', ')}`, value);
  return fallback;
}
