import type { AuthContext } from './auth-context.js';
import type { TokenHeader } from './parse-token.js';

/** What a verified token left in the cache: enough to re-check its time rules without crypto. */
export interface CachedToken {
  readonly auth: AuthContext;
  readonly header: TokenHeader;
  readonly payload: Record<string, unknown>;
  /** The issuer key source's generation when the token was verified (see `KeySource.generation`). */
  readonly keyGeneration: number;
  /** Entry is dropped at this time (ms): `exp`, or earlier (`maxAge`, the key's trust window). */
  readonly expiresAt: number;
}

const encoder = new TextEncoder();

/**
 * A bounded LRU of verified tokens, keyed by the SHA-256 of the exact token string (never the
 * token itself, which stays out of memory). Entries expire no later than the token's `exp`. Only
 * tokens whose signature and claims verified are stored; a lookup returns the entry for the same
 * token bytes or nothing.
 */
export class TokenCache {
  readonly #entries = new Map<string, CachedToken>();
  readonly #maxEntries: number;
  readonly #maxAge: number;
  readonly #now: () => number;

  /**
   * @param maxEntries most tokens held; the least recently used is dropped first.
   * @param maxAge longest an entry lives, in ms, even if its token lives longer.
   */
  constructor(maxEntries: number, maxAge: number, now: () => number) {
    this.#maxEntries = maxEntries;
    this.#maxAge = maxAge;
    this.#now = now;
  }

  /** Number of tokens held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cache key of a token: base64 of its SHA-256. */
  async key(token: string): Promise<string> {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token)));
    let binary = '';
    for (let i = 0; i < digest.length; i++) binary += String.fromCharCode(digest[i] as number);
    return btoa(binary);
  }

  /** The entry for a key, if present and not expired (and mark it recently used). */
  get(key: string): CachedToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  /**
   * Store a verified token; `exp` is in seconds, `keysTrustedUntil` (ms) is when the key that
   * verified it stops being trusted without a refresh. The entry expires at the earliest of the
   * three (and `maxAge`).
   */
  set(
    key: string,
    entry: Omit<CachedToken, 'expiresAt'>,
    exp: number,
    keysTrustedUntil: number,
  ): void {
    const expiresAt = Math.min(exp * 1000, this.#now() + this.#maxAge, keysTrustedUntil);
    if (expiresAt <= this.#now()) return;
    this.#entries.delete(key);
    this.#entries.set(key, { ...entry, expiresAt });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Drop everything (e.g. after keys were reloaded). */
  clear(): void {
    this.#entries.clear();
  }
}
