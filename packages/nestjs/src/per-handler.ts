import type { ExecutionContext, Type } from '@nestjs/common';

/** The value kept for a controller class and handler, computed on the first request. */
export function perHandler<T>(
  cache: WeakMap<object, Map<object, T>>,
  context: ExecutionContext,
  compute: (cls: Type, handler: ReturnType<ExecutionContext['getHandler']>) => T,
): T {
  const cls = context.getClass();
  const handler = context.getHandler();
  let perClass = cache.get(cls);
  if (perClass === undefined) {
    perClass = new Map();
    cache.set(cls, perClass);
  }
  if (perClass.has(handler)) return perClass.get(handler) as T;
  const value = compute(cls, handler);
  perClass.set(handler, value);
  return value;
}
