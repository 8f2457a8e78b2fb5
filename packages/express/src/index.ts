export type { AuthContext, TokenClaims } from '@tokenward/core';
export {
  AuthError,
  allOf,
  anyOf,
  anyOrgRole,
  anyRole,
  anyScope,
  ConfigurationError,
  claim,
  optionsFromEnv,
  organization,
  orgRoles,
  orgScopes,
  permission,
  policy,
  policyDecisionPoint,
  roles,
  scopes,
  TokenwardHttpError,
} from '@tokenward/core';
export {
  type ExpressTokenward,
  type ExpressTokenwardOptions,
  getAuth,
  type RequireAuthOptions,
  tokenward,
} from './tokenward.js';
