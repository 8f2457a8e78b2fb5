import type { PolicyDecisionPoint } from '../authzen/policy-decision-point.js';
import type { PolicyFunction } from '../options.js';
import { type ClaimMatcher, claim } from './claim.js';
import { anyOrgRole, orgRoles } from './org-roles.js';
import { type OrganizationSource, organization } from './organization.js';
import { type PermissionSpec, permission } from './permission.js';
import { policy } from './policy.js';
import type { Requirement } from './requirement.js';
import { anyRole, roles } from './roles.js';
import { anyScope, orgScopes, scopes } from './scopes.js';

/**
 * The authorization guards every adapter offers, built from one function that turns a
 * {@link Requirement} into the framework's middleware/hook/guard. Keeps the names and arguments
 * identical on every framework.
 */
export interface GuardSet<G, Raw = unknown> {
  /** Guard for any requirement (e.g. `allOf(...)`/`anyOf(...)`). */
  readonly require: (requirement: Requirement) => G;
  /** All of these global permissions (403 with the missing `scope`). */
  requireScope(...required: string[]): G;
  /** At least one of these global permissions. */
  requireAnyScope(...required: string[]): G;
  /** All of these global roles; a token bound to an organization never passes. */
  requireRole(...required: string[]): G;
  /** At least one of these global roles; a token bound to an organization never passes. */
  requireAnyRole(...required: string[]): G;
  /** The request's organization (e.g. a route parameter) equals the token's. */
  requireOrganization(source: OrganizationSource): G;
  /** All of these organization permissions, on an organization-bound token. */
  requireOrgScope(...required: string[]): G;
  /** All of these organization roles, on an organization-bound token. */
  requireOrgRole(...required: string[]): G;
  /** At least one of these organization roles, on an organization-bound token. */
  requireAnyOrgRole(...required: string[]): G;
  /** A claim matches. */
  requireClaim(name: string, matcher: ClaimMatcher): G;
  /** A custom policy returns true. */
  requirePolicy(fn: PolicyFunction<Raw>, description?: string): G;
  /** The AuthZEN PDP permits every evaluation (403 `permission_denied`, 503 when unreachable). */
  requirePermission(pdp: PolicyDecisionPoint, ...specs: PermissionSpec<Raw>[]): G;
}

/** Build the {@link GuardSet} for an adapter from its requirement → guard function. */
export function createGuardSet<G, Raw = unknown>(
  guard: (requirement: Requirement) => G,
): GuardSet<G, Raw> {
  return {
    require: (requirement) => guard(requirement),
    requireScope: (...required) => guard(scopes(...required)),
    requireAnyScope: (...required) => guard(anyScope(...required)),
    requireRole: (...required) => guard(roles(...required)),
    requireAnyRole: (...required) => guard(anyRole(...required)),
    requireOrganization: (source) => guard(organization(source)),
    requireOrgScope: (...required) => guard(orgScopes(...required)),
    requireOrgRole: (...required) => guard(orgRoles(...required)),
    requireAnyOrgRole: (...required) => guard(anyOrgRole(...required)),
    requireClaim: (name, matcher) => guard(claim(name, matcher)),
    requirePolicy: (fn, description) => guard(policy(fn, description)),
    requirePermission: (pdp, ...specs) => guard(permission(pdp, ...specs)),
  };
}
