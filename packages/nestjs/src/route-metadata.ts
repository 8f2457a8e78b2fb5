import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PolicyFunction, Requirement } from '@tokenward/core';

/** `@Public()` metadata: the route or controller needs no token. */
export const PublicMeta = Reflector.createDecorator<boolean>({ key: 'tokenward:public' });
/** `@OptionalAuth()` metadata: attach the identity when a token is present. */
export const OptionalAuthMeta = Reflector.createDecorator<boolean>({ key: 'tokenward:optional' });
/** Requirement metadata (class or method), accumulated by the `@Require*` decorators. */
export const RequirementsMeta = Reflector.createDecorator<readonly Requirement[]>({
  key: 'tokenward:requirements',
});
/** Set on a method by `@Auth()`: the handler reads the verified identity. */
export const AuthParamMeta = Reflector.createDecorator<boolean>({ key: 'tokenward:auth-param' });

/**
 * Nest's guard metadata key (`@UseGuards()` appends to it on the class or the method). A string
 * that every supported Nest version uses; kept here so no internal Nest path is imported.
 */
export const GUARDS_METADATA = '__guards__';

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

/** The name of a route for messages: `ReportsController.list`. */
export function routeName(
  cls: { readonly name?: string } | undefined,
  handler: { readonly name?: string } | string | undefined,
): string {
  const method = typeof handler === 'string' ? handler : handler?.name;
  return `${cls?.name || '(anonymous class)'}.${method || '(anonymous method)'}`;
}
