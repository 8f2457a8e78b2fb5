/**
 * A shallow copy of `record` without the members whose value is `undefined`.
 *
 * @internal
 */
export function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}
