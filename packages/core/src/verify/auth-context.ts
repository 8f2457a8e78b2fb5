import type { JWTHeaderParameters, JWTPayload } from 'jose';

/**
 * The claims of a verified token. Extend it with your issuer's custom claims through declaration
 * merging:
 *
 * ```ts
 * declare module '@tokenward/core' {
 *   interface TokenClaims { tenant_tier?: 'free' | 'pro' }
 * }
 * ```
 */
export interface TokenClaims extends JWTPayload {
  /** OAuth 2.0 client the token was issued to (RFC 9068). */
  client_id?: string;
  /** Space-delimited scopes (RFC 9068 / RFC 8693). */
  scope?: string;
  /** Organization the token is bound to (Logto). */
  organization_id?: string;
}

/** Prefix of a Logto organization token's `aud`: `urn:logto:organization:<id>`. */
export const ORGANIZATION_AUDIENCE_PREFIX = 'urn:logto:organization:';

/**
 * Who the caller is, as established by a verified access token. The output of authentication and
 * the input of every authorization requirement. Never contains the raw token.
 *
 * **Global vs organization permissions.** A token bound to an organization (`organizationId` set —
 * an organization token, or an API token with an `organization_id` claim) carries *organization*
 * permissions: they satisfy `orgScopes(...)` and never `scopes(...)`. A token not bound to an
 * organization carries *global* permissions: they satisfy `scopes(...)` and never `orgScopes(...)`.
 */
export interface AuthContext<Claims extends object = TokenClaims> {
  /** `sub`: the user, or for machine tokens usually the client. */
  readonly subject: string | undefined;
  /** The client the token was issued to (`client_id`, else `azp`; names configurable). */
  readonly clientId: string | undefined;
  /** `iss`, exactly as configured. */
  readonly issuer: string;
  /** `aud` as a list. */
  readonly audiences: readonly string[];
  /**
   * Every permission the token grants, normalized from `scope` (space-delimited), `scp` (string or
   * array) and `permissions` (array), plus RBAC-resolved ones; de-duplicated, in token order.
   * Global for unbound tokens, organization permissions for organization-bound tokens.
   */
  readonly scopes: readonly string[];
  /** Roles from the roles claim (default `roles`). */
  readonly roles: readonly string[];
  /** The organization the token is bound to, if any. */
  readonly organizationId: string | undefined;
  /** True for an organization token (`aud` = `urn:logto:organization:<id>`). */
  readonly organizationToken: boolean;
  /**
   * True for a machine-to-machine (client credentials) token: `gty` is `client-credentials`, or
   * `sub` equals the client id, or there is no `sub` but a client id.
   */
  readonly isMachine: boolean;
  /** `exp`, seconds since the epoch. */
  readonly expiresAt: number;
  /** `jti`, if any. */
  readonly tokenId: string | undefined;
  /** All claims of the token, as sent (read-only). */
  readonly claims: Readonly<Claims>;
  /** The token's protected header. */
  readonly header: Readonly<JWTHeaderParameters>;
}
