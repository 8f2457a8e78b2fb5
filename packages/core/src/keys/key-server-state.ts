import type { KeyFetchError } from './fetch-json.js';

/** The timings of a {@link KeyServerState}, in milliseconds (see `KeySetOptions`). */
export interface KeyServerTimings {
  readonly cooldown: number;
  readonly failureBackoff: number;
  readonly maxFailureBackoff: number;
}

/**
 * What a remote key set knows about its key server, and so when it may ask it again:
 *
 * - **healthy** — the last attempt succeeded (or none was made). A routine refresh happens when
 *   the keys reach their age. A token whose `kid` is not held may be a rotation: it causes one
 *   refetch, and the next refetch for an unknown `kid` only `cooldown` later (counted from when
 *   the last one started; requests arriving while a fetch is in flight join it for free). A
 *   successful refresh that still lacks the `kid` — or an unknown `kid` within the cooldown — is a
 *   401 (`no_matching_key`): the server answered and has no such key.
 * - **failing** — the last attempt failed. The next attempt is allowed at `retryAt`, the failure
 *   time plus a backoff that doubles per consecutive failure (`failureBackoff` up to
 *   `maxFailureBackoff`); until then nothing is fetched. A request that needs the server (no
 *   usable key, or an unknown `kid`, which may be a key we could not fetch) is a 503 whose
 *   `Retry-After` is the time left until `retryAt`, rounded up to whole seconds, at least 1. At or
 *   after `retryAt` the next such request makes that attempt (the cooldown does not apply: the
 *   backoff already bounds the load on a failing server).
 * - A successful attempt makes it healthy at once (failures forgotten); a failed one makes it
 *   failing, from whichever state.
 */
export class KeyServerState {
  readonly #timings: KeyServerTimings;
  /** Consecutive failed attempts (0 when healthy). */
  #failures = 0;
  /** The next attempt is allowed at this time (ms). */
  #retryAt = Number.NEGATIVE_INFINITY;
  /** The last failure, while failing. */
  #lastError: KeyFetchError | undefined;
  /** When the last refetch caused by an unknown kid started (the cooldown counts from there). */
  #lastUnknownKidRefetch = Number.NEGATIVE_INFINITY;

  constructor(timings: KeyServerTimings) {
    this.#timings = timings;
  }

  /** The failure that makes the key server failing, or `undefined` while it is healthy. */
  get lastError(): KeyFetchError | undefined {
    return this.#lastError;
  }

  /** Whether an attempt may be made at `now` (not within the backoff of a failure). */
  mayAttempt(now: number): boolean {
    return now >= this.#retryAt;
  }

  /**
   * Whether a token with an unknown `kid` should ask the key server: always while it is failing
   * (the backoff then decides between a 503 and an attempt), and while it is healthy when a fetch
   * is in flight (`joining`) or the cooldown since the last unknown-kid refetch is over.
   */
  mayAskForUnknownKid(now: number, joining: boolean): boolean {
    return (
      this.#lastError !== undefined ||
      joining ||
      now - this.#lastUnknownKidRefetch >= this.#timings.cooldown
    );
  }

  /** An unknown kid starts a fetch at `now`: the cooldown counts from here. */
  unknownKidRefetch(now: number): void {
    this.#lastUnknownKidRefetch = now;
  }

  /** An attempt succeeded: healthy. */
  succeeded(): void {
    this.#failures = 0;
    this.#retryAt = Number.NEGATIVE_INFINITY;
    this.#lastError = undefined;
  }

  /** An attempt failed at `now`: failing, the next attempt allowed after the backoff. */
  failed(error: KeyFetchError, now: number): void {
    this.#failures++;
    const backoff = Math.min(
      this.#timings.failureBackoff * 2 ** (this.#failures - 1),
      this.#timings.maxFailureBackoff,
    );
    this.#retryAt = now + backoff;
    this.#lastError = error;
  }

  /** Allow an attempt now, whatever the backoff (an explicit reload). */
  allowAttempt(): void {
    this.#retryAt = Number.NEGATIVE_INFINITY;
  }

  /** `Retry-After` at `now`: whole seconds until the next allowed attempt, rounded up, at least 1. */
  retryAfter(now: number): number {
    return Math.max(1, Math.ceil((this.#retryAt - now) / 1000));
  }
}
