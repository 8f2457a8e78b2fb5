import { AuthError, type AuthErrorCode, type AuthErrorOptions } from './auth-error.js';

/** What the client is told about a misconfiguration: nothing about the configuration itself. */
const CLIENT_MESSAGE = 'The server is not configured correctly';

/**
 * 500 (no challenge, body `server_error`): the request was refused because the server's own
 * configuration is wrong — a guard reading a route parameter the route does not have
 * (`route_param_missing`), a discovery document naming another issuer
 * (`discovery_issuer_mismatch`), a key set with no usable key (`key_set_unusable`). The client
 * is not to blame, so it gets neither a 401/403 nor a 503 inviting it to retry.
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
