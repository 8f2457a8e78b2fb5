import { InsufficientScopeError } from '../errors/auth-error.js';
import type { AuthContext } from '../verify/auth-context.js';
import { type Requirement, requiredNames } from './requirement.js';

/**
 * A token bound to an organization carries that organization's roles: they never stand for
 * API-wide (global) roles. Denial: 403 `organization_bound_token`.
 */
function boundRefusal(auth: AuthContext): InsufficientScopeError | undefined {
  if (auth.organizationId === undefined) return undefined;
  return new InsufficientScopeError(
    'organization_bound_token',
    'A token bound to an organization does not grant API-wide roles',
  );
}

/**
 * Every one of these **global** roles is required (roles claim, exact match). A token bound to an
 * organization (an organization token, or an API token with an `organization_id` claim) carries
 * that organization's roles and never satisfies this — see `orgRoles()`. Denial: 403
 * `insufficient_scope` (code `organization_bound_token` for a bound token, else `missing_role`).
 */
export function roles(...required: string[]): Requirement {
  const names = requiredNames('roles', required, 'name');
  return {
    description: `role ${names.join(' ')}`,
    check(auth) {
      const bound = boundRefusal(auth);
      if (bound !== undefined) return bound;
      for (const role of names) {
        if (!auth.roles.includes(role)) {
          return new InsufficientScopeError('missing_role', 'The token lacks a required role');
        }
      }
      return undefined;
    },
  };
}

/** At least one of these **global** roles is required; a bound token never satisfies it. */
export function anyRole(...required: string[]): Requirement {
  const names = requiredNames('anyRole', required, 'name');
  return {
    description: `any role of ${names.join(' ')}`,
    check(auth) {
      const bound = boundRefusal(auth);
      if (bound !== undefined) return bound;
      for (const role of names) if (auth.roles.includes(role)) return undefined;
      return new InsufficientScopeError('missing_role', 'The token lacks a required role');
    },
  };
}
