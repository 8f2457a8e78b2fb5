import type { AuthError } from '../errors/auth-error.js';
import { type ChallengeOptions, renderChallenge } from '../errors/challenge.js';

/** A framework-neutral HTTP response, ready for an adapter to write as is. */
export interface HttpResponse {
  /** HTTP status code. */
  status: number;
  /** Response headers (names as written). */
  headers: Readonly<Record<string, string>>;
  /** Serialized JSON body. */
  body: string;
}

/** The JSON body of a refusal. */
export interface ErrorBody {
  /**
   * RFC 6750 error code, `unauthorized` when no credentials were sent, `temporarily_unavailable`
   * for 503 (the key set cannot be used: the key server failing, or the key set misconfigured —
   * the client is not told which), `server_error` for 500 (a guard reading a route parameter the
   * route lacks; the details go to the logger).
   */
  error: string;
  /** Human-readable reason; never contains the token or any request-derived value. */
  error_description: string;
}

/** Options for {@link renderError}. */
export interface RenderOptions extends ChallengeOptions {}

/**
 * Turn any refusal into the HTTP response every adapter sends: status, `WWW-Authenticate`
 * (every 400/401/403), `Retry-After` (503), `Cache-Control: no-store` and a small JSON body.
 */
export function renderError(error: AuthError, options: RenderOptions = {}): HttpResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  const challenge = renderChallenge(error, options);
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  const body: ErrorBody = {
    error: error.bearerError ?? fallbackError(error.status),
    error_description: error.message,
  };
  return { status: error.status, headers, body: JSON.stringify(body) };
}

function fallbackError(status: number): string {
  if (status === 503) return 'temporarily_unavailable';
  if (status === 500) return 'server_error';
  return 'unauthorized';
}
