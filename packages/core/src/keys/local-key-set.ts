import type { SignatureCheck } from '../crypto/signature-check.js';
import { InvalidTokenError } from '../errors/auth-error.js';
import { selectKey, type VerificationKey } from './jwk-selection.js';
import type { KeyMatch, KeyQuery, KeySource, KeySourceStatus } from './key-source.js';

/** A key source over keys given in the options (validated at creation; imported once). */
export class LocalKeySet implements KeySource {
  readonly #keys: readonly VerificationKey[];

  constructor(keys: readonly VerificationKey[]) {
    this.#keys = keys;
  }

  async getKey(query: KeyQuery): Promise<KeyMatch> {
    const lookup = selectKey(this.#keys, query.alg, query.kid);
    if (lookup.found === undefined) throw noMatchingKey(lookup.ambiguous, query.kid);
    return { check: await checkOrReject(lookup.found, query.alg), generation: 0 };
  }

  keyNow(query: KeyQuery): SignatureCheck | undefined {
    return selectKey(this.#keys, query.alg, query.kid).found?.checkNow(query.alg);
  }

  async warmup(): Promise<void> {
    // Import every key for every algorithm it names; keys without `alg` import on first use.
    await Promise.all(
      this.#keys.filter((k) => k.alg !== undefined).map((k) => k.check(k.alg as string)),
    );
  }

  async reload(): Promise<void> {}

  heldKeys(): readonly VerificationKey[] {
    return this.#keys;
  }

  generation(): number {
    return 0;
  }

  trustedUntil(): number {
    return Number.POSITIVE_INFINITY;
  }

  status(): KeySourceStatus {
    return { state: 'static', keys: this.#keys.length, fetchedAt: undefined, lastError: undefined };
  }
}

/** The 401 for a token no known key fits. */
export function noMatchingKey(ambiguous: boolean, kid?: string): InvalidTokenError {
  if (!ambiguous) return new InvalidTokenError('no_matching_key', 'No known key matches the token');
  return new InvalidTokenError(
    'no_matching_key',
    kid === undefined
      ? 'The token does not name its key (kid) and several keys could verify it'
      : 'Several published keys share the token key id (kid)',
  );
}

/** A key's signature check, turning an import failure (a malformed published key) into a 401. */
export async function checkOrReject(key: VerificationKey, alg: string): Promise<SignatureCheck> {
  try {
    return await key.check(alg);
  } catch (cause) {
    throw new InvalidTokenError('no_matching_key', 'The matching key is not usable', { cause });
  }
}
