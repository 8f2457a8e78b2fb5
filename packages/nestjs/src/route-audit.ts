import { Injectable, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { APP_GUARD, DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { RouteConfigurationError } from './route-configuration-error.js';
import {
  AuthParamMeta,
  GUARDS_METADATA,
  OptionalAuthMeta,
  PublicMeta,
  RequirementsMeta,
  routeName,
} from './route-metadata.js';
import { TokenwardGuard } from './tokenward.guard.js';

/** Nest's route-path metadata key (`@Get()` and friends set it on the handler). */
const PATH_METADATA = 'path';

/** Apps already audited (one audit per app, however many TokenwardModules it imports). */
const audited = new WeakSet<ModulesContainer>();

function isTokenwardGuard(entry: unknown): boolean {
  if (entry instanceof TokenwardGuard) return true;
  return (
    typeof entry === 'function' &&
    (entry === TokenwardGuard || entry.prototype instanceof TokenwardGuard)
  );
}

function own<T>(decorator: { KEY: string }, target: object): T | undefined {
  return Reflect.getMetadata(decorator.KEY, target) as T | undefined;
}

/**
 * The check at application bootstrap behind the decorators (defence in depth): the app refuses to
 * start, with a {@link RouteConfigurationError} naming each route, when a route carries tokenward
 * metadata but no `TokenwardGuard` (or subclass) runs for it — global (`APP_GUARD`), on its
 * controller, or on its method — which only metadata written without the tokenward decorators
 * can cause; or when a `@Public()` method reads `@Auth()` outside `@OptionalAuth()`, which could
 * only ever answer 500. Guards added with `app.useGlobalGuards()` are not visible to it.
 */
@Injectable()
export class TokenwardRouteAudit implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly modules: ModulesContainer,
  ) {}

  onApplicationBootstrap(): void {
    if (audited.has(this.modules)) return;
    audited.add(this.modules);
    const providers = this.discovery.getProviders();
    const globallyGuarded = providers.some(
      (wrapper) =>
        typeof wrapper.token === 'string' &&
        wrapper.token.startsWith(`${APP_GUARD} (`) &&
        isTokenwardGuard(wrapper.instance),
    );
    const unguarded: string[] = [];
    const publicAuth: string[] = [];
    const seen = new Set<Type>();
    const visit = (cls: Type, isController: boolean) => {
      if (seen.has(cls)) return;
      seen.add(cls);
      const classGuards: readonly unknown[] = Reflect.getMetadata(GUARDS_METADATA, cls) ?? [];
      const classMarked =
        own(RequirementsMeta, cls) !== undefined || own(OptionalAuthMeta, cls) === true;
      for (const name of this.scanner.getAllMethodNames(cls.prototype)) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        if (isController && Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const authParam = own(AuthParamMeta, handler) === true;
        const methodMarked =
          own(RequirementsMeta, handler) !== undefined ||
          own(OptionalAuthMeta, handler) === true ||
          authParam;
        if (!methodMarked && !(isController && classMarked)) continue;
        const methodGuards: readonly unknown[] =
          Reflect.getMetadata(GUARDS_METADATA, handler) ?? [];
        if (!globallyGuarded && ![...classGuards, ...methodGuards].some(isTokenwardGuard)) {
          unguarded.push(routeName(cls, name));
        }
        const optional = (own(OptionalAuthMeta, handler) ?? own(OptionalAuthMeta, cls)) === true;
        if (authParam && own(PublicMeta, handler) === true && !optional) {
          publicAuth.push(routeName(cls, name));
        }
      }
    };
    for (const wrapper of this.discovery.getControllers()) {
      if (typeof wrapper.metatype === 'function') visit(wrapper.metatype as Type, true);
    }
    for (const wrapper of providers) {
      if (typeof wrapper.metatype === 'function' && !wrapper.inject) {
        visit(wrapper.metatype as Type, false);
      }
    }
    if (unguarded.length > 0) {
      throw new RouteConfigurationError(
        unguarded,
        'routes carry tokenward metadata but no TokenwardGuard runs for them (use the tokenward decorators, @UseGuards(TokenwardGuard) or globalGuard: true)',
      );
    }
    if (publicAuth.length > 0) {
      throw new RouteConfigurationError(
        publicAuth,
        '@Public() routes read @Auth(), which has no identity there (drop @Public(), or add @OptionalAuth())',
      );
    }
  }
}
