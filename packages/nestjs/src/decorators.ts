import { createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import {
  type AuthContext,
  anyOrgRole,
  anyRole,
  anyScope,
  type ClaimMatcher,
  claim,
  type OrganizationSource,
  organization,
  orgRoles,
  orgScopes,
  type PermissionSpec,
  type PolicyDecisionPoint,
  type PolicyFunction,
  permission,
  policy,
  type Requirement,
  roles,
  scopes,
} from '@tokenward/core';
import { applyTokenwardGuard } from './apply-guard.js';
import { defaultRequestLookup } from './request-lookup.js';
import { RouteConfigurationError } from './route-configuration-error.js';
import {
  AuthParamMeta,
  OptionalAuthMeta,
  PolicyClassRequirement,
  PublicMeta,
  RequirementsMeta,
  routeName,
  type TokenwardPolicy,
} from './route-metadata.js';

/** Opens a route or a whole controller (no token needed), also under a global guard. */
export const Public = (): ClassDecorator & MethodDecorator => PublicMeta(true);

/**
 * Attach the identity when a valid token is sent; anonymous requests pass (invalid tokens: 401).
 * Puts `TokenwardGuard` on the route or controller itself, like every `@Require*`.
 */
export const OptionalAuth = (): ClassDecorator & MethodDecorator =>
  ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    OptionalAuthMeta(true)(target, key as string | symbol, descriptor as PropertyDescriptor);
    applyTokenwardGuard(target, key);
    return descriptor;
  }) as ClassDecorator & MethodDecorator;

/**
 * Add requirements to a class or method. Requirements accumulate: several decorators on the same
 * target, and class plus method, must all hold. They are checked class first, then method, each
 * top to bottom; the first that fails answers.
 *
 * Every `@Require*` decorator (and `@RequireAuth()`, `@OptionalAuth()`, `@Auth()`) also puts
 * `TokenwardGuard` on its class or method, so the route is guarded without `@UseGuards()` or a
 * global guard; with them, the token is still verified only once per request.
 */
export function Require(...requirements: Requirement[]): ClassDecorator & MethodDecorator {
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor === undefined ? target : descriptor.value;
    const existing: readonly Requirement[] =
      Reflect.getMetadata(RequirementsMeta.KEY, holder) ?? [];
    // Decorators apply bottom-up; prepending keeps the list in source (top-to-bottom) order,
    // which is the order requirements are checked in — as in the other adapters' guard chains.
    Reflect.defineMetadata(RequirementsMeta.KEY, [...requirements, ...existing], holder);
    applyTokenwardGuard(target, key);
    return descriptor;
  }) as ClassDecorator & MethodDecorator;
}

/** A valid token, nothing more (401 without one): `requireAuth()` of the other adapters. */
export const RequireAuth = (): ClassDecorator & MethodDecorator => Require();

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
 * The AuthZEN PDP permits every evaluation: `@RequirePermission(pdp, { action: 'read', resource:
 * (req) => ({ type: 'document', id: String(req.params?.id) }) })` (403 `permission_denied`, 503
 * `pdp_unavailable` when the PDP cannot be asked).
 */
export const RequirePermission = (pdp: PolicyDecisionPoint, ...specs: PermissionSpec[]) =>
  Require(permission(pdp, ...specs));

/** The identity for `@Auth()`: the verified one, or `undefined` only under `@OptionalAuth()`. */
function identityOf(field: string | undefined, ctx: ExecutionContext): unknown {
  const request = defaultRequestLookup(ctx) as { auth?: AuthContext } | undefined;
  const auth = request?.auth as Record<string, unknown> | undefined;
  if (auth !== undefined) return field === undefined ? auth : auth[field];
  const handler = ctx.getHandler();
  const cls = ctx.getClass();
  const optional =
    (Reflect.getMetadata(OptionalAuthMeta.KEY, handler) ??
      Reflect.getMetadata(OptionalAuthMeta.KEY, cls)) === true;
  if (optional) return undefined;
  // Not the client's fault: the route lets requests in without an identity (`@Public()`, or a
  // guard that does not attach one). Nest logs the error and answers a bare 500.
  throw new RouteConfigurationError(
    [routeName(cls, handler)],
    '@Auth() read on a route with no verified identity (the route is @Public(), or no TokenwardGuard attached one); mark it @OptionalAuth() to accept anonymous requests',
  );
}

/**
 * Parameter decorator giving the verified `AuthContext`; `@Auth('subject')` gives one field. It
 * puts `TokenwardGuard` on its method, so the handler never runs without an identity. Under
 * `@OptionalAuth()` it is `undefined` for anonymous requests; anywhere else a missing identity is
 * a developer error ({@link RouteConfigurationError} naming the route, answered as a 500).
 */
export const Auth = createParamDecorator(identityOf, [
  (target: object, key: string | symbol | undefined) => {
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor;
    AuthParamMeta(true)(target, key, descriptor);
    applyTokenwardGuard(target, key);
  },
]);
