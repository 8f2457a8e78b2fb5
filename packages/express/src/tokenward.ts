import {
  type AuthContext,
  authorizationFromNode,
  createGuardSet,
  createTokenward,
  type GuardSet,
  type HttpResponse,
  type Outcome,
  type Requirement,
  type TokenRequest,
  type Tokenward,
  TokenwardHttpError,
  type TokenwardOptions,
  whenSettled,
} from '@tokenward/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /**
       * The verified identity, set by `requireAuth()`; `undefined` for anonymous requests let
       * through by `requireAuth({ optional: true })` and on routes without `requireAuth`.
       */
      auth?: AuthContext | undefined;
    }
  }
}

/** Options of {@link tokenward}: the core options plus Express-specific ones. */
export interface ExpressTokenwardOptions extends TokenwardOptions {
  /**
   * Hand refusals to Express error handling as a {@link TokenwardHttpError} (`next(err)`) instead
   * of writing the response. Default `false`.
   */
  delegateErrors?: boolean;
}

/** The option names this adapter reads itself (the core checks every other name). */
const EXPRESS_OPTIONS = [
  'delegateErrors',
] as const satisfies readonly (keyof ExpressTokenwardOptions)[];

/** Options of `requireAuth()`. */
export interface RequireAuthOptions {
  /** Let requests without a token through as anonymous (`req.auth` undefined). Default `false`. */
  optional?: boolean;
}

/** The guards of one configuration: `requireAuth()` plus every authorization guard. */
export interface ExpressTokenward extends GuardSet<RequestHandler, Request> {
  /** Step 1: verify the bearer token and set `req.auth` (401/400/503 otherwise). */
  requireAuth(options?: RequireAuthOptions): RequestHandler;
  /** The core instance (warmup, reload, status, verify). */
  readonly core: Tokenward;
}

/** The core's neutral view of a request (cheap: a WeakMap cache of it cost more in GC). */
function toTokenRequest(req: Request): TokenRequest<Request> {
  return {
    authorization: authorizationFromNode(req.rawHeaders, req.headers.authorization),
    method: req.method,
    url: req.originalUrl,
    contentType: req.headers['content-type'],
    body: req.body,
    params: req.params,
    route: () => (typeof req.route?.path === 'string' ? req.route.path : undefined),
    header: (name) => req.get(name),
    connection: req.socket,
    raw: req,
  };
}

function send(res: Response, response: HttpResponse): void {
  // Something else (a timeout middleware) already answered: never write twice.
  if (res.headersSent) return;
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/**
 * Create the Express guards for one configuration (validated now; throws a ConfigurationError
 * naming a bad option).
 *
 * ```ts
 * const auth = tokenward({ issuer: 'https://auth.example.com/oidc', audience: 'https://api.example.com' });
 * app.get('/reports', auth.requireAuth(), auth.requireScope('read:report'), (req, res) => {
 *   res.json({ user: req.auth?.subject });
 * });
 * ```
 */
export function tokenward(options: ExpressTokenwardOptions): ExpressTokenward {
  const core = createTokenward(options, { adapterOptions: EXPRESS_OPTIONS });
  const delegateErrors = options.delegateErrors === true;

  function settle(
    outcome: Outcome<AuthContext | undefined>,
    req: Request,
    res: Response,
    next: NextFunction,
  ): void {
    if (outcome.ok) {
      req.auth = outcome.auth;
      next();
      return;
    }
    // No identity stays attached after a refusal (a 403 follows a successful requireAuth).
    delete req.auth;
    if (delegateErrors) {
      next(new TokenwardHttpError(outcome.error, outcome.response));
    } else {
      send(res, outcome.response);
    }
  }

  function requireAuth(opts: RequireAuthOptions = {}): RequestHandler {
    const step = { optional: opts.optional === true };
    return (req, res, next) => {
      whenSettled(
        core.authenticateNow(toTokenRequest(req), step),
        (outcome) => settle(outcome, req, res, next),
        next,
      );
    };
  }

  function guard(requirement: Requirement): RequestHandler {
    return (req, res, next) => {
      whenSettled(
        core.authorizeNow(requirement, req.auth, toTokenRequest(req)),
        (outcome) => settle(outcome, req, res, next),
        next,
      );
    };
  }

  return { core, requireAuth, ...createGuardSet<RequestHandler, Request>(guard) };
}

/**
 * The verified identity of a request guarded by `requireAuth()`. Throws a clear error when there
 * is none (the route has no `requireAuth()`, or optional auth let an anonymous request through).
 */
export function getAuth(req: Request): AuthContext {
  const auth = req.auth;
  if (auth === undefined) {
    throw new Error(
      'tokenward: no verified identity on this request — add requireAuth() before this handler',
    );
  }
  return auth;
}
