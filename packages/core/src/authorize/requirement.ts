import type { TokenRequest } from '../bearer/token-request.js';
import type { AuthError } from '../errors/auth-error.js';
import type { AuthContext } from '../verify/auth-context.js';

/** What a requirement check returns: `undefined` to allow, an {@link AuthError} to deny. */
export type RequirementResult = AuthError | undefined;

/**
 * What the tokenward instance evaluating a requirement knows from its own configuration. Passed
 * by `Tokenward.authorize()` as the third argument of {@link Requirement.check}; combinators pass
 * it on to their parts. A check called without it sees no configuration (no template).
 */
export interface RequirementContext {
  /**
   * The organization template: the organization role names `rbac.organizationRoles` defines, or
   * `undefined` when no template is configured. With a template, a role it does not define never
   * satisfies `orgRoles()` / `anyOrgRole()` (it grants no permission either).
   */
  readonly organizationRoles: ReadonlySet<string> | undefined;
}

/**
 * One authorization rule, evaluated against an authenticated identity and the request. Build them
 * with `scopes()`, `anyScope()`, `roles()`, `anyRole()`, `organization()`, `orgScopes()`,
 * `orgRoles()`, `anyOrgRole()`, `claim()`, `policy()`, `allOf()` and `anyOf()`; everything that
 * can be precomputed is computed when the requirement is built.
 */
export interface Requirement {
  /** What is required, for logs and the decision observer, e.g. `scope read:report`. */
  readonly description: string;
  /** Allow (`undefined`) or deny (an AuthError). Synchronous unless a custom policy is involved. */
  check(
    auth: AuthContext,
    request: TokenRequest | undefined,
    context?: RequirementContext,
  ): RequirementResult | Promise<RequirementResult>;
}

/** RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Validate a list of required names at build time: at least one, each a non-empty string; scopes
 * must be RFC 6749 scope-tokens (no spaces, quotes, backslashes, control or non-ASCII characters),
 * other names (roles) must be non-empty and without white space.
 */
export function requiredNames(
  kind: string,
  names: readonly unknown[],
  syntax: 'scope' | 'name' = 'scope',
): readonly string[] {
  if (names.length === 0) throw new TypeError(`tokenward: ${kind}() needs at least one name`);
  for (const name of names) {
    if (typeof name === 'string') severalInOne(kind, name);
    const ok =
      typeof name === 'string' &&
      (syntax === 'scope' ? SCOPE_TOKEN.test(name) : name !== '' && !/\s/.test(name));
    if (!ok) {
      throw new TypeError(
        syntax === 'scope'
          ? `tokenward: ${kind}() names must be scope tokens (printable ASCII, no spaces, quotes or backslashes)`
          : `tokenward: ${kind}() names must be non-empty strings without white space`,
      );
    }
  }
  return Object.freeze([...new Set(names as string[])]);
}

/**
 * `scopes('read:report write:report')`: the way scopes appear in a token, but ambiguous as a
 * requirement (all of them, or any?). Refused when the guard is built, with the fix spelled out.
 */
function severalInOne(kind: string, name: string): void {
  const parts = name.split(/\s+/).filter((part) => part !== '');
  if (parts.length < 2) return;
  const args = parts.map((part) => JSON.stringify(part)).join(', ');
  throw new TypeError(
    `tokenward: ${kind}(${JSON.stringify(name)}) names ${parts.length} values in one string; ` +
      `pass each as its own argument: ${kind}(${args}) (every one required), or the any-of ` +
      'variant for at least one',
  );
}
