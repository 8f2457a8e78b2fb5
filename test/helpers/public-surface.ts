/**
 * The public surface every adapter shares, pinned once for the adapters' exports tests: the guard
 * names of the core `GuardSet` (each adapter's guard object has exactly these, plus `requireAuth`
 * and `core`), and the requirement builders and errors every adapter re-exports from the core.
 */
export const GUARD_NAMES = [
  'require',
  'requireScope',
  'requireAnyScope',
  'requireRole',
  'requireAnyRole',
  'requireOrganization',
  'requireOrgScope',
  'requireOrgRole',
  'requireAnyOrgRole',
  'requireClaim',
  'requirePolicy',
  'requirePermission',
] as const;

/** Core values every adapter package re-exports. */
export const RE_EXPORTED_CORE = [
  'AuthError',
  'ConfigurationError',
  'allOf',
  'anyOf',
  'anyOrgRole',
  'anyRole',
  'anyScope',
  'claim',
  'orgRoles',
  'orgScopes',
  'optionsFromEnv',
  'organization',
  'permission',
  'policy',
  'policyDecisionPoint',
  'roles',
  'scopes',
] as const;
