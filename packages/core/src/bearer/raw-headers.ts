/**
 * Every `Authorization` value from a Node-style `rawHeaders` list (`[name, value, name, value,
 * ...]`). Node keeps only the first `Authorization` in `req.headers`, so adapters on Node read the
 * raw list to see a second one (which is a 400). Returns a string for the common single header.
 */
export function authorizationFromRawHeaders(
  rawHeaders: readonly string[],
): string | readonly string[] | undefined {
  let first: string | undefined;
  let all: string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    const value = rawHeaders[i + 1] as string;
    if (first === undefined) {
      first = value;
    } else {
      all ??= [first];
      all.push(value);
    }
  }
  return all ?? first;
}

/**
 * The `Authorization` lines of a Node request as the guard should see them: from `rawHeaders`
 * (every line, so a repeated one is refused), unless `current` — the request's
 * `headers.authorization` now — no longer equals the first line: then a middleware before the
 * guard set, replaced or removed it (e.g. a session cookie turned into a bearer header), and its
 * value counts.
 */
export function authorizationFromNode(
  rawHeaders: readonly string[],
  current: string | readonly string[] | undefined,
): string | readonly string[] | undefined {
  const lines = authorizationFromRawHeaders(rawHeaders);
  const first = typeof lines === 'object' ? lines[0] : lines;
  return current === first ? lines : current;
}
