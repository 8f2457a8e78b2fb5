import { AuthError, type AuthErrorCode, type AuthErrorOptions } from './auth-error.js';

/** What the client is told about a misconfiguration: nothing about the configuration itself. */
const CLIENT_MESSAGE = 'The server is not configured correctly';

/**
 * 500 (no challenge, body `server_error`): the request was refused because the server's own
 * code or routing is wrong — a guard reading a route parameter the route does not have
 * (`route_param_missing`). The client is not to blame, so it gets no 401/403.
 *
 * A misconfigured key set (a discovery document naming another issuer, a key set with no usable
 * key) is not one of these: it answers the ordinary key-set 503 with `Retry-After`, like any key
 * infrastructure failure, and is reported to the operator (logged once, and a `ConfigurationError`
 * from `warmup()`).
 *
 * `message` (rendered) says only that the server is misconfigured; `detail` and `details` say
 * what disagrees, with both values, for the logs — they are never rendered and never hold a token.
 */
export class MisconfigurationError extends AuthError {
  override readonly name = 'MisconfigurationError';
  /** What is wrong and how to fix it, with the values that disagree. For logs only. */
  readonly detail: string;
  /** The values that disagree (option names, configured and observed values). For logs only. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: AuthErrorCode,
    detail: string,
    details: Readonly<Record<string, unknown>> = {},
    options?: AuthErrorOptions,
  ) {
    super('server', code, CLIENT_MESSAGE, options);
    this.detail = detail;
    this.details = details;
  }
}
