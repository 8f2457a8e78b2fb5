import { InvalidTokenError } from '../errors/auth-error.js';
import type { AuthContext } from './auth-context.js';
import { ownClaim, stringClaim, stringList } from './claim-values.js';
import type { TokenHeader } from './parse-token.js';
import type { AudienceResult } from './validate-claims.js';

/** Resolved claim names and RBAC maps (built once per verifier). */
export interface ContextRules {
  readonly scopeClaims: readonly string[];
  readonly rolesClaim: string;
  readonly organizationClaim: string;
  readonly clientIdClaims: readonly string[];
  /** Global role → permissions, or undefined when RBAC is off. */
  readonly roleScopes: ReadonlyMap<string, readonly string[]> | undefined;
  /** Organization role → permissions, or undefined when RBAC is off. */
  readonly organizationRoleScopes: ReadonlyMap<string, readonly string[]> | undefined;
}

/** Build the {@link AuthContext} of a token whose signature and claims have been verified. */
export function buildAuthContext(
  header: TokenHeader,
  payload: Record<string, unknown>,
  issuer: string,
  audience: AudienceResult,
  rules: ContextRules,
): AuthContext {
  const claimedOrg = ownClaim(payload, rules.organizationClaim);
  if (claimedOrg !== undefined && (typeof claimedOrg !== 'string' || claimedOrg === '')) {
    throw new InvalidTokenError('invalid_claim', 'The organization claim must be a string');
  }
  const fromAudience = audience.organizationAudience;
  if (fromAudience !== undefined && claimedOrg !== undefined && claimedOrg !== fromAudience) {
    throw new InvalidTokenError('invalid_claim', 'The token names two different organizations');
  }
  const organizationId = fromAudience ?? (claimedOrg as string | undefined);
  const roles = stringList(ownClaim(payload, rules.rolesClaim));

  const scopes = new Set<string>();
  for (const claim of rules.scopeClaims) {
    for (const scope of stringList(ownClaim(payload, claim))) scopes.add(scope);
  }
  const roleMap = organizationId === undefined ? rules.roleScopes : rules.organizationRoleScopes;
  if (roleMap !== undefined) {
    for (const role of roles) for (const scope of roleMap.get(role) ?? []) scopes.add(scope);
  }

  let clientId: string | undefined;
  for (const claim of rules.clientIdClaims) {
    clientId = stringClaim(payload, claim);
    if (clientId !== undefined) break;
  }
  const subject = stringClaim(payload, 'sub');
  const isMachine =
    ownClaim(payload, 'gty') === 'client-credentials' ||
    (clientId !== undefined && (subject === undefined || subject === clientId));

  return Object.freeze({
    subject,
    clientId,
    issuer,
    audiences: Object.freeze(audience.audiences),
    scopes: Object.freeze([...scopes]),
    roles: Object.freeze(roles),
    organizationId,
    organizationToken: fromAudience !== undefined,
    isMachine,
    expiresAt: payload.exp as number,
    tokenId: stringClaim(payload, 'jti'),
    claims: Object.freeze(payload),
    header: Object.freeze(header) as AuthContext['header'],
  });
}
