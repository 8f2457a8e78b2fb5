import {
  type AuthContext,
  authorizationFromNode,
  createGuardSet,
  createTokenward,
  type GuardSet,
  type Outcome,
  type Requirement,
  type TokenRequest,
  type Tokenward,
  TokenwardHttpError,
  type TokenwardOptions,
  whenSettled,
} from '@tokenward/core';
import type {
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
} from 'fastify';

/** Options of the plugin and of {@link createFastifyTokenward}. */
export interface FastifyTokenwardOptions extends TokenwardOptions {
  /**
   * Throw refusals to Fastify's error handling as a {@link TokenwardHttpError} (it carries
   * `statusCode` and `headers`, which Fastify's default handler applies) instead of sending the
   * response. Default `false`.
   */
  delegateErrors?: boolean;
}

/**
 * The option names this adapter reads itself, plus Fastify's own `register()` options (which
 * Fastify passes to the plugin with ours); the core checks every other name.
 */
const FASTIFY_OPTIONS = ['delegateErrors', 'prefix', 'logLevel', 'logSerializers'] as const;

/** Options of `requireAuth()`. */
export interface RequireAuthOptions {
  /** Let requests without a token through as anonymous (`request.auth` null). Default `false`. */
  optional?: boolean;
}

/**
 * A guard: a hook for `onRequest` (or `preHandler`, to read a parsed form body). Callback-style,
 * so a token already verified is answered without a promise.
 */
export type TokenwardHook = onRequestHookHandler;

/** The guards of one configuration: `requireAuth()` plus every authorization guard. */
export interface FastifyTokenward extends GuardSet<TokenwardHook, FastifyRequest> {
  /** Step 1: verify the bearer token and set `request.auth` (401/400/503 otherwise). */
  requireAuth(options?: RequireAuthOptions): TokenwardHook;
  /** The core instance (warmup, reload, status, verify). */
  readonly core: Tokenward;
}

/** The core's neutral view of a request (cheap: a WeakMap cache of it cost more in GC). */
function toTokenRequest(request: FastifyRequest): TokenRequest<FastifyRequest> {
  return {
    authorization: authorizationFromNode(request.raw.rawHeaders, request.headers.authorization),
    method: request.method,
    url: request.url,
    contentType: request.headers['content-type'],
    body: request.body,
    params: request.params as Record<string, unknown> | undefined,
    route: () => request.routeOptions.url,
    header: (name) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    connection: request.raw.socket,
    raw: request,
  };
}

/**
 * Create the Fastify guards for one configuration without registering the plugin (validated now;
 * throws a ConfigurationError naming a bad option). Most apps register the plugin instead.
 */
export function createFastifyTokenward(options: FastifyTokenwardOptions): FastifyTokenward {
  const core = createTokenward(options, { adapterOptions: FASTIFY_OPTIONS });
  const delegateErrors = options.delegateErrors === true;

  /** Attach the identity and continue, or answer (a hook that answers does not call `done`). */
  function settle(
    outcome: Outcome<AuthContext | undefined>,
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    if (outcome.ok) {
      request.auth = outcome.auth ?? null;
      done();
      return;
    }
    // No identity stays attached after a refusal (a 403 follows a successful requireAuth).
    request.auth = null;
    if (delegateErrors) {
      done(new TokenwardHttpError(outcome.error, outcome.response));
      return;
    }
    const { status, headers, body } = outcome.response;
    reply.code(status).headers(headers).send(body);
  }

  function requireAuth(opts: RequireAuthOptions = {}): TokenwardHook {
    const step = { optional: opts.optional === true };
    return function tokenwardRequireAuth(request, reply, done) {
      whenSettled(
        core.authenticateNow(toTokenRequest(request), step),
        (outcome) => settle(outcome, request, reply, done),
        (error) => done(error as Error),
      );
    };
  }

  function guard(requirement: Requirement): TokenwardHook {
    return function tokenwardGuard(request, reply, done) {
      whenSettled(
        core.authorizeNow(requirement, request.auth ?? undefined, toTokenRequest(request)),
        (outcome) => settle(outcome, request, reply, done),
        (error) => done(error as Error),
      );
    };
  }

  return { core, requireAuth, ...createGuardSet<TokenwardHook, FastifyRequest>(guard) };
}
