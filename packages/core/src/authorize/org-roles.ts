import { InsufficientScopeError } from '../errors/auth-error.js';
import type { AuthContext } from '../verify/auth-context.js';
import { type Requirement, type RequirementContext, requiredNames } from './requirement.js';

/**
 * Whether the bound token holds this organization role. With an organization template
 * (`rbac.organizationRoles`), only roles the template defines count: a name it does not define
 * is never held, whatever the roles claim says.
 */
function holds(auth: AuthContext, role: string, context: RequirementContext | undefined): boolean {
  const template = context?.organizationRoles;
  if (template !== undefined && !template.has(role)) return false;
  return auth.roles.includes(role);
}

function unbound(): InsufficientScopeError {
  return new InsufficientScopeError(
    'organization_required',
    'A token bound to an organization is required',
  );
}

function missing(): InsufficientScopeError {
  return new InsufficientScopeError('missing_role', 'The token lacks a required organization role');
}

/**
 * Every one of these **organization** roles is required, and the token must be bound to an
 * organization (an organization token, or an API token with an `organization_id` claim): the
 * roles claim of a bound token names that organization's roles. With an organization template
 * configured (`rbac.organizationRoles`), a role the template does not define never matches.
 * Combine with `organization({ param })` to tie it to the organization in the request.
 * Denial: 403 `insufficient_scope` (code `organization_required` for an unbound token, else
 * `missing_role`).
 */
export function orgRoles(...required: string[]): Requirement {
  const names = requiredNames('orgRoles', required, 'name');
  return {
    description: `organization role ${names.join(' ')}`,
    check(auth, _request, context) {
      if (auth.organizationId === undefined) return unbound();
      for (const role of names) if (!holds(auth, role, context)) return missing();
      return undefined;
    },
  };
}

/** At least one of these **organization** roles is required, on a bound token (see {@link orgRoles}). */
export function anyOrgRole(...required: string[]): Requirement {
  const names = requiredNames('anyOrgRole', required, 'name');
  return {
    description: `any organization role of ${names.join(' ')}`,
    check(auth, _request, context) {
      if (auth.organizationId === undefined) return unbound();
      for (const role of names) if (holds(auth, role, context)) return undefined;
      return missing();
    },
  };
}
