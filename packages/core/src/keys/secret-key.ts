import { secretKeyCheck } from '../crypto/secret-key-check.js';
import type { SignatureCheck } from '../crypto/signature-check.js';
import type { KeyQuery, KeySource, KeySourceStatus } from './key-source.js';

/** A key source for a shared HMAC secret (HS256/384/512 only; never mixed with key sets). */
export class SecretKey implements KeySource {
  readonly #secret: Uint8Array;
  readonly #checks = new Map<string, Promise<SignatureCheck>>();
  readonly #ready = new Map<string, SignatureCheck>();

  constructor(secret: Uint8Array) {
    this.#secret = secret;
  }

  getKey(query: KeyQuery): Promise<SignatureCheck> {
    let check = this.#checks.get(query.alg);
    if (check === undefined) {
      check = secretKeyCheck(this.#secret, query.alg);
      this.#checks.set(query.alg, check);
      const alg = query.alg;
      check.then(
        (ready) => this.#ready.set(alg, ready),
        () => this.#checks.delete(alg),
      );
    }
    return check;
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
