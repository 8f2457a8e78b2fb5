import type { AuthError } from './auth-error.js';

/**
 * Characters allowed in an RFC 6750 `error_description` / `scope` / `realm` quoted value:
 * %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and `\`).
 */
const UNSAFE = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/** Longest quoted value rendered in a challenge, in characters. */
const MAX_VALUE_LENGTH = 256;

/**
 * Make a value safe for a quoted-string in `WWW-Authenticate`: anything outside RFC 6750's
 * allowed set (CR, LF, quotes, backslashes, non-ASCII) is replaced by `?`, and the result is cut to
 * 256 characters. A header built from it can never split, break quoting, or make Node throw.
 */
export function sanitizeChallengeValue(value: string): string {
  const cut = value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value;
  return cut.replace(UNSAFE, '?');
}

/** Options for rendering a challenge. */
export interface ChallengeOptions {
  /** `realm` attribute of the challenge. Default: none. */
  realm?: string | undefined;
}

/**
 * Render the `WWW-Authenticate` value for a refusal (RFC 6750 §3): a bare `Bearer` (plus realm)
 * when no credentials were sent, otherwise `error`, `error_description` and, for a 403, the
 * missing `scope`. Returns `undefined` for errors that carry no challenge (500, 503).
 */
export function renderChallenge(
  error: AuthError,
  options: ChallengeOptions = {},
): string | undefined {
  if (error.status >= 500) return undefined;
  const params: string[] = [];
  if (options.realm !== undefined) params.push(`realm="${sanitizeChallengeValue(options.realm)}"`);
  if (error.bearerError !== undefined) {
    params.push(`error="${error.bearerError}"`);
    params.push(`error_description="${sanitizeChallengeValue(error.message)}"`);
    if (error.scopes.length > 0) {
      params.push(`scope="${sanitizeChallengeValue(error.scopes.join(' '))}"`);
    }
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}
