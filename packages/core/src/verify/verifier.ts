import { AuthError, InvalidTokenError } from '../errors/auth-error.js';
import type { KeySourceStatus } from '../keys/key-source.js';
import type { TokenwardOptions } from '../options.js';
import type { AuthContext } from './auth-context.js';
import { buildAuthContext } from './build-auth-context.js';
import { parseToken } from './parse-token.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import { type CachedToken, TokenCache } from './token-cache.js';
import { validateClaims } from './validate-claims.js';
import { verifySignature } from './verify-signature.js';

/**
 * Verifies access tokens for a fixed set of trusted issuers. Options are validated and key sources
 * built once, in the constructor; `verify` does no per-call setup.
 */
export class Verifier {
  /** The validated options. */
  readonly options: ResolvedOptions;
  readonly #algorithms: ReadonlyMap<string, readonly string[]>;
  readonly #cache: TokenCache | undefined;

  /** @throws {ConfigurationError} when an option is invalid. */
  constructor(options: TokenwardOptions) {
    this.options = resolveOptions(options);
    this.#algorithms = new Map(
      [...this.options.issuers.values()].map((i) => [i.issuer, [...i.algorithms]]),
    );
    const cache = this.options.cache;
    this.#cache =
      cache === undefined
        ? undefined
        : new TokenCache(cache.maxEntries, cache.maxAge, this.options.now);
  }

  /**
   * Verify a token and return its {@link AuthContext}. Rejects with an {@link AuthError}: 401
   * `invalid_token` for any token problem, 503 when keys are unavailable.
   */
  async verify(token: string): Promise<AuthContext> {
    try {
      return await this.#verify(token);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new InvalidTokenError('token_rejected', 'The token could not be verified', {
        cause: error,
      });
    }
  }

  async #verify(token: string): Promise<AuthContext> {
    const options = this.options;
    if (token.length > options.maxTokenLength) {
      throw new InvalidTokenError('token_too_large', 'The token is too large');
    }
    const cache = this.#cache;
    let cacheKey: string | undefined;
    if (cache !== undefined) {
      cacheKey = await cache.key(token);
      const hit = cache.get(cacheKey);
      // A hit counts only while every key held when it was verified is still held.
      if (
        hit !== undefined &&
        hit.keyGeneration === options.issuers.get(hit.auth.issuer)?.keys.generation()
      ) {
        return this.#revalidate(hit);
      }
    }
    const { header, payload } = parseToken(token);
    const iss = Object.hasOwn(payload, 'iss') ? payload.iss : undefined;
    if (iss === undefined) throw new InvalidTokenError('missing_claim', 'The token has no issuer');
    if (typeof iss !== 'string') {
      throw new InvalidTokenError('invalid_claim', 'The iss claim must be a string');
    }
    // The issuer is picked by exact match before any key is fetched: an unknown iss costs nothing.
    const issuer = options.issuers.get(iss);
    if (issuer === undefined) {
      throw new InvalidTokenError('unknown_issuer', 'The token issuer is not trusted');
    }
    if (!issuer.algorithms.has(header.alg)) {
      throw new InvalidTokenError('algorithm_not_allowed', 'The token algorithm is not allowed');
    }
    const key = await issuer.keys.getKey({ alg: header.alg, kid: header.kid });
    await verifySignature(token, key, this.#algorithms.get(iss) as readonly string[]);
    const audience = validateClaims(
      header,
      payload,
      issuer.audience,
      options.claims,
      Math.floor(options.now() / 1000),
    );
    const auth = buildAuthContext(header, payload, iss, audience, options.context);
    if (options.validate !== undefined) await this.#runValidator(auth);
    if (options.isRevoked !== undefined) await this.#checkRevoked(auth);
    if (cache !== undefined && cacheKey !== undefined) {
      cache.set(
        cacheKey,
        { auth, header, payload, keyGeneration: issuer.keys.generation() },
        auth.expiresAt,
        issuer.keys.trustedUntil(),
      );
    }
    return auth;
  }

  /**
   * A cached token skips parsing and the signature, but its time rules (`exp`, `nbf`, `iat`,
   * `maxTokenAge`) are checked again at the current time, and `validate` and `isRevoked` run again.
   */
  async #revalidate(hit: CachedToken): Promise<AuthContext> {
    const options = this.options;
    const issuer = options.issuers.get(hit.auth.issuer);
    if (issuer === undefined)
      throw new InvalidTokenError('unknown_issuer', 'The token issuer is not trusted');
    validateClaims(
      hit.header,
      hit.payload,
      issuer.audience,
      options.claims,
      Math.floor(options.now() / 1000),
    );
    if (options.validate !== undefined) await this.#runValidator(hit.auth);
    if (options.isRevoked !== undefined) await this.#checkRevoked(hit.auth);
    return hit.auth;
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
