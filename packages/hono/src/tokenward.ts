import {
  type AuthContext,
  authorizationFromRawHeaders,
  createGuardSet,
  createTokenward,
  type GuardSet,
  type HttpResponse,
  type Outcome,
  type Requirement,
  type TokenRequest,
  type Tokenward,
  type TokenwardOptions,
} from '@tokenward/core';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

/** Hono environment contributed by the guards: `c.var.auth`. */
export interface TokenwardEnv {
  Variables: {
    /** The verified identity, set by `requireAuth()`; `undefined` for anonymous requests. */
    auth: AuthContext | undefined;
  };
}

/** Options of {@link tokenward}: the core options plus Hono-specific ones. */
export interface HonoTokenwardOptions extends TokenwardOptions {
  /**
   * Throw refusals as Hono `HTTPException`s (whose `getResponse()` is tokenward's response) for
   * `app.onError` to handle, instead of returning the response. Default `false`.
   */
  delegateErrors?: boolean;
}

/** The option names this adapter reads itself (the core checks every other name). */
const HONO_OPTIONS = ['delegateErrors'] as const satisfies readonly (keyof HonoTokenwardOptions)[];

/** Options of `requireAuth()`. */
export interface RequireAuthOptions {
  /** Let requests without a token through as anonymous (`c.var.auth` undefined). Default `false`. */
  optional?: boolean;
}

/** A guard: Hono middleware that sets or reads `c.var.auth`. */
export type TokenwardMiddleware = MiddlewareHandler<TokenwardEnv>;

/** The guards of one configuration: `requireAuth()` plus every authorization guard. */
export interface HonoTokenward extends GuardSet<TokenwardMiddleware, Context> {
  /** Step 1: verify the bearer token and set `c.var.auth` (401/400/503 otherwise). */
  requireAuth(options?: RequireAuthOptions): TokenwardMiddleware;
  /** The core instance (warmup, reload, status, verify). */
  readonly core: Tokenward;
}

/** The part of Node's `IncomingMessage` the guards read (on @hono/node-server). */
interface NodeIncoming {
  readonly rawHeaders: readonly string[];
  readonly socket?: object;
}

/**
 * Where @hono/node-server's request object keeps its `IncomingMessage`, and the Fetch `Headers`
 * it builds on first access (found once, on the first request).
 */
let incomingKey: symbol | undefined;
let headersKey: symbol | undefined;

/** The own property of `raw` holding `value`, if any. */
function keyHolding(raw: Record<symbol, unknown>, value: unknown): symbol | undefined {
  for (const key of Object.getOwnPropertySymbols(raw)) if (raw[key] === value) return key;
  return undefined;
}

/**
 * On @hono/node-server, the `IncomingMessage` this very request was made from — only when
 * `c.req.raw` is node-server's request wrapping exactly `c.env.incoming` (not a request built or
 * forwarded in the app with the same env).
 */
function nodeIncoming(c: Context): NodeIncoming | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (typeof incoming !== 'object' || incoming === null) return undefined;
  if (!Array.isArray((incoming as { rawHeaders?: unknown }).rawHeaders)) return undefined;
  const raw = c.req.raw as unknown as Record<symbol, unknown>;
  if (incomingKey !== undefined && raw[incomingKey] === incoming) return incoming as NodeIncoming;
  const key = keyHolding(raw, incoming);
  if (key === undefined) return undefined;
  incomingKey = key;
  // Build this one request's Headers to learn where node-server keeps them.
  headersKey = keyHolding(raw, c.req.raw.headers);
  return incoming as NodeIncoming;
}

/**
 * The Authorization lines: from the socket's raw header lines while node-server has not built
 * the request's `Headers` (so nothing can have changed them) — no `Headers` object per request,
 * and repeated lines stay apart; otherwise from the `Headers`, which a middleware before the
 * guard may have set (Fetch joins repeated lines with ", "; the core splits them again).
 */
function authorizationOf(
  c: Context,
  incoming: NodeIncoming | undefined,
): string | readonly string[] | undefined {
  const raw = c.req.raw;
  if (
    incoming !== undefined &&
    headersKey !== undefined &&
    (raw as unknown as Record<symbol, unknown>)[headersKey] === undefined
  ) {
    return authorizationFromRawHeaders(incoming.rawHeaders);
  }
  return raw.headers.get('authorization') ?? undefined;
}

/**
 * The core's neutral view of a request. Only what the core reads for this step is computed: route
 * parameters for authorization guards, the content type when body tokens are on; other headers
 * are looked up when a policy asks.
 */
function toTokenRequest(
  c: Context,
  body: unknown,
  readsContentType: boolean,
  readsParams: boolean,
): TokenRequest<Context> {
  const incoming = nodeIncoming(c);
  return {
    authorization: authorizationOf(c, incoming),
    method: c.req.method,
    url: c.req.url,
    contentType: readsContentType ? c.req.header('content-type') : undefined,
    body,
    params: readsParams ? (c.req.param() as Record<string, unknown>) : undefined,
    // `routePath` (deprecated for the 'hono/route' helper, which needs hono 4.8; we support 4.6).
    route: () => c.req.routePath,
    header: (name) => c.req.header(name),
    // On Node the socket identifies the connection; elsewhere there is none.
    connection: incoming?.socket,
    raw: c,
  };
}

/**
 * Write tokenward's response through the context, so headers set earlier by other middleware are
 * kept and tokenward's own (`WWW-Authenticate`, `Cache-Control: no-store`, ...) win.
 */
function toResponse(c: Context, response: HttpResponse): Response {
  for (const [name, value] of Object.entries(response.headers)) c.header(name, value);
  return c.body(response.body, response.status as 401);
}

/**
 * Create the Hono guards for one configuration (validated now; throws a ConfigurationError naming
 * a bad option). Runs unchanged on Node, Bun, Deno and Cloudflare Workers.
 *
 * ```ts
 * const auth = tokenward({ issuer, audience });
 * app.get('/reports', auth.requireAuth(), auth.requireScope('read:report'), (c) =>
 *   c.json({ user: c.var.auth?.subject }));
 * ```
 */
export function tokenward(options: HonoTokenwardOptions): HonoTokenward {
  const core = createTokenward(options, { adapterOptions: HONO_OPTIONS });
  const delegateErrors = options.delegateErrors === true;
  const readBody = core.acceptsBodyTokens;

  function deny(c: Context, outcome: Extract<Outcome, { ok: false }>): Response {
    // No identity stays attached after a refusal (a 403 follows a successful requireAuth).
    c.set('auth', undefined);
    const response = toResponse(c, outcome.response);
    if (delegateErrors) {
      throw new HTTPException(outcome.response.status as 400, {
        res: response,
        message: outcome.error.message,
        cause: outcome.error,
      });
    }
    return response;
  }

  async function formBody(c: Context): Promise<unknown> {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
    try {
      return await c.req.parseBody({ all: true });
    } catch {
      // The body was consumed elsewhere or is unreadable: there is no body token to find.
      return undefined;
    }
  }

  function requireAuth(opts: RequireAuthOptions = {}): TokenwardMiddleware {
    const step = { optional: opts.optional === true };
    return async (c, next) => {
      const body = readBody ? await formBody(c) : undefined;
      const pending = core.authenticateNow(toTokenRequest(c, body, readBody, false), step);
      const outcome = pending instanceof Promise ? await pending : pending;
      if (!outcome.ok) return deny(c, outcome);
      c.set('auth', outcome.auth);
      await next();
    };
  }

  function guard(requirement: Requirement): TokenwardMiddleware {
    return async (c, next) => {
      const request = toTokenRequest(c, undefined, false, true);
      const pending = core.authorizeNow(requirement, c.get('auth'), request);
      const outcome = pending instanceof Promise ? await pending : pending;
      if (!outcome.ok) return deny(c, outcome);
      await next();
    };
  }

  return { core, requireAuth, ...createGuardSet<TokenwardMiddleware, Context>(guard) };
}

/**
 * The verified identity of a request guarded by `requireAuth()`. Throws a clear error when there
 * is none (no `requireAuth()` on the route, or an anonymous request under optional auth).
 */
export function getAuth(c: Context): AuthContext {
  const auth = c.get('auth') as AuthContext | undefined;
  if (auth === undefined) {
    throw new Error(
      'tokenward: no verified identity on this request — add requireAuth() before this handler',
    );
  }
  return auth;
}
