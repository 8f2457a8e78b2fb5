/** Longest value compared loosely; anything longer is no near miss (bounded work per request). */
const MAX_LENGTH = 2048;

/**
 * The loose form of an identifier (issuer, audience): lower case, without an `http://` or
 * `https://` scheme and without trailing slashes. Two values with the same loose form differ only
 * by case, scheme or a trailing slash — the usual copy-paste mistakes.
 */
export function looseForm(value: string): string {
  return value
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
}

/**
 * Finds the configured value a received one almost equals. Used only on refusal paths, to tell
 * an operator which option is probably wrong; it never lets anything through.
 */
export class NearMiss {
  readonly #byLooseForm = new Map<string, string>();

  constructor(configured: Iterable<string>) {
    for (const value of configured) {
      const loose = looseForm(value);
      if (!this.#byLooseForm.has(loose)) this.#byLooseForm.set(loose, value);
    }
  }

  /** The configured value `received` differs from only by case, scheme or trailing slash. */
  find(received: string): string | undefined {
    if (received.length > MAX_LENGTH) return undefined;
    const configured = this.#byLooseForm.get(looseForm(received));
    return configured === received ? undefined : configured;
  }
}
