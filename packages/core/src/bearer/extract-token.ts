import { InvalidRequestError, InvalidTokenError, MissingTokenError } from '../errors/auth-error.js';
import type { TokenRequest } from './token-request.js';

/** Where, besides the `Authorization` header, a bearer token may be sent (RFC 6750 §2). */
export interface TokenLocations {
  /** Accept `?access_token=` in the URL (RFC 6750 §2.3; discouraged). Default `false`. */
  query?: boolean;
  /** Accept `access_token` in an `application/x-www-form-urlencoded` body (§2.2). Default `false`. */
  body?: boolean;
}

/** Resolved options of {@link extractToken}. */
export interface ExtractOptions {
  /** Accept a query token. */
  readonly query: boolean;
  /** Accept a form-body token. */
  readonly body: boolean;
  /** Longest accepted token, in characters; longer ones are refused before any decoding. */
  readonly maxTokenLength: number;
}

/** RFC 6750 §2.1 `b64token`: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** The auth-scheme `Bearer`, any case, followed by exactly one space. */
const BEARER_PREFIX = /^bearer /i;
/** Any other auth-scheme: a token68-ish word, optionally followed by credentials. */
const SCHEME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+(?: |$)/;

/**
 * Find the bearer token in a request (RFC 6750 §2): the `Authorization` header, and — only when
 * enabled — the `access_token` query parameter or form body field.
 *
 * - no token anywhere, or only another scheme (`Basic ...`) → {@link MissingTokenError} (401,
 *   bare challenge);
 * - a broken `Bearer` header, several `Authorization` values, or a token sent more than one way →
 *   {@link InvalidRequestError} (400 `invalid_request`);
 * - a token longer than `maxTokenLength` → {@link InvalidTokenError} (401), checked before decoding.
 */
export function extractToken(request: TokenRequest, options: ExtractOptions): string {
  const fromHeader = headerToken(request.authorization);
  const fromQuery = options.query ? queryToken(request.url) : undefined;
  const fromBody = options.body ? bodyToken(request) : undefined;
  const found = [fromHeader, fromQuery, fromBody].filter((t) => t !== undefined);
  if (found.length === 0) throw new MissingTokenError();
  if (found.length > 1) {
    throw new InvalidRequestError('multiple_tokens', 'The token was sent in more than one way');
  }
  const token = found[0] as string;
  if (token.length > options.maxTokenLength) {
    throw new InvalidTokenError('token_too_large', 'The token is too large');
  }
  return token;
}

/** A part that starts a credential: an auth-scheme alone or followed by a space (RFC 9110 §11.4). */
const CREDENTIAL_START = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+(?: |$)/;
/** A part that is an auth-param (`name=token` or `name="quoted"`) continuing a credential. */
const AUTH_PARAM =
  /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+ *= *(?:[A-Za-z0-9!#$%&'*+\-.^_`|~]+|"(?:[^"\\]|\\.)*")$/;
const BEARER_SCHEME = /^bearer(?:\s|$)/i;

/**
 * Split a Fetch-joined value (`"Basic x, Bearer y"`) back into the header lines it came from, so
 * Node adapters (which see each line) and Fetch adapters (which see one joined string) agree.
 * After a comma and a space, an auth-param continues the credential before it (`Digest a="1",
 * b="2"` stays one line) and an auth-scheme starts a new line; an empty part is an empty line;
 * anything else (`Bearer a,b`) stays in the line it is in. Returns the lines when there are
 * several, `undefined` for a single one.
 */
function splitJoined(value: string): readonly string[] | undefined {
  if (!value.includes(',')) return undefined;
  const parts = value.split(',');
  const lines: string[] = [parts[0] as string];
  for (let i = 1; i < parts.length; i++) {
    const raw = parts[i] as string;
    const part = raw.trim();
    const last = lines.length - 1;
    const spaced = raw.startsWith(' ');
    if (part === '') {
      lines.push(''); // an empty line (runtimes trim the joined value's trailing space)
    } else if (spaced && lines[last] !== '' && AUTH_PARAM.test(part)) {
      lines[last] = `${lines[last]},${raw}`;
    } else if (spaced && CREDENTIAL_START.test(part)) {
      lines.push(part);
    } else {
      lines[last] = `${lines[last]},${raw}`; // "Bearer a,b": one malformed line
    }
  }
  return lines.length > 1 ? lines : undefined;
}

function headerToken(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const lines = typeof value === 'string' ? splitJoined(value) : value;
  if (lines !== undefined) {
    if (lines.length === 0) return undefined;
    if (lines.length === 1) return headerToken(lines[0]);
    // Several Authorization lines: a malformed request when one carries a bearer credential;
    // otherwise (e.g. two Basic lines) there simply is no bearer token.
    if (lines.some((line) => BEARER_SCHEME.test(line))) {
      throw new InvalidRequestError(
        'multiple_tokens',
        'More than one Authorization header was sent',
      );
    }
    return undefined;
  }
  const line = value as string;
  if (line === '') return undefined;
  if (!BEARER_PREFIX.test(line)) {
    // Another scheme (Basic, DPoP, ...) is not a bearer credential: answer as if none were sent.
    if (SCHEME.test(line) && !BEARER_SCHEME.test(line)) return undefined;
    throw new InvalidRequestError('malformed_credentials', 'The Authorization header is malformed');
  }
  const token = line.slice(7);
  if (!B64TOKEN.test(token)) {
    throw new InvalidRequestError('malformed_credentials', 'The Authorization header is malformed');
  }
  return token;
}

function queryToken(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  const values = params.getAll('access_token');
  if (values.length === 0) return undefined;
  if (values.length > 1) {
    throw new InvalidRequestError('multiple_tokens', 'The token was sent in more than one way');
  }
  return checkedParam(values[0] as string);
}

function bodyToken(request: TokenRequest): string | undefined {
  // RFC 6750 §2.2: never with a method whose body has no defined semantics (GET, HEAD).
  const method = request.method?.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return undefined;
  const type = request.contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const body = request.body;
  if (body === null || typeof body !== 'object') return undefined;
  if (!Object.hasOwn(body, 'access_token')) return undefined;
  const value = (body as Record<string, unknown>).access_token;
  if (Array.isArray(value)) {
    throw new InvalidRequestError('multiple_tokens', 'The token was sent in more than one way');
  }
  if (typeof value !== 'string') {
    throw new InvalidRequestError('malformed_credentials', 'The access_token is malformed');
  }
  return checkedParam(value);
}

function checkedParam(value: string): string {
  if (!B64TOKEN.test(value)) {
    throw new InvalidRequestError('malformed_credentials', 'The access_token is malformed');
  }
  return value;
}
