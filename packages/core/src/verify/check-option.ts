import { ConfigurationError } from '../errors/configuration-error.js';

/** Small option validators: each throws a {@link ConfigurationError} naming the option. */

export function optionalNumber(
  option: string,
  value: unknown,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigurationError(option, 'expected a finite number');
  }
  if (value < min || value > max) {
    throw new ConfigurationError(option, `expected a number from ${min} to ${max}`);
  }
  return value;
}

export function optionalFunction<F>(option: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new ConfigurationError(option, 'expected a function');
  return value as F;
}

export function optionalBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigurationError(option, 'expected true or false');
  return value;
}

export function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigurationError(option, 'expected a non-empty string');
  }
  return value;
}

export function stringArray(option: string, value: unknown, { nonEmpty = false } = {}): string[] {
  if (!Array.isArray(value)) throw new ConfigurationError(option, 'expected an array of strings');
  if (nonEmpty && value.length === 0) throw new ConfigurationError(option, 'must not be empty');
  for (const [i, v] of value.entries()) nonEmptyString(`${option}[${i}]`, v);
  return value as string[];
}

export function optionalObject(option: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigurationError(option, 'expected an object');
  }
  return value as Record<string, unknown>;
}
