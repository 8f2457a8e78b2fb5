import type { AuthError } from '../errors/auth-error.js';
import type { HttpResponse } from './render-error.js';

/**
 * A refusal packaged for a framework's own error handling (opt-in on every adapter): carries the
 * HTTP `status`/`statusCode`, the rendered `headers` and `body`, and the {@link AuthError} as
 * `authError` (also the `cause`). Express error handlers read `status`; Fastify reads `statusCode`
 * and `headers`.
 */
export class TokenwardHttpError extends Error {
  override readonly name = 'TokenwardHttpError';
  /** HTTP status. */
  readonly status: number;
  /** Same as `status` (Fastify, http-errors convention). */
  readonly statusCode: number;
  /** Headers to send (`WWW-Authenticate`, `Retry-After`, ...). */
  readonly headers: Readonly<Record<string, string>>;
  /** The serialized JSON body tokenward would have sent. */
  readonly body: string;
  /** The refusal. */
  readonly authError: AuthError;
  /** The message is safe to show to clients (http-errors convention). */
  readonly expose = true;

  constructor(error: AuthError, response: HttpResponse) {
    super(error.message, { cause: error });
    this.status = response.status;
    this.statusCode = response.status;
    this.headers = response.headers;
    this.body = response.body;
    this.authError = error;
  }
}
