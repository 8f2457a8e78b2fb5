import 'reflect-metadata';

export type { AuthContext, TokenClaims, Tokenward } from '@tokenward/core';
export {
  AuthError,
  allOf,
  anyOf,
  ConfigurationError,
  claim,
  organization,
  orgRoles,
  orgScopes,
  policy,
  roles,
  scopes,
} from '@tokenward/core';
export {
  Auth,
  OptionalAuth,
  OptionalAuthMeta,
  Public,
  PublicMeta,
  Require,
  RequireAnyOrgRole,
  RequireAnyRole,
  RequireAnyScope,
  RequireClaim,
  RequirementsMeta,
  RequireOrganization,
  RequireOrgRole,
  RequireOrgScope,
  RequirePolicy,
  RequireRole,
  RequireScope,
  type TokenwardPolicy,
} from './decorators.js';
export { defaultRequestLookup, defaultTokenRequest } from './request-lookup.js';
export {
  TOKENWARD,
  TOKENWARD_GUARD_SETTINGS,
  type TokenwardGuardSettings,
} from './tokenward.constants.js';
export { TokenwardGuard } from './tokenward.guard.js';
export { TokenwardModule } from './tokenward.module.js';
export {
  ASYNC_OPTIONS_TYPE,
  OPTIONS_TYPE,
  TOKENWARD_MODULE_OPTIONS,
  type TokenwardModuleExtras,
} from './tokenward.module-definition.js';
export type { TokenwardModuleOptions } from './tokenward-module-options.js';
