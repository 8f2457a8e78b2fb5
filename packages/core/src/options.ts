import type { JWK } from 'jose';
import type { TokenLocations } from './bearer/extract-token.js';
import type { TokenRequest } from './bearer/token-request.js';
import type { AuthError, AuthErrorCode, AuthPhase } from './errors/auth-error.js';
import type { KeySetEvent } from './keys/remote-key-set.js';
import type { TokenwardLogger } from './report/tokenward-logger.js';
import type { AuthContext } from './verify/auth-context.js';

/** One trusted issuer: who signs the tokens, with which keys, and for which audience. */
export interface IssuerOptions {
  /**
   * Issuer identifier; compared exactly (no normalization) with the token's `iss` and with the
   * `issuer` of the discovery document. Required. A token whose `iss` differs only by a trailing
   * slash, case or scheme is still refused, and reported once through `logger`.
   */
  issuer: string;
  /**
   * The audience(s) this API accepts — its resource indicator(s) (RFC 8707), e.g.
   * `https://api.reports.example`. A token passes when its `aud` (string or array) contains at
   * least one. Required.
   */
  audience: string | readonly string[];
  /**
   * URL of the issuer's JWKS. When none of `jwksUri`, `jwks` and `secret` is given, the JWKS URL
   * is discovered from the issuer (OpenID Connect discovery, then RFC 8414) on first use or
   * `warmup()`. Must be https (http only on loopback hosts or with `allowHttp`).
   */
  jwksUri?: string;
  /** Local public keys: a JWKS (`{ keys: [...] }`) or an array of public JWKs. */
  jwks?: { keys: readonly JWK[] } | readonly JWK[];
  /**
   * A shared HMAC secret (HS256/HS384/HS512), at least 32 bytes. Cannot be combined with
   * `jwksUri` or `jwks`: a public key can never be used as an HMAC secret.
   */
  secret?: string | Uint8Array;
  /**
   * Allowed signature algorithms. Default: `RS256, RS384, RS512, PS256, PS384, PS512, ES256,
   * ES384, ES512, EdDSA, Ed25519` for key sets; `HS256, HS384, HS512` for a secret. Each is tied to
   * the key type it needs; `none` is never accepted.
   */
  algorithms?: readonly string[];
  /**
   * Accept organization tokens whose `aud` is `urn:logto:organization:<id>` (Logto's organization
   * tokens) besides `audience`. Default `false`.
   */
  organizationTokens?: boolean;
}

/** Options of a remote key set (JWKS fetched over HTTP). */
export interface KeySetOptions {
  /** Abort a key-server request after this many milliseconds. Default 5000. */
  timeout?: number;
  /** Keys are refetched after this many milliseconds. Default 600000 (10 minutes). */
  cacheMaxAge?: number;
  /**
   * Minimum milliseconds between refetches caused by an unknown `kid` while the key server is
   * healthy (while it fails, the backoff spaces attempts instead). Default 30000.
   */
  cooldown?: number;
  /**
   * How long, in milliseconds past `cacheMaxAge`, known keys keep verifying while refreshes fail.
   * `0` fails closed (503) as soon as the keys are too old. Default 3600000 (1 hour).
   */
  maxStale?: number;
  /**
   * First wait after a failed fetch before the next attempt, in ms; doubles per consecutive
   * failure. A 503's `Retry-After` is the time left of it. Default 1000.
   */
  failureBackoff?: number;
  /** Longest wait between failed attempts, in ms. Default 30000. */
  maxFailureBackoff?: number;
  /** Largest accepted key-server response, in bytes. Default 524288 (512 KiB). */
  maxResponseBytes?: number;
  /** Most keys accepted in one key set. Default 100. */
  maxKeys?: number;
}

/** Names of the claims the AuthContext is read from. */
export interface ClaimNames {
  /**
   * Claims holding permissions (scopes): a space-delimited string or an array of strings.
   * Default `['scope', 'scp', 'permissions']`.
   */
  scopes?: readonly string[];
  /** Claim holding roles (array of strings or space-delimited string). Default `'roles'`. */
  roles?: string;
  /** Claim binding the token to an organization. Default `'organization_id'`. */
  organization?: string;
  /** Claims naming the client, first present wins. Default `['client_id', 'azp']`. */
  clientId?: readonly string[];
}

/**
 * Role → permissions maps, for issuers that put roles rather than permissions in tokens. One map
 * for global roles and one applied to every organization (like an organization template).
 */
export interface RbacOptions {
  /**
   * Permissions granted by each global role (applied to tokens not bound to an organization; a
   * bound token's roles are organization roles and never gain these).
   */
  roles?: Readonly<Record<string, readonly string[]>>;
  /**
   * The organization template: permissions granted by each organization role (applied to
   * organization-bound tokens only; an unbound token gains nothing from it). When set, its keys
   * are the organization roles that exist: `orgRoles()` / `anyOrgRole()` are satisfied only by
   * roles it defines, even if the token's roles claim names others. Default: none (the roles
   * claim of a bound token is taken as is, and grants no permission).
   */
  organizationRoles?: Readonly<Record<string, readonly string[]>>;
}

/** Every decision tokenward makes, for logs, metrics and audit trails. Never carries the token. */
export interface DecisionEvent {
  /** Whether the step let the request through. */
  readonly outcome: 'allowed' | 'denied';
  /** `authenticate` (requireAuth) or `authorize` (a requirement). */
  readonly step: 'authenticate' | 'authorize';
  /** HTTP status the refusal renders to; 200 when allowed. */
  readonly status: number;
  /** Refusal phase, when denied. */
  readonly phase?: AuthPhase;
  /** Stable refusal code, when denied. */
  readonly code?: AuthErrorCode;
  /**
   * The refusal, with its `cause` (e.g. the jose error), when denied. On a `keys_unavailable`
   * caused by configuration, `cause.code` is `discovery_issuer_mismatch` or `key_set_unusable`.
   */
  readonly error?: AuthError;
  /** Token subject, when known. */
  readonly subject?: string;
  /** Token client id, when known. */
  readonly clientId?: string;
  /** Token issuer, when verified. */
  readonly issuer?: string;
  /** Organization the token is bound to, when any. */
  readonly organizationId?: string;
  /** What was required (authorize step), e.g. `scope read:report`. */
  readonly requirement?: string;
}

/** Context passed to a custom token validator. */
export interface ValidateContext {
  /** The verified token's protected header. */
  readonly header: Readonly<Record<string, unknown>>;
  /** The issuer entry that verified the token. */
  readonly issuer: string;
}

/** Options of {@link createTokenward}: one trusted issuer inline, or several in `issuers`. */
export interface TokenwardOptions extends Partial<IssuerOptions> {
  /**
   * Several trusted issuers (multi-tenant). The token's `iss` picks the entry before any key is
   * fetched; an unknown `iss` is a 401 and nothing is fetched. Exclusive with the inline
   * `issuer`/`audience`/key options.
   */
  issuers?: readonly IssuerOptions[];
  /** Accepted clock skew for `exp`, `nbf` and `iat`, in seconds. Default 5, at most 300. */
  clockTolerance?: number;
  /** Reject tokens whose `iat` is older than this many seconds (requires `iat`). Default: off. */
  maxTokenAge?: number;
  /** Reject tokens whose lifetime (`exp` − `iat`, or `exp` − now) exceeds this many seconds. Default: off. */
  maxTokenLifetime?: number;
  /** Longest accepted token, in characters; checked before decoding. Default 8192. */
  maxTokenLength?: number;
  /**
   * `typ` policy. `'default'`: `at+jwt`/`application/at+jwt` (any case) and `JWT` accepted, no
   * `typ` accepted, any other `typ` rejected, and ID-token-shaped tokens (`nonce`, `at_hash` or
   * `c_hash` without `at+jwt`) rejected. `'rfc9068'`: `at+jwt` required, and the
   * RFC 9068 claims `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti` required. Default `'default'`.
   */
  tokenType?: 'default' | 'rfc9068';
  /** Claims that must be present (any value). Default none (beyond `iss`, `aud`, `exp`). */
  requiredClaims?: readonly string[];
  /**
   * Custom validation after signature and standard claims pass. Return `false` or throw to
   * reject with 401 `invalid_token` (`token_rejected`). May be async.
   */
  validate?: (
    claims: Readonly<Record<string, unknown>>,
    context: ValidateContext,
  ) => boolean | undefined | Promise<boolean | undefined>;
  /**
   * Revocation check, run only after the signature and all claims passed. Return `true` to reject
   * with 401 `invalid_token` (`token_revoked`). May be async.
   */
  isRevoked?: (auth: AuthContext) => boolean | Promise<boolean>;
  /** Claim names read into the AuthContext. */
  claims?: ClaimNames;
  /** Role → permission resolution. Default: off. */
  rbac?: RbacOptions;
  /** Where else a token may be sent besides the Authorization header. Default: header only. */
  tokenLocations?: TokenLocations;
  /** Remote key set behaviour (timeouts, caching, stale keys). */
  keySet?: KeySetOptions;
  /** Allow plain http key-server URLs on non-loopback hosts. Default `false`. */
  allowHttp?: boolean;
  /** `fetch` used for discovery and JWKS (e.g. a mock, or one with a proxy). Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** `realm` of every `WWW-Authenticate` challenge. Default: none. */
  realm?: string;
  /**
   * The URL clients use to reach this API: scheme, host, port and an optional path prefix a
   * reverse proxy strips, e.g. `https://api.example.com` (no query, no fragment; a trailing slash
   * is dropped). The source of the RFC 9728 metadata URLs and of the DPoP `htu` comparison.
   * The `Host` and forwarding headers are never trusted instead of it. Default: none.
   */
  publicUrl?: string;
  /** Receives every decision. Errors thrown by it are ignored. */
  onDecision?: (event: DecisionEvent) => void;
  /** Receives key set refreshes, failures and stale-key use. Errors thrown by it are ignored. */
  onKeySetEvent?: (event: KeySetEvent) => void;
  /** Clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Verified-token cache: a token seen again skips parsing and the signature check (its time
   * rules, `validate` and `isRevoked` still run). Keyed by the SHA-256 of the token, entries
   * expire no later than `exp`. `false` turns it off. Default on: `{ maxEntries: 1000, maxAge:
   * 300000 }` (at most 1000 tokens — about 1–3 MB for typical access tokens — each kept at most
   * 5 minutes, and never longer than `keySet.cacheMaxAge`).
   */
  cache?: boolean | TokenCacheOptions;
  /**
   * Where configuration problems noticed while serving are reported, each distinct one once: a
   * token `iss` or `aud` that differs from the configured one only by a trailing slash, case or
   * scheme (`warn`), verified tokens whose audience never matches (`warn`), a key set with no key
   * for the allowed algorithms (`warn`), a discovery document naming another issuer or a key set
   * with no usable key (`error`, answered 503 like a key server outage), a guard reading a route
   * parameter the route lacks (`error`, answered 500). Messages carry the values that disagree,
   * never a token. `false` silences them.
   * Default: `console.warn` / `console.error`.
   */
  logger?: TokenwardLogger | false;
}

/** Options of the verified-token cache. */
export interface TokenCacheOptions {
  /** Most tokens held; the least recently used goes first. Default 1000. */
  maxEntries?: number;
  /** Longest a token stays cached, in ms, even if it lives longer. Default 300000 (5 minutes). */
  maxAge?: number;
}

/** A custom policy: allow (`true`) or deny (`false`) an authenticated request. May be async. */
export type PolicyFunction<Raw = unknown> = (
  auth: AuthContext,
  request: TokenRequest<Raw> | undefined,
) => boolean | Promise<boolean>;
