/**
 * The framework-neutral view of an HTTP request that the core reads. Adapters build it; the core
 * reads only what the configured options need (the URL only when query tokens are enabled, the
 * body only when body tokens are enabled).
 */
export interface TokenRequest<Raw = unknown> {
  /**
   * Every `Authorization` header value as received, in order. Node adapters read them from
   * `rawHeaders` (Node keeps only the first in `req.headers`); a Fetch `Headers` value, which joins
   * repeated headers with `", "`, may be passed as one string.
   */
  readonly authorization: string | readonly string[] | undefined;
  /** HTTP method, upper case. */
  readonly method?: string | undefined;
  /** Request target (path and query) or absolute URL. Read only when `tokenLocations.query` is on. */
  readonly url?: string | undefined;
  /** `Content-Type` header value. Read only when `tokenLocations.body` is on. */
  readonly contentType?: string | undefined;
  /** Parsed form body. Read only when `tokenLocations.body` is on. */
  readonly body?: unknown;
  /**
   * Route parameters, already decoded by the framework (for organization requirements): the
   * parameters of the matched route, as the framework gives them to the guard. A name missing here
   * is one the route does not have — a server misconfiguration (500) — unless {@link route} shows
   * it is an optional parameter left out of this URL.
   */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /**
   * The matched route's pattern as the framework spells it (`/orgs/:orgId/reports`,
   * `/orgs{/:orgId}`, `/orgs/:orgId?`), or `undefined` when the guard does not run on a route
   * (a middleware mounted on a path). Called only when a parameter is missing from `params`.
   */
  readonly route?: (() => string | undefined) | undefined;
  /** Look up another request header (first value), for custom policies. */
  readonly header?: ((name: string) => string | undefined) | undefined;
  /**
   * The connection the request came on (Node: the socket). A token sent again on the same
   * connection is recognised by string comparison, without hashing. Optional.
   */
  readonly connection?: object | undefined;
  /** The framework's own request object, for custom policies. Never read by the core. */
  readonly raw?: Raw;
}
