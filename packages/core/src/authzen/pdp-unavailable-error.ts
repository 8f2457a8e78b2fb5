import { AuthError, type AuthErrorOptions } from '../errors/auth-error.js';

/**
 * 503: the policy decision point could not be asked (unreachable, timed out, answered 5xx, a
 * non-200 status, a redirect, or a body that is not an AuthZEN decision). Fails closed; the
 * reason is the refusal's `cause`, never rendered.
 */
export class PdpUnavailableError extends AuthError {
  override readonly name = 'PdpUnavailableError';
  constructor(
    message = 'The authorization service is temporarily unavailable',
    options?: AuthErrorOptions,
  ) {
    super('decision', 'pdp_unavailable', message, options);
  }
}
