import { InsufficientScopeError } from '../errors/auth-error.js';
import { type Requirement, requiredNames } from './requirement.js';

/** Every one of these roles is required (roles claim, exact match). Denial: 403 `insufficient_scope`. */
export function roles(...required: string[]): Requirement {
  const names = requiredNames('roles', required, 'name');
  return {
    description: `role ${names.join(' ')}`,
    check(auth) {
      for (const role of names) {
        if (!auth.roles.includes(role)) {
          return new InsufficientScopeError('missing_role', 'The token lacks a required role');
        }
      }
      return undefined;
    },
  };
}

/** At least one of these roles is required. */
export function anyRole(...required: string[]): Requirement {
  const names = requiredNames('anyRole', required, 'name');
  return {
    description: `any role of ${names.join(' ')}`,
    check(auth) {
      for (const role of names) if (auth.roles.includes(role)) return undefined;
      return new InsufficientScopeError('missing_role', 'The token lacks a required role');
    },
  };
}
