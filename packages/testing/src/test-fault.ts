/**
 * A fault injected into the issuer's answers for one request path, applied alike by the HTTP
 * server and the in-memory `fetch`. Each field overrides one part of the normal response; an
 * omitted field keeps the normal value. Set with `TestIssuer.setFault(path, fault)`.
 *
 * @example Key server down: `{ status: 503 }`. Broken JWKS: `{ body: '{"keys":' }`.
 * Slow key server: `{ delayMs: 5_000 }`.
 */
export interface TestFault {
  /** Response status, an integer from 200 to 599. Default: the normal status (200, or 404/405). */
  status?: number;
  /** Response body, sent as is. Default: the normal body (the JSON document). */
  body?: string;
  /** Delay before answering, in milliseconds. Abortable (request `signal`, client disconnect). Default 0. */
  delayMs?: number;
  /** `content-type` response header. Default: the normal one (`application/json` for known paths). */
  contentType?: string;
}

/**
 * Throws a `TypeError` unless `fault` is a valid {@link TestFault}.
 *
 * @internal
 */
export function assertTestFault(fault: TestFault): void {
  const { status, body, delayMs, contentType } = fault;
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw new TypeError(
      `TestFault.status must be an integer from 200 to 599; got ${String(status)}`,
    );
  }
  if (body !== undefined && typeof body !== 'string') {
    throw new TypeError('TestFault.body must be a string');
  }
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new TypeError(
      `TestFault.delayMs must be a finite number of milliseconds >= 0; got ${String(delayMs)}`,
    );
  }
  if (contentType !== undefined && typeof contentType !== 'string') {
    throw new TypeError('TestFault.contentType must be a string');
  }
}
