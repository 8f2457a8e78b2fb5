import { secretKeyCheck } from '../crypto/secret-key-check.js';
import type { SignatureCheck } from '../crypto/signature-check.js';
import type { KeyMatch, KeyQuery, KeySource, KeySourceStatus } from './key-source.js';

/** A key source for a shared HMAC secret (HS256/384/512 only; never mixed with key sets). */
export class SecretKey implements KeySource {
  readonly #secret: Uint8Array;
  readonly #checks = new Map<string, Promise<KeyMatch>>();
  readonly #ready = new Map<string, SignatureCheck>();

  constructor(secret: Uint8Array) {
    this.#secret = secret;
  }

  getKey(query: KeyQuery): Promise<KeyMatch> {
    let match = this.#checks.get(query.alg);
    if (match === undefined) {
      const alg = query.alg;
      match = secretKeyCheck(this.#secret, alg).then((check) => {
        this.#ready.set(alg, check);
        return { check, generation: 0 };
      });
      this.#checks.set(alg, match);
      match.catch(() => this.#checks.delete(alg));
    }
    return match;
  }

  keyNow(query: KeyQuery): SignatureCheck | undefined {
    return this.#ready.get(query.alg);
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
