/**
 * What the HTTP tables share: the conformance table (`test/conformance/cases.ts`) and the attack
 * table (`test/attacks/cases.ts`). The shape of a row (request with `{name}` token placeholders,
 * expected answer), the small builders the rows are written with, and the preparation that mints a
 * row's tokens once per run and fills its placeholders.
 *
 * Runtime-neutral (no `node:` imports, no Node globals such as `Buffer`): the conformance table
 * imports this file and must stay loadable on Bun, Deno and workerd.
 */
import type { HandlerCall } from '../conformance/routes.js';

/** The default subject of minted tokens (and of the identity the handler sees on success). */
export const USER = 'user-123';

/** One raw header line: name and value, sent as is (a value may hold raw bytes as Latin-1). */
export type HeaderLine = readonly [name: string, value: string];

/** The request of a row. */
export interface RowRequest<M extends string = string> {
  readonly method: M;
  /** Path and query, with `{name}` token placeholders. */
  readonly path: string;
  /** Header lines in order (duplicates allowed), with `{name}` token placeholders. */
  readonly headers: readonly HeaderLine[];
  /** Request body (with `{name}` token placeholders); needs a content-type line. */
  readonly body?: string;
}

/** What the handler saw on success (the route is the row's `route`). */
export type Identity = Omit<HandlerCall, 'route'>;

/** The expected answer; `Server` names the servers a row can require to stay untouched. */
export interface Expectation<Server extends string = string> {
  readonly status: number;
  /** Exact `WWW-Authenticate` value, or `null` when the header must be absent. */
  readonly wwwAuthenticate: string | null;
  /** `error` of the JSON body (refusals only). */
  readonly error?: string;
  /** `error_description` of the JSON body (refusals only). */
  readonly description?: string;
  /** Whether the route handler ran. Always false on a refusal. */
  readonly handlerRan: boolean;
  /** The identity the handler saw (2xx only). */
  readonly saw?: Identity;
  /** A `Retry-After` of whole seconds (>= 1) is required (503). */
  readonly retryAfter?: boolean;
  /** Servers that must receive no request while the row runs (no key from the token, no SSRF). */
  readonly untouched?: readonly Server[];
  /** Response headers that must not exist (header injection). */
  readonly absentHeaders?: readonly string[];
}

/** Mints (or forges) a token from the fixture `Fx`. */
export type TokenRecipe<Fx> = (fx: Fx) => string | Promise<string>;

/** One row of a table. */
export interface TableRow<Fx, M extends string, E> {
  /** Unique; also the test name. */
  readonly name: string;
  /** The route pattern hit, with its mount prefix (as in `HandlerCall.route`). */
  readonly route: string;
  /** Tokens used by the request's placeholders. */
  readonly tokens?: Readonly<Record<string, TokenRecipe<Fx>>>;
  readonly request: RowRequest<M>;
  readonly expect: E;
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

export function get(path: string, ...headers: HeaderLine[]): RowRequest<'GET'> {
  return { method: 'GET', path, headers };
}

/** `HEAD` hits the GET route (every framework answers HEAD through it, without a body). */
export function head(path: string, ...headers: HeaderLine[]): RowRequest<'HEAD'> {
  return { method: 'HEAD', path, headers };
}

/** `Authorization: <value>` */
export function authorization(value: string): HeaderLine {
  return ['Authorization', value];
}

/** `Authorization: Bearer {token}` */
export const bearer = authorization('Bearer {token}');

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

/**
 * The challenge for a refusal. The core makes every quoted value safe (RFC 6750 allows no `"` or
 * `\\` in it) by replacing such characters with `?`, so `The "iss" claim` renders as `The ?iss? claim`.
 */
function challenge(error: string, description: string, scope?: string): string {
  const safe = description.replace(/["\\]/g, '?');
  const base = `Bearer error="${error}", error_description="${safe}"`;
  return scope === undefined ? base : `${base}, scope="${scope}"`;
}

/** The identity of an anonymous request that reached the handler. */
export const anonymous: Partial<Identity> = { authenticated: false, subject: null };

/**
 * The expectation builders, typed for a table's own expectation `E` (its untouchable servers,
 * and any member of its own in `extra`).
 */
export function expectations<E extends Expectation>() {
  function refusal(
    status: number,
    error: string,
    description: string,
    wwwAuthenticate: string | null,
    extra: Partial<E> = {},
  ): E {
    return { status, wwwAuthenticate, error, description, handlerRan: false, ...extra } as E;
  }

  return {
    /** 401, bare `Bearer` challenge: no credentials. */
    noCredentials(description = 'A bearer token is required'): E {
      return refusal(401, 'unauthorized', description, 'Bearer');
    },

    /** 400 `invalid_request`. */
    badRequest(description: string, extra?: Partial<E>): E {
      return refusal(
        400,
        'invalid_request',
        description,
        challenge('invalid_request', description),
        extra,
      );
    },

    /** 401 `invalid_token`. */
    invalidToken(description: string, extra?: Partial<E>): E {
      return refusal(
        401,
        'invalid_token',
        description,
        challenge('invalid_token', description),
        extra,
      );
    },

    /** 403 `insufficient_scope`, with the `scope` attribute when given. */
    forbidden(description: string, scope?: string, extra?: Partial<E>): E {
      return refusal(
        403,
        'insufficient_scope',
        description,
        challenge('insufficient_scope', description, scope),
        extra,
      );
    },

    /** 503, no challenge, `Retry-After`. */
    unavailable(extra?: Partial<E>): E {
      return refusal(
        503,
        'temporarily_unavailable',
        'The token signing keys are unavailable',
        null,
        { retryAfter: true, ...extra } as Partial<E>,
      );
    },

    /**
     * 500 `server_error`, no challenge, no `Retry-After`: the server is misconfigured (a guard
     * reading a route parameter the route lacks). The body says nothing about the configuration.
     * (A misconfigured key set is not this: it answers {@link unavailable}.)
     */
    serverError(extra?: Partial<E>): E {
      return refusal(500, 'server_error', 'The server is not configured correctly', null, extra);
    },

    /** 200, the handler ran and saw this identity. */
    allowed(saw: Partial<Identity> = {}): E {
      return {
        status: 200,
        wwwAuthenticate: null,
        handlerRan: true,
        saw: { authenticated: true, subject: USER, organizationId: null, ...saw },
      } as E;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Preparing a row
// ---------------------------------------------------------------------------------------------

/** A row's request with its placeholders filled, and the tokens minted for it. */
export interface PreparedRow<M extends string = string> {
  readonly request: RowRequest<M>;
  /** The minted tokens, which must never be echoed back. */
  readonly tokens: readonly string[];
}

/**
 * A `prepare(row)` that mints the row's tokens once per run (by row name, from the fixture
 * `fixture()` returns when the row is first prepared) and fills the `{name}` placeholders of its
 * path, header values and body.
 */
export function rowPreparer<Fx>(
  fixture: () => Fx,
): <M extends string>(row: TableRow<Fx, M, unknown>) => Promise<PreparedRow<M>> {
  const prepared = new Map<string, Promise<PreparedRow>>();
  return <M extends string>(row: TableRow<Fx, M, unknown>) => {
    let ready = prepared.get(row.name) as Promise<PreparedRow<M>> | undefined;
    if (ready === undefined) {
      ready = (async () => {
        const entries = await Promise.all(
          Object.entries(row.tokens ?? {}).map(async ([name, recipe]) => {
            return [name, await recipe(fixture())] as const;
          }),
        );
        const tokens = new Map(entries);
        const fill = (template: string) =>
          template.replace(/\{(\w+)\}/g, (_, name: string) => {
            const token = tokens.get(name);
            if (token === undefined) throw new Error(`${row.name}: no token named "${name}"`);
            return token;
          });
        const request: RowRequest<M> = {
          method: row.request.method,
          path: fill(row.request.path),
          headers: row.request.headers.map(([name, value]) => [name, fill(value)] as const),
          ...(row.request.body === undefined ? {} : { body: fill(row.request.body) }),
        };
        return { request, tokens: [...tokens.values()] };
      })();
      prepared.set(row.name, ready);
    }
    return ready;
  };
}
