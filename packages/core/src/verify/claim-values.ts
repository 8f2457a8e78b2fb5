/** Read a claim that may be a space-delimited string or an array of strings; other shapes give []. */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value))
    return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

/** Read an own claim (never from the prototype chain). */
export function ownClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/** An own string claim, or `undefined`. */
export function stringClaim(
  claims: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const value = ownClaim(claims, name);
  return typeof value === 'string' ? value : undefined;
}
