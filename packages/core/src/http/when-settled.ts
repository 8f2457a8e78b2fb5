/**
 * Run `then` with a value that may be a promise (the `...Now` methods answer synchronously when
 * they can): synchronously for a plain value, after settling for a promise. A throw from `then`,
 * or a rejection, goes to `fail`. Lets adapters keep the hot path free of promise hops.
 */
export function whenSettled<T>(
  value: T | Promise<T>,
  then: (value: T) => void,
  fail: (error: unknown) => void,
): void {
  if (value instanceof Promise) {
    value.then(then).catch(fail);
    return;
  }
  try {
    then(value);
  } catch (error) {
    fail(error);
  }
}
