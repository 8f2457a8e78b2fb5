import {
  BadRequestException,
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  InternalServerErrorException,
  ServiceUnavailableException,
  type Type,
  UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef, ModulesContainer, Reflector } from '@nestjs/core';
import {
  type AuthContext,
  allOf,
  type Outcome,
  policy,
  type Requirement,
  type TokenRequest,
  type Tokenward,
} from '@tokenward/core';
import { perHandler } from './per-handler.js';
import { defaultRequestLookup, defaultTokenRequest } from './request-lookup.js';
import {
  AuthParamMeta,
  GUARDS_METADATA,
  OptionalAuthMeta,
  PolicyClassRequirement,
  PublicMeta,
  RequirementsMeta,
  type TokenwardPolicy,
} from './route-metadata.js';
import {
  TOKENWARD,
  TOKENWARD_GUARD_SETTINGS,
  type TokenwardGuardSettings,
} from './tokenward.constants.js';
import { verifiedContexts } from './verified-contexts.js';

type Denied = Extract<Outcome, { ok: false }>;

const OPTIONAL = Object.freeze({ optional: true });
const REQUIRED = Object.freeze({ optional: false });

interface RouteMetadata {
  readonly isPublic: boolean;
  readonly optional: boolean;
  /** A subclass of this guard is listed on the route: it verifies, this one steps aside. */
  readonly deferred: boolean;
}

/** Whether a `@UseGuards()` entry is a strict subclass (or an instance of one) of `base`. */
function isSubclassOf(entry: unknown, base: Type): boolean {
  const cls = typeof entry === 'function' ? entry : (entry as object | null)?.constructor;
  return typeof cls === 'function' && cls !== base && cls.prototype instanceof base;
}

/** A header-setting response (Express `res` and Fastify `reply` both have `header()`). */
interface HeaderTarget {
  header(name: string, value: string): unknown;
}

/**
 * The tokenward guard. The tokenward decorators (`@Require*`, `@RequireAuth()`, `@OptionalAuth()`,
 * `@Auth()`) put it on their route themselves; use it per controller or route
 * (`@UseGuards(TokenwardGuard)`) or globally (`forRoot({ ..., globalGuard: true })`) for routes
 * without them. Verifies the token (401/400/503), attaches the identity as `request.auth`, then
 * checks every `@Require*` requirement of the class and the method (403). However many times it
 * is listed for a route (global, controller, method), one request is verified once per core
 * instance. Extend it and override {@link getRequest} / {@link toTokenRequest} to read tokens
 * elsewhere; a subclass listed on a route (or registered globally, which runs first) does the
 * verifying, and the plain `TokenwardGuard` the decorators add steps aside for it.
 */
@Injectable()
export class TokenwardGuard implements CanActivate {
  readonly #requirements = new WeakMap<object, Map<object, Requirement | null>>();
  /** Per controller class and handler: its @Public/@OptionalAuth metadata, read once. */
  readonly #metadata = new WeakMap<object, Map<object, RouteMetadata>>();

  constructor(
    @Inject(TOKENWARD) protected readonly tokenward: Tokenward,
    @Inject(TOKENWARD_GUARD_SETTINGS) protected readonly settings: TokenwardGuardSettings,
    protected readonly reflector: Reflector,
    protected readonly moduleRef: ModuleRef,
    protected readonly modules: ModulesContainer,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Another TokenwardGuard with the same core already let this very invocation through.
    if (verifiedContexts.has(context, this.tokenward)) return true;
    if (this.isPublic(context)) return true;
    const route = this.#metadataOf(context);
    if (route.deferred) return true;
    const step = route.optional ? OPTIONAL : REQUIRED;
    const request = this.getRequest(context) as { auth?: AuthContext } | undefined;
    const tokenRequest = this.toTokenRequest(request, context);
    // A reused request object (a WebSocket client) never keeps an identity from before.
    if (request !== undefined) delete request.auth;

    const authenticated = this.tokenward.authenticateNow(tokenRequest, step);
    return authenticated instanceof Promise
      ? authenticated.then((outcome) =>
          this.#afterAuthentication(outcome, context, request, tokenRequest),
        )
      : this.#afterAuthentication(authenticated, context, request, tokenRequest);
  }

  #afterAuthentication(
    authenticated: Outcome<AuthContext | undefined>,
    context: ExecutionContext,
    request: { auth?: AuthContext } | undefined,
    tokenRequest: TokenRequest,
  ): boolean | Promise<boolean> {
    if (!authenticated.ok) return this.deny(authenticated, context);
    const auth = authenticated.auth;
    const requirement = this.requirementFor(context);
    if (requirement === null) return this.#allow(context, request, auth);
    const authorized = this.tokenward.authorizeNow(requirement, auth, tokenRequest);
    const finish = (outcome: Outcome): boolean | Promise<boolean> =>
      outcome.ok ? this.#allow(context, request, auth) : this.deny(outcome, context);
    return authorized instanceof Promise ? authorized.then(finish) : finish(authorized);
  }

  #allow(
    context: ExecutionContext,
    request: { auth?: AuthContext } | undefined,
    auth: AuthContext | undefined,
  ): true {
    if (request !== undefined && auth !== undefined) request.auth = auth;
    verifiedContexts.add(context, this.tokenward);
    return true;
  }

  /**
   * `@Public()` on the method opens it. `@Public()` on the controller opens the methods that add
   * no guard of their own: a method with a `@Require*`, `@OptionalAuth()` or `@Auth()` stays
   * guarded.
   */
  protected isPublic(context: ExecutionContext): boolean {
    return this.#metadataOf(context).isPublic;
  }

  /**
   * The route's metadata, read with the Reflector on its first request and kept per controller
   * class and handler (decorator metadata is fixed once the classes are defined).
   */
  #metadataOf(context: ExecutionContext): RouteMetadata {
    return perHandler(this.#metadata, context, (cls, handler) => {
      const reflector = this.reflector;
      // A method's own tokenward metadata (even `@RequireAuth()`, an empty requirement list).
      const ownGuard =
        reflector.get(RequirementsMeta, handler) !== undefined ||
        reflector.get(OptionalAuthMeta, handler) === true ||
        reflector.get(AuthParamMeta, handler) === true;
      const listed: readonly unknown[] = [
        ...(reflector.get<unknown[]>(GUARDS_METADATA, cls) ?? []),
        ...(reflector.get<unknown[]>(GUARDS_METADATA, handler) ?? []),
      ];
      const self = this.constructor as Type;
      return {
        // @Public() on a controller opens only methods without tokenward metadata of their own.
        isPublic:
          reflector.get(PublicMeta, handler) === true ||
          (reflector.get(PublicMeta, cls) === true && !ownGuard),
        optional: reflector.getAllAndOverride(OptionalAuthMeta, [handler, cls]) === true,
        deferred: listed.some((entry) => isSubclassOf(entry, self)),
      };
    });
  }

  /** The object the identity is attached to. Override to support other transports. */
  protected getRequest(context: ExecutionContext): object | undefined {
    return defaultRequestLookup(context);
  }

  /** The core's view of the request. Override to read the token from elsewhere. */
  protected toTokenRequest(request: object | undefined, _context: ExecutionContext): TokenRequest {
    return defaultTokenRequest(request);
  }

  /** Class + method requirements, combined with allOf and built once per handler. */
  protected requirementFor(context: ExecutionContext): Requirement | null {
    return perHandler(this.#requirements, context, (cls, handler) => {
      const list = [
        ...(this.reflector.get(RequirementsMeta, cls) ?? []),
        ...(this.reflector.get(RequirementsMeta, handler) ?? []),
      ].map((r) => this.resolve(r, cls));
      return list.length === 0
        ? null
        : list.length === 1
          ? (list[0] as Requirement)
          : allOf(...list);
    });
  }

  /** Turn a policy class into a requirement backed by its instance from the container. */
  private resolve(requirement: Requirement, controller: object): Requirement {
    if (!(requirement instanceof PolicyClassRequirement)) return requirement;
    const cls = requirement.policyClass;
    let instance: Promise<TokenwardPolicy> | undefined;
    const get = () => {
      if (instance === undefined) {
        instance = this.instantiate(cls, controller);
        // A failed creation is retried next time rather than cached.
        instance.catch(() => {
          instance = undefined;
        });
      }
      return instance;
    };
    return policy(
      async (auth, request) => (await get()).allow(auth, request),
      requirement.description,
    );
  }

  /**
   * A registered provider is taken from the container; otherwise the policy is created in the
   * module that declares the controller, so it can inject that module's providers.
   */
  private async instantiate(
    cls: Type<TokenwardPolicy>,
    controller: object,
  ): Promise<TokenwardPolicy> {
    try {
      return this.moduleRef.get(cls, { strict: false });
    } catch {
      let host: ModuleRef | undefined;
      for (const module of this.modules.values()) {
        if (module.controllers.has(controller as Type)) {
          host = module.getProviderByKey<ModuleRef>(ModuleRef)?.instance;
          break;
        }
      }
      return (host ?? this.moduleRef).create(cls);
    }
  }

  /** Answer a refusal: set the headers, then throw the exception Nest will render. */
  protected async deny(outcome: Denied, context: ExecutionContext): Promise<never> {
    const { response, error } = outcome;
    const body = JSON.parse(response.body) as Record<string, unknown>;
    const type = context.getType<string>();
    if (type === 'ws') {
      // Loaded only for gateways, so HTTP-only apps need not install @nestjs/websockets.
      const { WsException } = await import('@nestjs/websockets');
      throw new WsException({ status: response.status, ...body });
    }
    if (type === 'http') {
      const res = context.switchToHttp().getResponse<HeaderTarget>();
      for (const [name, value] of Object.entries(response.headers)) {
        if (name !== 'content-type') res.header(name, value);
      }
    }
    // GraphQL turns only Nest's own exceptions into errors that carry the status.
    if (this.settings.nestExceptions || type === 'graphql') {
      const options = { cause: error };
      switch (response.status) {
        case 400:
          throw new BadRequestException(error.message, options);
        case 403:
          throw new ForbiddenException(error.message, options);
        case 500:
          throw new InternalServerErrorException(error.message, options);
        case 503:
          throw new ServiceUnavailableException(error.message, options);
        default:
          throw new UnauthorizedException(error.message, options);
      }
    }
    throw new HttpException(body, response.status, { cause: error });
  }
}
