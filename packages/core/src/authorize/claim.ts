import { InsufficientScopeError } from '../errors/auth-error.js';
import type { AuthContext } from '../verify/auth-context.js';
import { ownClaim, stringList } from '../verify/claim-values.js';
import type { Requirement } from './requirement.js';

/** How a claim is matched. */
export type ClaimMatcher =
  | {
      /** The claim must be strictly equal (`===`) to this string, number or boolean. */
      equals: string | number | boolean;
    }
  | {
      /** The claim (array, or space-delimited string) must contain this string. */
      includes: string;
    }
  | ((value: unknown, auth: AuthContext) => boolean);

/**
 * A claim of the verified token must match: `{ equals }`, `{ includes }`, or a predicate. Only own
 * claims are read (never the prototype chain); a missing claim never matches. Denial: 403.
 */
export function claim(name: string, matcher: ClaimMatcher): Requirement {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('tokenward: claim() needs a claim name');
  }
  let test: (value: unknown, auth: AuthContext) => boolean;
  let label: string;
  if (typeof matcher === 'function') {
    test = matcher;
    label = 'matches a predicate';
  } else if (matcher !== null && typeof matcher === 'object' && 'equals' in matcher) {
    const expected = matcher.equals;
    test = (value) => value === expected;
    label = `equals ${String(expected)}`;
  } else if (matcher !== null && typeof matcher === 'object' && 'includes' in matcher) {
    const expected = matcher.includes;
    test = (value) => stringList(value).includes(expected);
    label = `includes ${expected}`;
  } else {
    throw new TypeError('tokenward: claim() needs { equals }, { includes } or a predicate');
  }
  return {
    description: `claim ${name} ${label}`,
    check(auth) {
      const value = ownClaim(auth.claims as Record<string, unknown>, name);
      let ok = false;
      if (value !== undefined) {
        try {
          ok = test(value, auth) === true;
        } catch (cause) {
          return new InsufficientScopeError('claim_mismatch', 'A required claim does not match', {
            cause,
          });
        }
      }
      return ok
        ? undefined
        : new InsufficientScopeError('claim_mismatch', 'A required claim does not match');
    },
  };
}
