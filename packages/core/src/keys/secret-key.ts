import type { KeyQuery, KeySource, KeySourceStatus } from './key-source.js';

/** A key source for a shared HMAC secret (HS256/384/512 only; never mixed with key sets). */
export class SecretKey implements KeySource {
  readonly #secret: Uint8Array;

  constructor(secret: Uint8Array) {
    this.#secret = secret;
  }

  async getKey(_query: KeyQuery): Promise<Uint8Array> {
    return this.#secret;
  }

  async warmup(): Promise<void> {}

  async reload(): Promise<void> {}

  generation(): number {
    return 0;
  }

  trustedUntil(): number {
    return Number.POSITIVE_INFINITY;
  }

  status(): KeySourceStatus {
    return { state: 'static', keys: 1, fetchedAt: undefined, lastError: undefined };
  }
}
