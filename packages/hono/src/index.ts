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
} from '@tokenward/core';
export {
  getAuth,
  type HonoTokenward,
  type HonoTokenwardOptions,
  type RequireAuthOptions,
  type TokenwardEnv,
  type TokenwardMiddleware,
  tokenward,
} from './tokenward.js';
