import { UseGuards } from '@nestjs/common';
import { RouteConfigurationError } from './route-configuration-error.js';
import { GUARDS_METADATA, routeName } from './route-metadata.js';
import { TokenwardGuard } from './tokenward.guard.js';

/**
 * Put `TokenwardGuard` on a class (no `key`) or a method, unless it is listed there already. The
 * tokenward decorators call it so that a route carrying their metadata never runs unguarded, with
 * or without a global guard; the guard verifies once per request however many times it is listed.
 */
export function applyTokenwardGuard(target: object, key?: string | symbol): void {
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  const holder: unknown = key === undefined ? target : descriptor?.value;
  if (typeof holder !== 'function') {
    // Never leave tokenward metadata behind without its guard.
    throw new RouteConfigurationError(
      [routeName(target.constructor, String(key))],
      'tokenward decorators go on controllers and their methods',
    );
  }
  const listed: readonly unknown[] = Reflect.getMetadata(GUARDS_METADATA, holder as object) ?? [];
  if (listed.includes(TokenwardGuard)) return;
  const decorate: MethodDecorator & ClassDecorator = UseGuards(TokenwardGuard);
  if (key === undefined || descriptor === undefined) {
    (decorate as (target: object) => void)(target);
  } else {
    decorate(target, key, descriptor);
  }
}
