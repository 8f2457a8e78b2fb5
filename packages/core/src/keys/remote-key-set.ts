import type { SignatureCheck } from '../crypto/signature-check.js';
import { KeySetUnavailableError } from '../errors/auth-error.js';
import { type FetchLimits, fetchJson, KeyFetchError, untilAborted } from './fetch-json.js';
import { selectKey, toVerificationKey, type VerificationKey } from './jwk-selection.js';
import { KeyServerState } from './key-server-state.js';
import { unusableKeySet } from './key-set-misconfiguration.js';
import type { KeyMatch, KeyQuery, KeySource, KeySourceStatus } from './key-source.js';
import { checkOrReject, noMatchingKey } from './local-key-set.js';

/** Something that happened to a remote key set, for logs and alerts. */
export interface KeySetEvent {
  /** `refreshed`: new keys fetched; `refresh_failed`: a fetch failed; `serving_stale`: keys past their age are used because refreshes fail. */
  readonly type: 'refreshed' | 'refresh_failed' | 'serving_stale';
  /** The issuer this key set belongs to. */
  readonly issuer: string;
  /** Number of usable keys held after the event. */
  readonly keys: number;
  /** The failure, for `refresh_failed` (safe message; the cause is kept on the error). */
  readonly error?: Error;
}

/** Finds the JWKS URL: a constant, or discovery. `reset` forgets a discovered URL. */
export interface JwksLocator {
  locate(limits: FetchLimits): Promise<string>;
  reset?(): void;
}

/** Resolved options of a {@link RemoteKeySet} (see `KeySetOptions` for units and defaults). */
export interface RemoteKeySetConfig extends FetchLimits {
  readonly issuer: string;
  readonly maxKeys: number;
  readonly cacheMaxAge: number;
  readonly cooldown: number;
  readonly maxStale: number;
  readonly failureBackoff: number;
  readonly maxFailureBackoff: number;
  readonly now: () => number;
  readonly onEvent: ((event: KeySetEvent) => void) | undefined;
}

/** Why a refresh is made: it decides whether stale keys may answer and the cooldown starts. */
type RefreshCause = 'routine' | 'unknown-kid' | 'reload';

/**
 * Keys fetched from a JWKS endpoint (given, or found by discovery), cached and shared by every
 * request. One fetch at a time; an unknown `kid` triggers at most one refetch per cooldown while
 * the key server is healthy; failures back off, and while failing an unknown `kid` is a 503 until
 * the next allowed attempt (see {@link KeyServerState}); keys keep verifying for `maxStale` past
 * their age while refreshes fail.
 */
export class RemoteKeySet implements KeySource {
  readonly #config: RemoteKeySetConfig;
  readonly #locator: JwksLocator;
  readonly #server: KeyServerState;
  #keys: readonly VerificationKey[] = [];
  #fetchedAt: number | undefined;
  #inflight: Promise<void> | undefined;
  #servingStale = false;
  #generation = 0;

  /** @param locator resolves the JWKS URL (constant, or by discovery); asked on each refresh. */
  constructor(locator: JwksLocator, config: RemoteKeySetConfig) {
    this.#locator = locator;
    this.#config = config;
    this.#server = new KeyServerState(config);
  }

  async getKey(query: KeyQuery): Promise<KeyMatch> {
    let now = this.#config.now();
    if (this.#fetchedAt === undefined || now - this.#fetchedAt >= this.#config.cacheMaxAge) {
      await this.#refreshOrServeStale(now, 'routine');
      now = this.#config.now();
    }
    let lookup = selectKey(this.#keys, query.alg, query.kid);
    if (
      lookup.found === undefined &&
      !lookup.ambiguous &&
      this.#server.mayAskForUnknownKid(now, this.#inflight !== undefined)
    ) {
      // Unknown kid: the issuer may have rotated. Healthy: at most one refetch per cooldown,
      // counted from the last refetch an unknown kid caused (a routine refresh does not delay a
      // rotation). Failing: a 503 until the next allowed attempt, then that attempt.
      await this.#refreshOrServeStale(now, 'unknown-kid');
      lookup = selectKey(this.#keys, query.alg, query.kid);
    }
    // The key server answered (now or within the cooldown) and has no such key: 401.
    if (lookup.found === undefined) throw noMatchingKey(lookup.ambiguous, query.kid);
    // Read with the key, before any await: the generation of the set the key was found in.
    const generation = this.#generation;
    return { check: await checkOrReject(lookup.found, query.alg), generation };
  }

  keyNow(query: KeyQuery): SignatureCheck | undefined {
    const fetchedAt = this.#fetchedAt;
    if (fetchedAt === undefined || this.#config.now() - fetchedAt >= this.#config.cacheMaxAge) {
      return undefined;
    }
    return selectKey(this.#keys, query.alg, query.kid).found?.checkNow(query.alg);
  }

  async warmup(): Promise<void> {
    await this.#refreshOrServeStale(this.#config.now(), 'routine');
  }

  async reload(): Promise<void> {
    this.#server.allowAttempt();
    this.#locator.reset?.();
    await this.#refreshOrServeStale(this.#config.now(), 'reload');
  }

  status(): KeySourceStatus {
    const now = this.#config.now();
    const age = this.#fetchedAt === undefined ? undefined : now - this.#fetchedAt;
    const lastError = this.#server.lastError;
    let state: KeySourceStatus['state'];
    if (age === undefined) state = lastError === undefined ? 'empty' : 'failing';
    else if (age < this.#config.cacheMaxAge) state = 'fresh';
    else if (lastError === undefined) state = 'expired';
    else if (this.#usable(now)) state = 'stale';
    else state = 'failing';
    return {
      state,
      keys: this.#keys.length,
      fetchedAt: this.#fetchedAt,
      lastError: lastError?.message,
    };
  }

  /** The keys of the last successful fetch, or undefined before one (for warmup's checks). */
  heldKeys(): readonly VerificationKey[] | undefined {
    return this.#fetchedAt === undefined ? undefined : this.#keys;
  }

  generation(): number {
    return this.#generation;
  }

  trustedUntil(): number {
    if (this.#fetchedAt === undefined) return Number.NEGATIVE_INFINITY;
    return this.#fetchedAt + this.#config.cacheMaxAge + this.#config.maxStale;
  }

  /** Keys are usable while younger than cacheMaxAge + maxStale. */
  #usable(now: number): boolean {
    return (
      this.#fetchedAt !== undefined &&
      this.#keys.length > 0 &&
      now - this.#fetchedAt < this.#config.cacheMaxAge + this.#config.maxStale
    );
  }

  async #refreshOrServeStale(now: number, cause: RefreshCause): Promise<void> {
    try {
      await this.#refresh(now, cause);
    } catch (error) {
      if (cause === 'routine' && this.#usable(now)) {
        if (!this.#servingStale) {
          this.#servingStale = true;
          this.#emit('serving_stale');
        }
        return;
      }
      throw this.#unavailable(error);
    }
  }

  /** The 503, its `Retry-After` counted at the time of the answer (not of the request). */
  #unavailable(cause: unknown): KeySetUnavailableError {
    return new KeySetUnavailableError('The token signing keys are unavailable', {
      cause,
      retryAfter: this.#server.retryAfter(this.#config.now()),
    });
  }

  /**
   * One fetch at a time; during backoff after a failure, fail without fetching. A request joining
   * a fetch another request started never depends on that request staying alive: on Cloudflare
   * Workers a promise created by a request that has ended can never settle in another (workerd
   * rejects the await, or on older compatibility dates never settles it), so a joiner waits at
   * most `timeout` + 1 s, treats anything but the fetch's own failure as abandonment, forgets the
   * abandoned fetch and joins or starts a new one.
   */
  async #refresh(now: number, cause: RefreshCause): Promise<void> {
    for (let current = this.#inflight; current !== undefined; current = this.#inflight) {
      try {
        return await untilAborted(current, AbortSignal.timeout(this.#config.timeout + 1000));
      } catch (error) {
        if (error instanceof KeyFetchError) throw error;
      }
      if (this.#inflight === current) this.#inflight = undefined;
    }
    if (!this.#server.mayAttempt(now)) throw this.#server.lastError;
    if (cause === 'unknown-kid') this.#server.unknownKidRefetch(now);
    const run = this.#fetchKeys().then(
      (keys) => {
        // A key held before and not held now (removed, or other material or algorithm under its
        // kid) ends every verification cached with this key set.
        const held = new Set(keys.map((k) => k.id));
        if (this.#keys.some((k) => !held.has(k.id))) this.#generation++;
        this.#keys = keys;
        this.#fetchedAt = this.#config.now();
        this.#server.succeeded();
        this.#servingStale = false;
        this.#emit('refreshed');
      },
      (error: unknown) => {
        const failure =
          error instanceof KeyFetchError
            ? error
            : new KeyFetchError('the key set could not be loaded', { cause: error });
        this.#server.failed(failure, this.#config.now());
        this.#emit('refresh_failed', failure);
        throw failure;
      },
    );
    const settled: Promise<void> = run.finally(() => {
      if (this.#inflight === settled) this.#inflight = undefined;
    });
    this.#inflight = settled;
    return settled;
  }

  async #fetchKeys(): Promise<VerificationKey[]> {
    const url = await this.#locator.locate(this.#config);
    const document = await fetchJson(url, this.#config);
    const list =
      document !== null && typeof document === 'object' && !Array.isArray(document)
        ? (document as { keys?: unknown }).keys
        : undefined;
    if (!Array.isArray(list)) throw new KeyFetchError('the key server did not return a JWKS');
    if (list.length > this.#config.maxKeys) {
      throw new KeyFetchError('the key set has more keys than allowed');
    }
    const keys: VerificationKey[] = [];
    for (const entry of list) {
      const key = toVerificationKey(entry);
      if (key !== undefined) keys.push(key);
    }
    if (keys.length === 0) throw unusableKeySet(this.#config.issuer, url, list.length);
    return keys;
  }

  #emit(type: KeySetEvent['type'], error?: Error): void {
    const listener = this.#config.onEvent;
    if (listener === undefined) return;
    try {
      listener({
        type,
        issuer: this.#config.issuer,
        keys: this.#keys.length,
        ...(error ? { error } : {}),
      });
    } catch {
      // A throwing listener must not break verification.
    }
  }
}
