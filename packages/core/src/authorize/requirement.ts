import type { TokenRequest } from '../bearer/token-request.js';
import type { AuthError } from '../errors/auth-error.js';
import type { AuthContext } from '../verify/auth-context.js';

/** What a requirement check returns: `undefined` to allow, an {@link AuthError} to deny. */
export type RequirementResult = AuthError | undefined;

/**
 * One authorization rule, evaluated against an authenticated identity and the request. Build them
 * with `scopes()`, `anyScope()`, `roles()`, `organization()`, `orgScopes()`, `claim()`,
 * `policy()`, `allOf()` and `anyOf()`; everything that can be precomputed is computed when the
 * requirement is built.
 */
export interface Requirement {
  /** What is required, for logs and the decision observer, e.g. `scope read:report`. */
  readonly description: string;
  /** Allow (`undefined`) or deny (an AuthError). Synchronous unless a custom policy is involved. */
  check(
    auth: AuthContext,
    request: TokenRequest | undefined,
  ): RequirementResult | Promise<RequirementResult>;
}

/** Validate a list of required names at build time (non-empty strings, at least one). */
export function requiredNames(kind: string, names: readonly unknown[]): readonly string[] {
  if (names.length === 0) throw new TypeError(`tokenward: ${kind}() needs at least one name`);
  for (const name of names) {
    if (typeof name !== 'string' || name === '' || name.includes(' ')) {
      throw new TypeError(`tokenward: ${kind}() names must be non-empty strings without spaces`);
    }
  }
  return Object.freeze([...new Set(names as string[])]);
}
