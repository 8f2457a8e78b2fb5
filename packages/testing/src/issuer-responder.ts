import { abortableSleep } from './abortable-sleep.js';
import { assertTestFault, type TestFault } from './test-fault.js';

/** A request as the responder sees it. @internal */
export interface IssuerRequest {
  /** HTTP method, upper case. */
  method: string;
  /** URL path, percent-encoded as in a `URL`'s `pathname`. */
  pathname: string;
  /** Aborts a pending fault delay. */
  signal?: AbortSignal;
}

/** A response the HTTP server or the in-memory fetch writes as is. @internal */
export interface IssuerResponse {
  status: number;
  headers: Record<string, string>;
  /** `null` for HEAD requests. */
  body: string | null;
}

/** Produces the JSON document served at a path, at the time of the request. @internal */
export type DocumentProducer = () => unknown;

/**
 * The transport-independent part of the issuer: routes, request counting and faults. Both the
 * HTTP server and the in-memory fetch answer through one responder, so they behave the same.
 *
 * @internal
 */
export interface IssuerResponder {
  /** Serves `produce()` as JSON at `pathname` for GET and HEAD. */
  route(pathname: string, produce: DocumentProducer): void;
  /** Counts the request, applies the path's fault if any, and answers. */
  respond(request: IssuerRequest): Promise<IssuerResponse>;
  /** Sets (or with `undefined`, clears) the fault of a path. */
  setFault(pathname: string, fault: TestFault | undefined): void;
  /** Requests answered for `pathname`, or for all paths when omitted. */
  requestCount(pathname?: string): number;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * Creates an {@link IssuerResponder} with no routes.
 *
 * @internal
 */
export function createIssuerResponder(): IssuerResponder {
  const routes = new Map<string, DocumentProducer>();
  const faults = new Map<string, TestFault>();
  const counts = new Map<string, number>();

  const normalResponse = (method: string, pathname: string): IssuerResponse => {
    const produce = routes.get(pathname);
    if (produce === undefined) {
      return { status: 404, headers: { 'content-type': TEXT }, body: 'Not Found' };
    }
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        status: 405,
        headers: { 'content-type': TEXT, allow: 'GET, HEAD' },
        body: 'Method Not Allowed',
      };
    }
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    return { status: 200, headers, body: JSON.stringify(produce()) };
  };

  return {
    route(pathname, produce) {
      routes.set(pathname, produce);
    },
    async respond({ method, pathname, signal }) {
      counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
      const fault = faults.get(pathname);
      if (fault?.delayMs) await abortableSleep(fault.delayMs, signal);
      const normal = normalResponse(method, pathname);
      const response: IssuerResponse = fault
        ? {
            status: fault.status ?? normal.status,
            headers:
              fault.contentType === undefined
                ? normal.headers
                : { ...normal.headers, 'content-type': fault.contentType },
            body: fault.body ?? normal.body,
          }
        : normal;
      return method === 'HEAD' ? { ...response, body: null } : response;
    },
    setFault(pathname, fault) {
      if (typeof pathname !== 'string' || !pathname.startsWith('/')) {
        throw new TypeError(
          `setFault(path) must be a URL path starting with '/'; got ${String(pathname)}`,
        );
      }
      if (fault === undefined) {
        faults.delete(pathname);
        return;
      }
      assertTestFault(fault);
      faults.set(pathname, { ...fault });
    },
    requestCount(pathname) {
      if (pathname !== undefined) return counts.get(pathname) ?? 0;
      let total = 0;
      for (const count of counts.values()) total += count;
      return total;
    },
  };
}
