import type { TokenLocations } from '../bearer/extract-token.js';
import type {
  ClaimNames,
  IssuerOptions,
  KeySetOptions,
  RbacOptions,
  TokenCacheOptions,
  TokenwardOptions,
} from '../options.js';

/**
 * Every valid option name, per options object. Each list is checked against its interface
 * (`satisfies Record<keyof …, true>`): an option added to an interface but not here is a type
 * error, so the unknown-option check can never reject a real option.
 */
function names<T>(record: Record<keyof T, true>): readonly string[] {
  return Object.keys(record);
}

export const ISSUER_OPTION_NAMES = names<IssuerOptions>({
  issuer: true,
  audience: true,
  jwksUri: true,
  jwks: true,
  secret: true,
  algorithms: true,
  organizationTokens: true,
} satisfies Record<keyof IssuerOptions, true>);

export const TOKENWARD_OPTION_NAMES = names<TokenwardOptions>({
  issuer: true,
  audience: true,
  jwksUri: true,
  jwks: true,
  secret: true,
  algorithms: true,
  organizationTokens: true,
  issuers: true,
  clockTolerance: true,
  maxTokenAge: true,
  maxTokenLifetime: true,
  maxTokenLength: true,
  tokenType: true,
  requiredClaims: true,
  validate: true,
  isRevoked: true,
  claims: true,
  rbac: true,
  tokenLocations: true,
  keySet: true,
  allowHttp: true,
  fetch: true,
  realm: true,
  publicUrl: true,
  onDecision: true,
  onKeySetEvent: true,
  now: true,
  cache: true,
  logger: true,
} satisfies Record<keyof TokenwardOptions, true>);

export const KEY_SET_OPTION_NAMES = names<KeySetOptions>({
  timeout: true,
  cacheMaxAge: true,
  cooldown: true,
  maxStale: true,
  failureBackoff: true,
  maxFailureBackoff: true,
  maxResponseBytes: true,
  maxKeys: true,
} satisfies Record<keyof KeySetOptions, true>);

export const CLAIM_NAME_OPTION_NAMES = names<ClaimNames>({
  scopes: true,
  roles: true,
  organization: true,
  clientId: true,
} satisfies Record<keyof ClaimNames, true>);

export const RBAC_OPTION_NAMES = names<RbacOptions>({
  roles: true,
  organizationRoles: true,
} satisfies Record<keyof RbacOptions, true>);

export const TOKEN_LOCATION_OPTION_NAMES = names<TokenLocations>({
  query: true,
  body: true,
} satisfies Record<keyof TokenLocations, true>);

export const CACHE_OPTION_NAMES = names<TokenCacheOptions>({
  maxEntries: true,
  maxAge: true,
} satisfies Record<keyof TokenCacheOptions, true>);
