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
export { getAuth, tokenwardPlugin, tokenwardPlugin as default } from './plugin.js';
export {
  createFastifyTokenward,
  type FastifyTokenward,
  type FastifyTokenwardOptions,
  type RequireAuthOptions,
  type TokenwardHook,
} from './tokenward.js';
