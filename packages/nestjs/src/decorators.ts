import { createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  anyOrgRole,
  anyRole,
  anyScope,
  type ClaimMatcher,
  claim,
  type OrganizationSource,
  organization,
  orgRoles,
  orgScopes,
  type PolicyFunction,
  policy,
  type Requirement,
  roles,
  scopes,
} from '@tokenward/core';
import { defaultRequestLookup } from './request-lookup.js';

/** `@Public()` metadata: the route or controller needs no token. */
export const PublicMeta = Reflector.createDecorator<boolean>({ key: 'tokenward:public' });
/** `@OptionalAuth()` metadata: attach the identity when a token is present. */
export const OptionalAuthMeta = Reflector.createDecorator<boolean>({ key: 'tokenward:optional' });
/** Requirement metadata (class or method), accumulated by the `@Require*` decorators. */
export const RequirementsMeta = Reflector.createDecorator<readonly Requirement[]>({
  key: 'tokenward:requirements',
});

/** A policy resolved from Nest's container: implement `allow()` and decorate with `@Injectable()`. */
export interface TokenwardPolicy {
  /** Return (or resolve to) `true` to allow the request. */
  allow(...args: Parameters<PolicyFunction>): boolean | Promise<boolean>;
}

/** A requirement whose policy class is resolved by the guard through Nest's container. */
export class PolicyClassRequirement implements Requirement {
  readonly description: string;
  constructor(readonly policyClass: Type<TokenwardPolicy>) {
    this.description = `policy ${policyClass.name}`;
  }
  check(): never {
    throw new Error('tokenward: a policy class is resolved by TokenwardGuard');
  }
}

/** Opens a route or a whole controller (no token needed), also under a global guard. */
export const Public = (): ClassDecorator & MethodDecorator => PublicMeta(true);

/** Attach the identity when a valid token is sent; anonymous requests pass (invalid tokens: 401). */
export const OptionalAuth = (): ClassDecorator & MethodDecorator => OptionalAuthMeta(true);

/**
 * Add requirements to a class or method. Requirements accumulate: several decorators on the same
 * target, and class plus method, must all hold. They are checked class first, then method, each
 * top to bottom; the first that fails answers.
 */
export function Require(...requirements: Requirement[]): ClassDecorator & MethodDecorator {
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor === undefined ? target : descriptor.value;
    const existing: readonly Requirement[] =
      Reflect.getMetadata(RequirementsMeta.KEY, holder) ?? [];
    // Decorators apply bottom-up; prepending keeps the list in source (top-to-bottom) order,
    // which is the order requirements are checked in — as in the other adapters' guard chains.
    Reflect.defineMetadata(RequirementsMeta.KEY, [...requirements, ...existing], holder);
    return descriptor;
  }) as ClassDecorator & MethodDecorator;
}

/** All of these global permissions (403 with the missing `scope`). */
export const RequireScope = (...required: string[]) => Require(scopes(...required));
/** At least one of these global permissions. */
export const RequireAnyScope = (...required: string[]) => Require(anyScope(...required));
/** All of these global roles; a token bound to an organization never passes. */
export const RequireRole = (...required: string[]) => Require(roles(...required));
/** At least one of these global roles; a token bound to an organization never passes. */
export const RequireAnyRole = (...required: string[]) => Require(anyRole(...required));
/** The request's organization (e.g. `{ param: 'orgId' }`) equals the token's. */
export const RequireOrganization = (source: OrganizationSource) => Require(organization(source));
/** All of these organization permissions, on an organization-bound token. */
export const RequireOrgScope = (...required: string[]) => Require(orgScopes(...required));
/** All of these organization roles, on an organization-bound token. */
export const RequireOrgRole = (...required: string[]) => Require(orgRoles(...required));
/** At least one of these organization roles, on an organization-bound token. */
export const RequireAnyOrgRole = (...required: string[]) => Require(anyOrgRole(...required));
/** A claim of the token matches. */
export const RequireClaim = (name: string, matcher: ClaimMatcher) => Require(claim(name, matcher));

/**
 * A custom policy: a function `(auth, request) => boolean | Promise<boolean>`, or an injectable
 * class implementing {@link TokenwardPolicy} (resolved from the container, so it can inject
 * services).
 */
export function RequirePolicy(
  fnOrClass: PolicyFunction | Type<TokenwardPolicy>,
  description?: string,
): ClassDecorator & MethodDecorator {
  const isClass =
    typeof fnOrClass === 'function' &&
    typeof (fnOrClass as Type<TokenwardPolicy>).prototype?.allow === 'function';
  return Require(
    isClass
      ? new PolicyClassRequirement(fnOrClass as Type<TokenwardPolicy>)
      : policy(fnOrClass as PolicyFunction, description),
  );
}

/**
 * Parameter decorator giving the verified `AuthContext` (`undefined` under `@OptionalAuth()` for
 * anonymous requests). `@Auth('subject')` gives one field.
 */
export const Auth = createParamDecorator((field: string | undefined, ctx: ExecutionContext) => {
  const request = defaultRequestLookup(ctx) as { auth?: Record<string, unknown> } | undefined;
  const auth = request?.auth;
  return field === undefined ? auth : auth?.[field];
});
