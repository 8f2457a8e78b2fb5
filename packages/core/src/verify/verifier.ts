import { nodeCrypto } from '../crypto/node-crypto.js';
import { AuthError, InvalidTokenError } from '../errors/auth-error.js';
import type { KeySourceStatus } from '../keys/key-source.js';
import type { TokenwardOptions } from '../options.js';
import type { AuthContext } from './auth-context.js';
import { buildAuthContext } from './build-auth-context.js';
import { type ParsedToken, parseToken } from './parse-token.js';
import type { ResolvedIssuer } from './resolve-issuer.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import { type CachedToken, TokenCache, usable } from './token-cache.js';
import { validateClaims } from './validate-claims.js';

/** Signature checks are synchronous only with node:crypto (WebCrypto's are promises). */
const SYNC_CHECKS = nodeCrypto !== undefined;

/** A parsed token with its issuer picked by exact `iss`. */
type Parsed = ParsedToken & { readonly iss: string; readonly issuer: ResolvedIssuer };

function invalidSignature(): InvalidTokenError {
  return new InvalidTokenError('invalid_signature', 'The token signature is invalid');
}

/** `Bearer ` at the start of a header value, any case. */
const BEARER = /^bearer /i;

/**
 * Verifies access tokens for a fixed set of trusted issuers. Options are validated and key sources
 * built once, in the constructor; `verify` does no per-call setup.
 */
export class Verifier {
  /** The validated options. */
  readonly options: ResolvedOptions;
  readonly #cache: TokenCache | undefined;
  /** Whether a validate or isRevoked hook must run for every request (no synchronous answers). */
  readonly #hooks: boolean;
  /** The last token verified on each connection (a socket), for the keep-alive fast path. */
  readonly #connections = new WeakMap<object, { token: string; entry: CachedToken }>();

  /** @throws {ConfigurationError} when an option is invalid. */
  constructor(options: TokenwardOptions) {
    this.options = resolveOptions(options);
    this.#hooks = this.options.validate !== undefined || this.options.isRevoked !== undefined;
    const cache = this.options.cache;
    this.#cache =
      cache === undefined
        ? undefined
        : new TokenCache(cache.maxEntries, cache.maxAge, this.options.now);
  }

  /**
   * Verify a token and return its {@link AuthContext}. Rejects with an {@link AuthError}: 401
   * `invalid_token` for any token problem, 503 when keys are unavailable. `connection` (e.g. the
   * request's socket) lets a token sent again on the same connection skip even the cache lookup;
   * `cacheKey` is the token's cache key when {@link known} already computed it.
   */
  async verify(token: string, connection?: object, cacheKey?: string): Promise<AuthContext> {
    try {
      return await this.#verify(token, connection, cacheKey);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new InvalidTokenError('token_rejected', 'The token could not be verified', {
        cause: error,
      });
    }
  }

  /**
   * The identity of a token already verified, found synchronously — on this connection, or in
   * the cache when its key can be computed synchronously — and usable as is (no `validate` or
   * `isRevoked` hook to run). Otherwise the token's cache key if it was computed, or `undefined`.
   */
  known(token: string, connection: object | undefined): AuthContext | string | undefined {
    const cache = this.#cache;
    if (cache === undefined || this.#hooks || token.length > this.options.maxTokenLength) {
      return undefined;
    }
    if (connection !== undefined) {
      const memo = this.#connections.get(connection);
      if (memo !== undefined && memo.token === token && usable(memo.entry, this.options.now())) {
        return memo.entry.auth;
      }
    }
    const key = cache.key(token);
    if (typeof key !== 'string') return undefined;
    const hit = cache.get(key);
    if (hit === undefined) return key;
    if (connection !== undefined) this.#connections.set(connection, { token, entry: hit });
    return hit.auth;
  }

  /**
   * {@link known} for the exact `Authorization` value this connection sent last time (the
   * previous one passed the full grammar, so an identical string needs no parsing).
   */
  knownHeader(value: string, connection: object): AuthContext | undefined {
    if (this.#cache === undefined || this.#hooks) return undefined;
    const memo = this.#connections.get(connection);
    if (memo === undefined) return undefined;
    const token = memo.token;
    if (value.length !== token.length + 7 || !value.endsWith(token) || !BEARER.test(value)) {
      return undefined;
    }
    return usable(memo.entry, this.options.now()) ? memo.entry.auth : undefined;
  }

  async #verify(
    token: string,
    connection: object | undefined,
    knownKey: string | undefined,
  ): Promise<AuthContext> {
    const options = this.options;
    if (token.length > options.maxTokenLength) {
      throw new InvalidTokenError('token_too_large', 'The token is too large');
    }
    const cache = this.#cache;
    let cacheKey: string | undefined;
    if (cache !== undefined) {
      // The same token again on the same connection: no hash, no lookup.
      const memo = connection === undefined ? undefined : this.#connections.get(connection);
      if (memo !== undefined && memo.token === token && usable(memo.entry, options.now())) {
        return this.#hit(memo.entry);
      }
      const key = knownKey ?? cache.key(token);
      cacheKey = typeof key === 'string' ? key : await key;
      const hit = cache.get(cacheKey);
      if (hit !== undefined) {
        if (connection !== undefined) this.#connections.set(connection, { token, entry: hit });
        return this.#hit(hit);
      }
    }
    const parsed = this.#parse(token);
    const { issuer, header } = parsed;
    // The key and the generation of the key set it came from, read together by the key source.
    const { check, generation: keyGeneration } = await issuer.keys.getKey({
      alg: header.alg,
      kid: header.kid,
    });
    if (!(await check(parsed.signingInput, parsed.signature))) throw invalidSignature();
    const auth = this.#accept(parsed);
    if (options.validate !== undefined) await this.#runValidator(auth);
    if (options.isRevoked !== undefined) await this.#checkRevoked(auth);
    if (cacheKey !== undefined)
      this.#store(cacheKey, parsed, auth, keyGeneration, token, connection);
    return auth;
  }

  /**
   * {@link verify} done synchronously, for a token {@link known} did not find (`cacheKey` is what
   * it returned): when no hook must run, the key is held and imported, and the signature check is
   * synchronous (node:crypto). Returns the identity, throws the {@link AuthError} `verify` would
   * reject with, or returns `undefined` when it cannot answer without waiting — then `verify`.
   */
  verifyNow(
    token: string,
    connection: object | undefined,
    cacheKey: string | undefined,
  ): AuthContext | undefined {
    if (!SYNC_CHECKS || this.#hooks || (this.#cache !== undefined && cacheKey === undefined)) {
      return undefined;
    }
    try {
      if (token.length > this.options.maxTokenLength) {
        throw new InvalidTokenError('token_too_large', 'The token is too large');
      }
      const parsed = this.#parse(token);
      const { issuer, header } = parsed;
      const check = issuer.keys.keyNow?.({ alg: header.alg, kid: header.kid });
      if (check === undefined) return undefined;
      const keyGeneration = issuer.keys.generation();
      const genuine = check(parsed.signingInput, parsed.signature);
      if (typeof genuine !== 'boolean') {
        // Not expected with node:crypto; let verify() check again rather than leak a promise.
        genuine.catch(() => {});
        return undefined;
      }
      if (!genuine) throw invalidSignature();
      const auth = this.#accept(parsed);
      if (cacheKey !== undefined) {
        this.#store(cacheKey, parsed, auth, keyGeneration, token, connection);
      }
      return auth;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new InvalidTokenError('token_rejected', 'The token could not be verified', {
        cause: error,
      });
    }
  }

  /** Parse a token and pick its issuer by exact `iss`, before any key is looked at. */
  #parse(token: string): Parsed {
    const parsed = parseToken(token);
    const { header, payload } = parsed;
    const iss = Object.hasOwn(payload, 'iss') ? payload.iss : undefined;
    if (iss === undefined) throw new InvalidTokenError('missing_claim', 'The token has no issuer');
    if (typeof iss !== 'string') {
      throw new InvalidTokenError('invalid_claim', 'The iss claim must be a string');
    }
    // The issuer is picked by exact match before any key is fetched: an unknown iss costs nothing.
    const issuer = this.options.issuers.get(iss);
    if (issuer === undefined) {
      this.options.unknownIssuer(iss);
      throw new InvalidTokenError('unknown_issuer', 'The token issuer is not trusted');
    }
    if (!issuer.algorithms.has(header.alg)) {
      throw new InvalidTokenError('algorithm_not_allowed', 'The token algorithm is not allowed');
    }
    return {
      header,
      payload,
      signingInput: parsed.signingInput,
      signature: parsed.signature,
      iss,
      issuer,
    };
  }

  /** The claim checks and the identity of a token whose signature verified. */
  #accept(parsed: Parsed): AuthContext {
    const { header, payload, iss, issuer } = parsed;
    const options = this.options;
    const audience = validateClaims(
      header,
      payload,
      issuer.audience,
      options.claims,
      Math.floor(options.now() / 1000),
    );
    return buildAuthContext(header, payload, iss, audience, options.context);
  }

  /** Keep a verified token in the cache, and as this connection's last token. */
  #store(
    cacheKey: string,
    parsed: Parsed,
    auth: AuthContext,
    keyGeneration: number,
    token: string,
    connection: object | undefined,
  ): void {
    const cache = this.#cache;
    if (cache === undefined) return;
    const entry = cache.set(
      cacheKey,
      { auth, keys: parsed.issuer.keys, keyGeneration },
      this.#validUntil(parsed.payload),
    );
    if (connection !== undefined) this.#connections.set(connection, { token, entry });
  }

  /**
   * Until when (ms) the token's own claims keep passing: `exp` (the clock tolerance is not
   * borrowed), and with `maxTokenAge`, the last second its `iat` is young enough. `nbf` and `iat`
   * only move from failing to passing, and they passed already.
   */
  #validUntil(payload: Record<string, unknown>): number {
    const { maxTokenAge, clockTolerance } = this.options.claims;
    let until = (payload.exp as number) * 1000;
    if (maxTokenAge !== undefined) {
      const iat = payload.iat as number;
      until = Math.min(until, (Math.floor(iat + clockTolerance + maxTokenAge) + 1) * 1000);
    }
    return until;
  }

  /**
   * A cached token skips parsing, the signature and the claim checks (still valid until the
   * entry's `expiresAt`), but `validate` and `isRevoked` run again.
   */
  async #hit(entry: CachedToken): Promise<AuthContext> {
    const options = this.options;
    if (options.validate !== undefined) await this.#runValidator(entry.auth);
    if (options.isRevoked !== undefined) await this.#checkRevoked(entry.auth);
    return entry.auth;
  }

  async #runValidator(auth: AuthContext): Promise<void> {
    let accepted: boolean | undefined;
    try {
      accepted = await (this.options.validate as NonNullable<TokenwardOptions['validate']>)(
        auth.claims,
        { header: auth.header, issuer: auth.issuer },
      );
    } catch (cause) {
      throw new InvalidTokenError('token_rejected', 'The token was rejected', { cause });
    }
    if (accepted === false) throw new InvalidTokenError('token_rejected', 'The token was rejected');
  }

  async #checkRevoked(auth: AuthContext): Promise<void> {
    let revoked: boolean;
    try {
      revoked = await (this.options.isRevoked as NonNullable<TokenwardOptions['isRevoked']>)(auth);
    } catch (cause) {
      throw new InvalidTokenError('token_rejected', 'The token could not be checked', { cause });
    }
    if (revoked) throw new InvalidTokenError('token_revoked', 'The token has been revoked');
  }

  /** Fetch and import every issuer's keys now. Rejects if any key set cannot be loaded. */
  async warmup(): Promise<void> {
    await Promise.all([...this.options.issuers.values()].map((i) => i.keys.warmup()));
  }

  /** Number of verified tokens held in the cache (0 when the cache is off). */
  get cachedTokens(): number {
    return this.#cache?.size ?? 0;
  }

  /** Drop cached remote keys (and discovery results) and verified tokens, and fetch keys again. */
  async reload(): Promise<void> {
    this.#cache?.clear();
    await Promise.all([...this.options.issuers.values()].map((i) => i.keys.reload()));
  }

  /** Health of each issuer's key set, keyed by issuer. */
  status(): Record<string, KeySourceStatus> {
    return Object.fromEntries(
      [...this.options.issuers].map(([iss, issuer]) => [iss, issuer.keys.status()]),
    );
  }
}
