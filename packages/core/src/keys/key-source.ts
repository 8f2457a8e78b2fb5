import type { SignatureCheck } from '../crypto/signature-check.js';
import type { VerificationKey } from './jwk-selection.js';

/** What a key source is asked for: the token's verified-to-be-well-formed header members. */
export interface KeyQuery {
  /** The token's `alg`, already checked against the issuer's allowlist. */
  readonly alg: string;
  /** The token's `kid`, if any. */
  readonly kid: string | undefined;
}

/**
 * The key found for a token, and the generation of the key set it was found in — read together,
 * with no await in between, so a rotation landing while the key is imported (or while the caller
 * awaits it) can never tag a verification with a generation the key does not belong to.
 */
export interface KeyMatch {
  /** The signature check of the key. */
  readonly check: SignatureCheck;
  /** {@link KeySource.generation} when the key was picked from the key set. */
  readonly generation: number;
}

/** Health of a key source, for readiness probes. */
export interface KeySourceStatus {
  /**
   * `fresh`: keys within their cache age (a failed refetch for an unknown kid shows in
   * `lastError`); `expired`: past their age, refreshed on the next request; `stale`: past their
   * age and served because refreshes fail (within `maxStale`); `failing`: no usable key; `empty`:
   * nothing fetched yet; `static`: local keys or a secret.
   */
  readonly state: 'fresh' | 'expired' | 'stale' | 'failing' | 'empty' | 'static';
  /** Number of keys held. */
  readonly keys: number;
  /** When keys were last fetched successfully, ms since epoch. */
  readonly fetchedAt: number | undefined;
  /** Last refresh failure (a safe message, no URLs), if the last attempt failed. */
  readonly lastError: string | undefined;
}

/**
 * Where an issuer's verification keys come from. Created once per issuer when the verifier is
 * created; keys are imported once and reused.
 */
export interface KeySource {
  /**
   * The signature check of the key to verify a token with, and the key set's generation it was
   * found in. Rejects with an {@link InvalidTokenError} (`no_matching_key`) when no published key
   * fits, or a {@link KeySetUnavailableError} (503) when the keys cannot be obtained.
   */
  getKey(query: KeyQuery): Promise<KeyMatch>;
  /**
   * The same check synchronously, when finding it needs no I/O and the key is imported already
   * (keys fresh, kid known); `undefined` otherwise, and then {@link getKey} decides (refresh,
   * errors). Optional: without it every verification goes through {@link getKey}.
   */
  keyNow?(query: KeyQuery): SignatureCheck | undefined;
  /**
   * The public keys held now (`undefined` before a remote set's first fetch), to tell whether any
   * fits the allowed algorithms. Optional.
   */
  heldKeys?(): readonly VerificationKey[] | undefined;
  /** Fetch (if remote) and import keys now, so the first request does not wait. */
  warmup(): Promise<void>;
  /** Drop cached remote keys and metadata and fetch again. */
  reload(): Promise<void>;
  /** Current health. */
  status(): KeySourceStatus;
  /**
   * Until when (ms since the epoch) the keys held now may verify tokens without a successful
   * refresh: remote keys' age limit plus the stale window; `Infinity` for local keys. A cached
   * verification never outlives it.
   */
  trustedUntil(): number;
  /**
   * A number that changes whenever a key held before is no longer held as it was (removed by a
   * refresh or `reload()`, or published again with other material or another algorithm under the
   * same `kid`), so verifications cached with it are not reused. The synchronous {@link keyNow}
   * path reads it right after the key; the asynchronous one gets it from {@link getKey}.
   */
  generation(): number;
}
