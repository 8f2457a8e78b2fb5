import { randomId } from './random-id.js';

/** `sub` of minted tokens unless overridden. @internal */
export const DEFAULT_SUBJECT = 'user-123';

/** `client_id` (and ID token `azp`) of minted tokens unless overridden. @internal */
export const DEFAULT_CLIENT_ID = 'client-abc';

/** What the default claims depend on. @internal */
export interface ClaimContext {
  issuer: string;
  audience: string | string[];
  /** Current time, in seconds since the epoch. */
  nowSeconds: number;
  /** Lifetime, in seconds. */
  expiresIn: number;
}

/**
 * The claims of a valid access token (RFC 9068): `iss`, `sub`, `aud`, `client_id`, `iat`, `exp`
 * and a random `jti`; no `scope`.
 *
 * @internal
 */
export function defaultAccessTokenClaims({
  issuer,
  audience,
  nowSeconds,
  expiresIn,
}: ClaimContext): Record<string, unknown> {
  return {
    iss: issuer,
    sub: DEFAULT_SUBJECT,
    aud: Array.isArray(audience) ? [...audience] : audience,
    client_id: DEFAULT_CLIENT_ID,
    iat: nowSeconds,
    exp: nowSeconds + expiresIn,
    jti: randomId(),
  };
}
