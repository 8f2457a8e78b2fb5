/**
 * The phase in which a request was refused. Decides the HTTP status:
 * `request` → 400, `credentials`/`token` → 401, `authorization` → 403, `keys` → 503 (the key
 * set cannot be used: failing, or misconfigured — the client is not told which), `server` → 500
 * (a route parameter the route lacks; see `MisconfigurationError`), `decision` → 503 (the policy
 * decision point could not be asked).
 */
export type AuthPhase =
  | 'request'
  | 'credentials'
  | 'token'
  | 'keys'
  | 'authorization'
  | 'server'
  // 503: the policy decision point (AuthZEN) could not be asked; fails closed
  | 'decision';

/** The OAuth 2.0 bearer-token error code (RFC 6750 §3.1) sent in the challenge, if any. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * Stable, machine-readable reason for a refusal. The union only grows; a code's meaning never
 * changes. Use it for logs, metrics and tests — never parse `message`.
 */
export type AuthErrorCode =
  // request phase (400 invalid_request)
  | 'malformed_credentials'
  | 'multiple_tokens'
  // credentials phase (401, bare challenge)
  | 'missing_token'
  | 'unauthenticated'
  // token phase (401 invalid_token)
  | 'token_too_large'
  | 'token_malformed'
  | 'token_unsupported'
  | 'algorithm_not_allowed'
  | 'unknown_issuer'
  | 'no_matching_key'
  | 'invalid_signature'
  | 'invalid_token_type'
  | 'audience_mismatch'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issued_in_future'
  | 'token_too_old'
  | 'lifetime_too_long'
  | 'missing_claim'
  | 'invalid_claim'
  | 'token_revoked'
  | 'token_rejected'
  // keys phase (503): the key server failing, or a key set misconfigured on the server side (a
  // discovery document naming another issuer, no usable key): the client cannot tell and is not
  // told; the reason is the refusal's `cause` (`code` `discovery_issuer_mismatch` or
  // `key_set_unusable`), logged once and thrown by `warmup()` as a ConfigurationError
  | 'keys_unavailable'
  // authorization phase (403 insufficient_scope)
  | 'insufficient_scope'
  | 'missing_role'
  | 'organization_required'
  // a token bound to an organization on a requirement for global (API-wide) roles
  | 'organization_bound_token'
  | 'organization_mismatch'
  | 'claim_mismatch'
  | 'policy_denied'
  // the policy decision point (AuthZEN) answered "deny"
  | 'permission_denied'
  // server phase (500, no challenge): the server is misconfigured, not the client wrong
  | 'route_param_missing'
  // decision phase (503): the policy decision point is unreachable, slow, failing or malformed
  | 'pdp_unavailable';

/** Options accepted by every {@link AuthError} constructor. */
export interface AuthErrorOptions {
  /** The underlying error (a jose error, a fetch failure, ...). Kept for logs, never rendered. */
  cause?: unknown;
  /** Scopes the request lacks; rendered as the challenge's `scope` attribute on a 403. */
  scopes?: readonly string[];
  /** Seconds a client should wait before retrying (503 only). */
  retryAfter?: number;
}

/**
 * Base class of every refusal tokenward produces. Carries the phase, a stable `code`, the HTTP
 * status and the RFC 6750 error code. The `message` is safe to show: it never contains the token,
 * key material, URLs or any value taken from the request.
 */
export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  /** Stable reason, see {@link AuthErrorCode}. */
  readonly code: AuthErrorCode;
  /** The phase that refused the request. */
  readonly phase: AuthPhase;
  /** HTTP status to answer with. */
  readonly status: number;
  /** RFC 6750 error code for the challenge; `undefined` for a bare challenge (no credentials) and 503. */
  readonly bearerError: BearerErrorCode | undefined;
  /** Missing scopes, for a 403's `scope` attribute. Empty when not applicable. */
  readonly scopes: readonly string[];
  /** Seconds to wait before retrying; only on 503. */
  readonly retryAfter: number | undefined;

  constructor(
    phase: AuthPhase,
    code: AuthErrorCode,
    message: string,
    options: AuthErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.phase = phase;
    this.code = code;
    this.status = statusOf(phase);
    this.bearerError = bearerErrorOf(phase);
    this.scopes = options.scopes ?? [];
    this.retryAfter =
      phase === 'keys' || phase === 'decision' ? delaySeconds(options.retryAfter) : undefined;
  }
}

/** Longest Retry-After rendered, in seconds (one day): a longer wait means "not soon". */
const MAX_RETRY_AFTER = 86_400;

/** RFC 9110 delay-seconds: a whole number ≥ 0; anything else (NaN, negative, ∞) falls back to 30. */
function delaySeconds(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) return 30;
  return Math.min(Math.ceil(value), MAX_RETRY_AFTER);
}

function statusOf(phase: AuthPhase): number {
  switch (phase) {
    case 'request':
      return 400;
    case 'credentials':
    case 'token':
      return 401;
    case 'authorization':
      return 403;
    case 'keys':
    case 'decision':
      return 503;
    case 'server':
      return 500;
  }
}

function bearerErrorOf(phase: AuthPhase): BearerErrorCode | undefined {
  switch (phase) {
    case 'request':
      return 'invalid_request';
    case 'token':
      return 'invalid_token';
    case 'authorization':
      return 'insufficient_scope';
    default:
      return undefined;
  }
}

/** 400 `invalid_request`: the request carrying the credentials is malformed. */
export class InvalidRequestError extends AuthError {
  override readonly name = 'InvalidRequestError';
  constructor(code: AuthErrorCode, message: string, options?: AuthErrorOptions) {
    super('request', code, message, options);
  }
}

/** 401 with a bare `Bearer` challenge: the request carries no bearer token. */
export class MissingTokenError extends AuthError {
  override readonly name = 'MissingTokenError';
  constructor(message = 'A bearer token is required') {
    super('credentials', 'missing_token', message);
  }
}

/** 401 `invalid_token`: the token is malformed, expired, not for this API, or not genuine. */
export class InvalidTokenError extends AuthError {
  override readonly name = 'InvalidTokenError';
  constructor(code: AuthErrorCode, message: string, options?: AuthErrorOptions) {
    super('token', code, message, options);
  }
}

/** 403 `insufficient_scope`: authenticated, but not allowed. */
export class InsufficientScopeError extends AuthError {
  override readonly name = 'InsufficientScopeError';
  constructor(code: AuthErrorCode, message: string, options?: AuthErrorOptions) {
    super('authorization', code, message, options);
  }
}

/** 503: no usable verification key could be obtained (key server down, no cached key). */
export class KeySetUnavailableError extends AuthError {
  override readonly name = 'KeySetUnavailableError';
  constructor(message: string, options?: AuthErrorOptions) {
    super('keys', 'keys_unavailable', message, options);
  }
}

/**
 * 401 (bare challenge): an authorization guard ran but no identity was established first
 * (`requireAuth` missing, or optional auth let an anonymous request through). Fails closed.
 */
export class UnauthenticatedError extends AuthError {
  override readonly name = 'UnauthenticatedError';
  constructor(message = 'Authentication is required') {
    super('credentials', 'unauthenticated', message);
  }
}

/** True when `value` is an {@link AuthError}. */
export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
