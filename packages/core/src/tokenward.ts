import type {
  Requirement,
  RequirementContext,
  RequirementResult,
} from './authorize/requirement.js';
import { extractToken } from './bearer/extract-token.js';
import type { TokenRequest } from './bearer/token-request.js';
import {
  AuthError,
  InsufficientScopeError,
  MissingTokenError,
  UnauthenticatedError,
} from './errors/auth-error.js';
import { type HttpResponse, renderError } from './http/render-error.js';
import type { KeySourceStatus } from './keys/key-source.js';
import type { DecisionEvent, TokenwardOptions } from './options.js';
import { reviewRefusal } from './report/review-refusal.js';
import type { AuthContext } from './verify/auth-context.js';
import { coreOptions } from './verify/core-options.js';
import { Verifier } from './verify/verifier.js';
import { warmIssuer } from './verify/warm-issuer.js';

/** The result of a step: allowed with the identity, or denied with the rendered response. */
export type Outcome<T = AuthContext> =
  | { readonly ok: true; readonly auth: T }
  | { readonly ok: false; readonly error: AuthError; readonly response: HttpResponse };

/** Options of {@link Tokenward.authenticate}. */
export interface AuthenticateOptions {
  /**
   * Let requests without any token through as anonymous (`auth: undefined`). A token that is
   * present but invalid is still refused. Default `false`.
   */
  optional?: boolean;
}

/** How an adapter creates the core: the second argument of {@link createTokenward}. */
export interface CoreSettings {
  /**
   * Names of the options the adapter reads itself from the same options object (e.g.
   * `delegateErrors`): accepted and ignored by the core, and suggested for misspelled names.
   * Every other unknown name throws a `ConfigurationError`. Default: none.
   */
  adapterOptions?: readonly string[];
}

/**
 * The core of tokenward: one instance per app (or group of routes), created once. Adapters call
 * {@link authenticate} (step 1, 401/400/503) and {@link authorize} (step 2, 403) and write the
 * rendered response on denial; they never inspect tokens, keys or errors themselves.
 */
export class Tokenward {
  readonly #verifier: Verifier;
  readonly #observe: ((event: DecisionEvent) => void) | undefined;
  /** What every requirement this instance evaluates learns from its configuration. */
  readonly #requirementContext: RequirementContext;

  /**
   * @throws {ConfigurationError} when an option is invalid or unknown (never per request).
   */
  constructor(options: TokenwardOptions, settings: CoreSettings = {}) {
    this.#verifier = new Verifier(coreOptions(options, settings.adapterOptions ?? []));
    this.#observe = this.#verifier.options.onDecision;
    const template = this.#verifier.options.context.organizationRoleScopes;
    this.#requirementContext = Object.freeze({
      organizationRoles: template === undefined ? undefined : new Set(template.keys()),
    });
  }

  /**
   * Step 1 — authentication: extract the bearer token, verify it, and build the AuthContext.
   * Never throws; a refusal comes back as `{ ok: false, error, response }`.
   */
  authenticate(request: TokenRequest, options?: { optional?: false }): Promise<Outcome>;
  authenticate(
    request: TokenRequest,
    options: AuthenticateOptions,
  ): Promise<Outcome<AuthContext | undefined>>;
  async authenticate(
    request: TokenRequest,
    options: AuthenticateOptions = {},
  ): Promise<Outcome<AuthContext | undefined>> {
    return this.authenticateNow(request, options);
  }

  /**
   * {@link authenticate}, answering synchronously when it can: a refusal found while reading the
   * request, a token already verified (on this connection, or in the cache), or — on Node, with
   * the issuer's keys held — a new token, verified with synchronous node:crypto; never when a
   * `validate` or `isRevoked` hook must run. Otherwise a promise. Adapters use it to keep the hot path free of
   * promise hops.
   */
  authenticateNow(
    request: TokenRequest,
    options: AuthenticateOptions = {},
  ): Outcome<AuthContext | undefined> | Promise<Outcome<AuthContext | undefined>> {
    const verifier = this.#verifier;
    const resolved = verifier.options;
    const value = request.authorization;
    const connection = request.connection;
    if (
      typeof value === 'string' &&
      connection !== undefined &&
      !resolved.query &&
      !resolved.body
    ) {
      // The exact header this connection sent last time, for a token still valid: no parsing.
      const known = verifier.knownHeader(value, connection);
      if (known !== undefined) return this.#authenticated(known);
    }
    let token: string;
    try {
      token = extractToken(request, resolved);
    } catch (error) {
      return this.#refuseAuthentication(error, options);
    }
    const known = verifier.known(token, connection);
    if (typeof known === 'object') return this.#authenticated(known);
    // A new token whose key is at hand: verified synchronously on Node (no promise per request).
    let now: AuthContext | undefined;
    try {
      now = verifier.verifyNow(token, connection, known);
    } catch (error) {
      return this.#refuseAuthentication(error, options);
    }
    if (now !== undefined) return this.#authenticated(now);
    return verifier.verify(token, connection, known).then(
      (auth) => this.#authenticated(auth),
      (error: unknown) => this.#refuseAuthentication(error, options),
    );
  }

  #authenticated(auth: AuthContext): Outcome {
    if (this.#observe !== undefined) {
      this.#emit({ outcome: 'allowed', step: 'authenticate', status: 200, ...identity(auth) });
    }
    return { ok: true, auth };
  }

  #refuseAuthentication(
    error: unknown,
    options: AuthenticateOptions,
  ): Outcome<AuthContext | undefined> {
    const refusal = toAuthError(error);
    reviewRefusal(refusal, this.#verifier.options);
    if (options.optional === true && refusal instanceof MissingTokenError) {
      return { ok: true, auth: undefined };
    }
    return this.#deny('authenticate', refusal, undefined);
  }

  /**
   * Step 2 — authorization: evaluate a requirement against an identity and the request. Without an
   * identity it fails closed (401). Never throws.
   */
  async authorize(
    requirement: Requirement,
    auth: AuthContext | undefined,
    request?: TokenRequest,
  ): Promise<Outcome> {
    return this.authorizeNow(requirement, auth, request);
  }

  /** {@link authorize}, answering synchronously when the requirement does (no async policy). */
  authorizeNow(
    requirement: Requirement,
    auth: AuthContext | undefined,
    request?: TokenRequest,
  ): Outcome | Promise<Outcome> {
    if (auth === undefined) {
      return this.#deny('authorize', new UnauthenticatedError(), requirement);
    }
    let result: RequirementResult | PromiseLike<RequirementResult>;
    try {
      result = requirement.check(auth, request, this.#requirementContext);
    } catch (cause) {
      result = policyDenied(cause);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (settled) => this.#authorized(settled, requirement, auth),
        (cause: unknown) => this.#authorized(policyDenied(cause), requirement, auth),
      );
    }
    return this.#authorized(result as RequirementResult, requirement, auth);
  }

  #authorized(result: RequirementResult, requirement: Requirement, auth: AuthContext): Outcome {
    if (result !== undefined) {
      // A custom requirement returning anything but undefined or an AuthError fails closed.
      const refusal = result instanceof AuthError ? result : policyDenied(result);
      reviewRefusal(refusal, this.#verifier.options);
      return this.#deny('authorize', refusal, requirement, auth);
    }
    if (this.#observe !== undefined) {
      this.#emit({
        outcome: 'allowed',
        step: 'authorize',
        status: 200,
        requirement: requirement.description,
        ...identity(auth),
      });
    }
    return { ok: true, auth };
  }

  /** Number of verified tokens held in the cache (0 when the cache is off). */
  get cachedTokens(): number {
    return this.#verifier.cachedTokens;
  }

  /** Whether form-body tokens are enabled (adapters parse the body only then). */
  get acceptsBodyTokens(): boolean {
    return this.#verifier.options.body;
  }

  /** Verify a bare token (e.g. from a WebSocket handshake). Rejects with an {@link AuthError}. */
  verify(token: string): Promise<AuthContext> {
    return this.#verifier.verify(token).catch((error: unknown) => {
      const refusal = toAuthError(error);
      reviewRefusal(refusal, this.#verifier.options);
      throw refusal;
    });
  }

  /** Render a refusal as the HTTP response every adapter sends. */
  render(error: AuthError): HttpResponse {
    return renderError(error, { realm: this.#verifier.options.realm });
  }

  /**
   * Fetch and import every issuer's keys now: call it at startup, before serving. Rejects with a
   * {@link ConfigurationError} naming the option and both values when the configuration is
   * certainly wrong — the discovery document names another issuer, the key set has no usable key,
   * or none of its keys fits the allowed algorithms — and with the key-set error (503 material)
   * when the key server is unreachable.
   */
  async warmup(): Promise<void> {
    await Promise.all([...this.#verifier.options.issuers.values()].map(warmIssuer));
  }

  /** Drop cached remote keys, discovery results and verified tokens, and fetch keys again. */
  reload(): Promise<void> {
    return this.#verifier.reload();
  }

  /** Health of each issuer's key set, keyed by issuer, for readiness probes. */
  status(): Record<string, KeySourceStatus> {
    return this.#verifier.status();
  }

  #deny(
    step: DecisionEvent['step'],
    error: AuthError,
    requirement: Requirement | undefined,
    auth?: AuthContext,
  ): Outcome<never> {
    const response = this.render(error);
    this.#emit({
      outcome: 'denied',
      step,
      status: error.status,
      phase: error.phase,
      code: error.code,
      error,
      ...(requirement ? { requirement: requirement.description } : {}),
      ...(auth ? identity(auth) : {}),
    });
    return { ok: false, error, response };
  }

  #emit(event: DecisionEvent): void {
    if (this.#observe === undefined) return;
    try {
      this.#observe(event);
    } catch {
      // An observer must never change a decision.
    }
  }
}

function identity(auth: AuthContext) {
  const out: { subject?: string; clientId?: string; issuer: string; organizationId?: string } = {
    issuer: auth.issuer,
  };
  if (auth.subject !== undefined) out.subject = auth.subject;
  if (auth.clientId !== undefined) out.clientId = auth.clientId;
  if (auth.organizationId !== undefined) out.organizationId = auth.organizationId;
  return out;
}

function isThenable(value: unknown): value is PromiseLike<RequirementResult> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function policyDenied(cause: unknown): InsufficientScopeError {
  return new InsufficientScopeError('policy_denied', 'The request is not allowed', { cause });
}

function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  return new AuthError('token', 'token_rejected', 'The token could not be verified', {
    cause: error,
  });
}

/**
 * Create the tokenward core for one app or group of routes. Validates every option and builds the
 * key sources now; throws a {@link ConfigurationError} naming the option when something is wrong.
 */
export function createTokenward(options: TokenwardOptions, settings?: CoreSettings): Tokenward {
  return new Tokenward(options, settings);
}
