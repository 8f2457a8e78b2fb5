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
