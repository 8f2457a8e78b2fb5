/**
 * A bounded map of decisions keyed by a hash of the full evaluation input, each kept for at most
 * `ttl` milliseconds; the oldest entry is dropped when full. Never holds a token.
 */
export class DecisionCache {
  readonly #entries = new Map<string, { decision: boolean; expires: number }>();
  readonly #ttl: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(ttl: number, max: number, now: () => number = Date.now) {
    this.#ttl = ttl;
    this.#max = max;
    this.#now = now;
  }

  get(key: string): boolean | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.decision;
  }

  set(key: string, decision: boolean): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { decision, expires: this.#now() + this.#ttl });
  }

  get size(): number {
    return this.#entries.size;
  }
}
