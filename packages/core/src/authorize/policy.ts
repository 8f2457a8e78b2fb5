import { InsufficientScopeError } from '../errors/auth-error.js';
import type { PolicyFunction } from '../options.js';
import type { Requirement, RequirementResult } from './requirement.js';

function denied(cause?: unknown) {
  return new InsufficientScopeError(
    'policy_denied',
    'The request is not allowed',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * A custom rule: `fn(auth, request)` returns (or resolves to) `true` to allow. Anything else —
 * `false`, a non-boolean, a throw or a rejection — denies with 403 (`policy_denied`); the thrown
 * error is kept as the refusal's `cause` for the observer.
 */
export function policy<Raw = unknown>(
  fn: PolicyFunction<Raw>,
  description = 'policy',
): Requirement {
  if (typeof fn !== 'function') throw new TypeError('tokenward: policy() needs a function');
  return {
    description,
    check(auth, request) {
      let result: boolean | Promise<boolean>;
      try {
        result = fn(auth, request as Parameters<PolicyFunction<Raw>>[1]);
      } catch (cause) {
        return denied(cause);
      }
      if (result === true) return undefined;
      if (result === null || typeof result !== 'object' || typeof result.then !== 'function') {
        return denied();
      }
      return Promise.resolve(result).then(
        (value): RequirementResult => (value === true ? undefined : denied()),
        (cause: unknown) => denied(cause),
      );
    },
  };
}
