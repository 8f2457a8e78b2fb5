import { createHash, randomBytes } from 'node:crypto';

/** A token the server issued (the token response, camel-cased). */
export interface IssuedToken {
  /** The access token: a JWT (`typ: at+jwt`) when a resource was requested. */
  readonly accessToken: string;
  /** `Bearer`. */
  readonly tokenType: string;
  /** Seconds. */
  readonly expiresIn: number;
  /** The scopes actually granted (space-delimited), or undefined when none. */
  readonly scope: string | undefined;
  /** The ID token, for a user sign-in that asked for `openid`. */
  readonly idToken?: string;
}

/** The token endpoint (or the sign-in) refused: the OAuth error response. */
export class TokenRequestError extends Error {
  /** HTTP status of the refusal. */
  readonly status: number;
  /** OAuth error code, e.g. `invalid_target`, `invalid_client`, `access_denied`. */
  readonly error: string;
  /** The server's `error_description`, if any. */
  readonly errorDescription: string | undefined;

  constructor(status: number, error: string, errorDescription?: string) {
    super(
      `token request failed: ${status} ${error}${errorDescription ? ` (${errorDescription})` : ''}`,
    );
    this.name = 'TokenRequestError';
    this.status = status;
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

function compact(params: Record<string, string | undefined>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) body.set(name, value);
  return body;
}

/** POST a form to the token endpoint; parse the token response or throw {@link TokenRequestError}. */
export async function postTokenRequest(
  tokenEndpoint: string,
  params: Record<string, string | undefined>,
  basic?: { clientId: string; clientSecret: string },
): Promise<IssuedToken> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (basic !== undefined) {
    // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
    const user = encodeURIComponent(basic.clientId);
    const pass = encodeURIComponent(basic.clientSecret);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers,
    body: compact(params),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new TokenRequestError(
      response.status,
      typeof body.error === 'string' ? body.error : 'invalid_response',
      typeof body.error_description === 'string' ? body.error_description : undefined,
    );
  }
  return {
    accessToken: body.access_token,
    tokenType: String(body.token_type),
    expiresIn: Number(body.expires_in),
    scope: typeof body.scope === 'string' && body.scope !== '' ? body.scope : undefined,
    ...(typeof body.id_token === 'string' ? { idToken: body.id_token } : {}),
  };
}

/** What a user sign-in needs. */
export interface AuthorizationCodeFlow {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly username: string;
  readonly password: string;
  /** Space-delimited. */
  readonly scope: string;
  readonly resource: string;
  readonly organizationId: string | undefined;
}

/** A cookie jar for one sign-in: name → value (every cookie here is on one host). */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /;\s*expires=Thu, 01 Jan 1970/i.test(line) || value === '';
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

/**
 * A user sign-in exactly as a browser app does it, over HTTP: authorization request with PKCE
 * (S256) and `resource`, redirect to the sign-in interaction, form POST of the credentials,
 * redirects back through the authorization endpoint to the redirect URI with `code`, `state`
 * and `iss` (RFC 9207), then the code exchange at the token endpoint with `code_verifier`,
 * `resource` and, for an organization, `organization_id`.
 */
export async function runAuthorizationCodeFlow(flow: AuthorizationCodeFlow): Promise<IssuedToken> {
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const jar = new CookieJar();

  const authorize = new URL(`${flow.issuer}/auth`);
  authorize.search = compact({
    client_id: flow.clientId,
    response_type: 'code',
    redirect_uri: flow.redirectUri,
    scope: flow.scope,
    resource: flow.resource,
    organization_id: flow.organizationId,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();

  const send = async (url: URL, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const cookie = jar.header();
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    jar.store(response);
    return response;
  };

  let url = authorize;
  let response = await send(url);
  for (let hop = 0; hop < 10; hop++) {
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) {
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      throw new TokenRequestError(
        response.status,
        typeof body.error === 'string' ? body.error : 'unexpected_response',
        typeof body.error_description === 'string' ? body.error_description : undefined,
      );
    }
    await response.body?.cancel();
    url = new URL(location, url);
    if (`${url.origin}${url.pathname}` === flow.redirectUri) {
      return exchangeCode(flow, url, state, verifier);
    }
    if (url.pathname.startsWith('/interaction/')) {
      response = await send(new URL(`${url.pathname}/login`, url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: flow.username, password: flow.password }),
      });
    } else {
      response = await send(url);
    }
  }
  throw new Error('sign-in did not reach the redirect URI');
}

async function exchangeCode(
  flow: AuthorizationCodeFlow,
  callback: URL,
  state: string,
  verifier: string,
): Promise<IssuedToken> {
  const query = callback.searchParams;
  const error = query.get('error');
  if (error !== null) {
    throw new TokenRequestError(400, error, query.get('error_description') ?? undefined);
  }
  if (query.get('state') !== state) throw new Error('state mismatch in the authorization response');
  if (query.get('iss') !== flow.issuer)
    throw new Error('iss mismatch in the authorization response');
  const code = query.get('code');
  if (code === null) throw new Error('no code in the authorization response');
  return postTokenRequest(flow.tokenEndpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: flow.redirectUri,
    code_verifier: verifier,
    client_id: flow.clientId,
    resource: flow.resource,
    organization_id: flow.organizationId,
  });
}
