import { InsufficientScopeError } from '../errors/auth-error.js';
import type { AuthContext } from '../verify/auth-context.js';
import { type Requirement, requiredNames } from './requirement.js';

function missingFrom(granted: readonly string[], required: readonly string[]): string[] {
  const missing: string[] = [];
  for (const scope of required) if (!granted.includes(scope)) missing.push(scope);
  return missing;
}

function bound(auth: AuthContext): boolean {
  return auth.organizationId !== undefined;
}

/**
 * Every one of these **global** permissions is required (exact, case-sensitive match). A token
 * bound to an organization carries organization permissions and never satisfies this — see
 * {@link orgScopes}. Denial: 403 `insufficient_scope` with `scope="<missing>"`.
 */
export function scopes(...required: string[]): Requirement {
  const names = requiredNames('scopes', required);
  return {
    description: `scope ${names.join(' ')}`,
    check(auth) {
      if (bound(auth)) {
        return new InsufficientScopeError(
          'insufficient_scope',
          'A token bound to an organization does not grant API-wide permissions',
          { scopes: names },
        );
      }
      const missing = missingFrom(auth.scopes, names);
      if (missing.length === 0) return undefined;
      return new InsufficientScopeError('insufficient_scope', 'The token lacks a required scope', {
        scopes: missing,
      });
    },
  };
}

/**
 * At least one of these **global** permissions is required. Denial: 403 with every alternative in
 * `scope`.
 */
export function anyScope(...required: string[]): Requirement {
  const names = requiredNames('anyScope', required);
  return {
    description: `any scope of ${names.join(' ')}`,
    check(auth) {
      if (!bound(auth))
        for (const scope of names) if (auth.scopes.includes(scope)) return undefined;
      return new InsufficientScopeError('insufficient_scope', 'The token lacks a required scope', {
        scopes: names,
      });
    },
  };
}

/**
 * Every one of these **organization** permissions is required, and the token must be bound to an
 * organization (an organization token or an organization-bound API token). Combine with
 * `organization({ param })` to tie it to the organization in the request.
 */
export function orgScopes(...required: string[]): Requirement {
  const names = requiredNames('orgScopes', required);
  return {
    description: `organization scope ${names.join(' ')}`,
    check(auth) {
      if (!bound(auth)) {
        return new InsufficientScopeError(
          'organization_required',
          'A token bound to an organization is required',
          { scopes: names },
        );
      }
      const missing = missingFrom(auth.scopes, names);
      if (missing.length === 0) return undefined;
      return new InsufficientScopeError(
        'insufficient_scope',
        'The token lacks a required organization scope',
        { scopes: missing },
      );
    },
  };
}
