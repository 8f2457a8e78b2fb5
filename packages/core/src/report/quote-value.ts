/** Longest value quoted in a report, in characters. */
const MAX_QUOTED = 200;

/**
 * A value for a log message: JSON-quoted (control characters escaped, so a value cannot forge a
 * log line) and cut to 200 characters.
 */
export function quoteValue(value: unknown): string {
  if (typeof value !== 'string') return String(JSON.stringify(value) ?? value).slice(0, MAX_QUOTED);
  const text = value;
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return JSON.stringify(cut).replace(
    /[\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
}
