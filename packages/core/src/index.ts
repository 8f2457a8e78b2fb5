export { type ClaimMatcher, claim } from './authorize/claim.js';
export { allOf, anyOf } from './authorize/combinators.js';
export { createGuardSet, type GuardSet } from './authorize/guard-set.js';
export { anyOrgRole, orgRoles } from './authorize/org-roles.js';
export { type OrganizationSource, organization } from './authorize/organization.js';
export {
  defaultSubject,
  type FromRequest,
  type PermissionSpec,
  permission,
} from './authorize/permission.js';
export { policy } from './authorize/policy.js';
export type {
  Requirement,
  RequirementContext,
  RequirementResult,
} from './authorize/requirement.js';
export { anyRole, roles } from './authorize/roles.js';
export { anyScope, orgScopes, scopes } from './authorize/scopes.js';
export type {
  AuthZenAction,
  AuthZenEvaluation,
  AuthZenProperties,
  AuthZenResource,
  AuthZenSubject,
} from './authzen/authzen-types.js';
export type {
  PdpFailMode,
  PolicyDecisionPointOptions,
  ResolvedPdpOptions,
} from './authzen/pdp-options.js';
export { PdpUnavailableError } from './authzen/pdp-unavailable-error.js';
export { PolicyDecisionPoint, policyDecisionPoint } from './authzen/policy-decision-point.js';
export { PdpFetchError } from './authzen/post-json.js';
export type { ExtractOptions, TokenLocations } from './bearer/extract-token.js';
export { extractToken } from './bearer/extract-token.js';
export { authorizationFromNode, authorizationFromRawHeaders } from './bearer/raw-headers.js';
export type { TokenRequest } from './bearer/token-request.js';
export {
  AuthError,
  type AuthErrorCode,
  type AuthErrorOptions,
  type AuthPhase,
  type BearerErrorCode,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  isAuthError,
  KeySetUnavailableError,
  MissingTokenError,
  UnauthenticatedError,
} from './errors/auth-error.js';
export {
  type ChallengeOptions,
  renderChallenge,
  sanitizeChallengeValue,
} from './errors/challenge.js';
export { ConfigurationError } from './errors/configuration-error.js';
export { MisconfigurationError } from './errors/misconfiguration-error.js';
export { TokenwardHttpError } from './http/http-error.js';
export {
  type ErrorBody,
  type HttpResponse,
  type RenderOptions,
  renderError,
} from './http/render-error.js';
export { whenSettled } from './http/when-settled.js';
export type { KeySourceStatus } from './keys/key-source.js';
export type { KeySetEvent } from './keys/remote-key-set.js';
export type {
  ClaimNames,
  DecisionEvent,
  IssuerOptions,
  KeySetOptions,
  PolicyFunction,
  RbacOptions,
  TokenCacheOptions,
  TokenwardOptions,
  ValidateContext,
} from './options.js';
export {
  type EnvironmentRecord,
  type OptionsFromEnvSettings,
  optionsFromEnv,
} from './options-from-env.js';
export type { TokenwardLogger } from './report/tokenward-logger.js';
export {
  type AuthenticateOptions,
  type CoreSettings,
  createTokenward,
  type Outcome,
  Tokenward,
} from './tokenward.js';
export type {
  AuthContext,
  TokenClaims,
} from './verify/auth-context.js';
export { ORGANIZATION_AUDIENCE_PREFIX } from './verify/auth-context.js';
export { Verifier } from './verify/verifier.js';
