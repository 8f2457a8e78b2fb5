import { sha256 } from '../crypto/sha256.js';
import type { KeySource } from '../keys/key-source.js';
import type { AuthContext } from './auth-context.js';

/** A verified token in the cache. */
export interface CachedToken {
  readonly auth: AuthContext;
  /** The key source that verified it, and its generation then (see `KeySource.generation`). */
  readonly keys: KeySource;
  readonly keyGeneration: number;
  /**
   * The entry is used only before this time (ms): the earliest of `exp`, the moment a time rule
   * (`maxTokenAge`) would refuse the token, the cache's `maxAge`, and the end of the key's trust
   * window. Within it every claim check would give the same answer, so a hit needs none.
   */
  readonly expiresAt: number;
}

/**
 * A bounded LRU of verified tokens, keyed by the SHA-256 of the exact token string (never the
 * token itself, which stays out of memory). Only tokens whose signature and claims verified are
 * stored; a lookup returns the entry for the same token bytes or nothing.
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

  /** The cache key of a token: base64 of its SHA-256 (synchronous on Node). */
  key(token: string): string | Promise<string> {
    return sha256(token);
  }

  /** The entry for a key if present and still usable (and mark it recently used). */
  get(key: string): CachedToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (!usable(entry, this.#now())) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  /**
   * Store a verified token. `validUntil` (ms) is when its own claims stop holding (`exp`,
   * `maxTokenAge`); the entry also ends with `maxAge` and the key's trust window.
   */
  set(key: string, entry: Omit<CachedToken, 'expiresAt'>, validUntil: number): CachedToken {
    const now = this.#now();
    const expiresAt = Math.min(validUntil, now + this.#maxAge, entry.keys.trustedUntil());
    const cached: CachedToken = { ...entry, expiresAt };
    if (expiresAt <= now) return cached;
    this.#entries.delete(key);
    this.#entries.set(key, cached);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return cached;
  }

  /** Drop everything (e.g. after keys were reloaded). */
  clear(): void {
    this.#entries.clear();
  }
}

/** Whether a cached verification may be reused now: unexpired, and no key it relied on removed. */
export function usable(entry: CachedToken, now: number): boolean {
  return entry.expiresAt > now && entry.keyGeneration === entry.keys.generation();
}
