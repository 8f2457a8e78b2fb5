import 'reflect-metadata';

export type {
  AuthContext,
  ClaimMatcher,
  OrganizationSource,
  Requirement,
  TokenClaims,
  Tokenward,
} from '@tokenward/core';
// Every requirement of the core, so a Nest app builds `@Require(anyOf(...))` from one import.
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
  Auth,
  OptionalAuth,
  Public,
  Require,
  RequireAnyOrgRole,
  RequireAnyRole,
  RequireAnyScope,
  RequireAuth,
  RequireClaim,
  RequireOrganization,
  RequireOrgRole,
  RequireOrgScope,
  RequirePermission,
  RequirePolicy,
  RequireRole,
  RequireScope,
} from './decorators.js';
export { defaultRequestLookup, defaultTokenRequest } from './request-lookup.js';
export { RouteConfigurationError } from './route-configuration-error.js';
export {
  OptionalAuthMeta,
  PublicMeta,
  RequirementsMeta,
  type TokenwardPolicy,
} from './route-metadata.js';
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
