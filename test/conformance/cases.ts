/**
 * THE conformance table: HTTP cases that every adapter must answer identically.
 *
 * Pure data plus token recipes (functions of the fixture that mint the token). No framework code
 * and no `node:` imports, so the table can run unchanged on Bun, Deno or workerd drivers.
 * A new behaviour is a new row.
 *
 * Requests: `path` and header values may contain `{name}` placeholders, replaced by the case's
 * token `name` (minted once per test run). Header lines are sent exactly as listed, in order, each
 * on its own line (two `Authorization` lines really are two lines on the wire).
 */
import type { TestIssuer } from '@tokenward/testing';
import {
  anonymous,
  authorization,
  bearer,
  type Expectation,
  expectations,
  get,
  type RowRequest,
  type TableRow,
  type TokenRecipe as TokenRecipeOf,
  USER,
} from '../helpers/rows.js';
import type { Method } from './routes.js';

/** The API's resource indicator (the `aud` of its tokens). */
export const AUDIENCE = 'https://api.reports.test';

/** The issuers a token recipe can use. */
export interface Fixture {
  /** The issuer the API trusts (discovery and JWKS on 127.0.0.1; tokens for {@link AUDIENCE}). */
  readonly trusted: TestIssuer;
  /** A live issuer the API does not trust; it must never be contacted. */
  readonly stranger: TestIssuer;
  /** Trusted only by the `/faulty` configuration; its JWKS answers 500. */
  readonly faulty: TestIssuer;
}

/** Names of the fixture's issuers. */
export type IssuerName = keyof Fixture;

/** Mints (or forges) the token of a case. */
export type TokenRecipe = TokenRecipeOf<Fixture>;

/** The request of a case (`../helpers/rows.ts`: `{name}` placeholders, raw header lines). */
export type CaseRequest = RowRequest<Method>;

/** The expected answer; `untouched` names issuers of the {@link Fixture}. */
export type Expected = Expectation<IssuerName>;

/** One row of the table. */
export type ConformanceCase = TableRow<Fixture, Method, Expected>;

// ---------------------------------------------------------------------------------------------
// Token recipes
// ---------------------------------------------------------------------------------------------

/** A token from the trusted issuer; `claims` override the defaults (`sub` user-123, no scope). */
function mint(
  claims: Record<string, unknown> = {},
  options?: { header?: Record<string, unknown> },
): TokenRecipe {
  return (fx) => fx.trusted.mintToken(claims, options);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function base64url(text: string): string {
  let binary = '';
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(segment: string): string {
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** Claims that would be valid for the trusted issuer right now. */
function validClaims(fx: Fixture): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: fx.trusted.issuer, aud: AUDIENCE, sub: USER, iat: now, exp: now + 300 };
}

/** A compact token with this protected header and a meaningless (well-formed) signature. */
function forge(header: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): TokenRecipe {
  return (fx) =>
    `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(validClaims(fx)))}.${signature}`;
}

/** A valid token transformed as a string. */
function altered(transform: (token: string) => string, base: TokenRecipe = mint()): TokenRecipe {
  return async (fx) => transform(await base(fx));
}

const user = mint();
const reader = mint({ scope: 'read:report' });
const orgReader = mint({ organization_id: 'org-1', scope: 'read:report' });
const orgTokenReader = mint({
  aud: 'urn:logto:organization:org-1',
  scope: 'read:report',
});
/** Role `admin` in organization org-1: an organization-bound API token, an organization token. */
const orgAdmin = mint({ organization_id: 'org-1', roles: ['admin'] });
const orgTokenAdmin = mint({ aud: 'urn:logto:organization:org-1', roles: ['admin'] });
const globalAdmin = mint({ roles: ['admin'] });

// ---------------------------------------------------------------------------------------------
// Requests and expectations
// ---------------------------------------------------------------------------------------------

const {
  allowed,
  badRequest,
  forbidden,
  invalidToken,
  noCredentials,
  serverError,
  unavailable: keysUnavailable,
} = expectations<Expected>();

/** 503 from a PDP that cannot be asked: no challenge, `Retry-After`. */
const pdpUnavailable: Expected = keysUnavailable({
  description: 'The authorization service is temporarily unavailable',
});

/** 503, no challenge, `Retry-After`. */
const unavailable: Expected = keysUnavailable();

const MALFORMED_HEADER = 'The Authorization header is malformed';
const MALFORMED_TOKEN = 'The token is malformed';
const ENCRYPTED = 'Encrypted tokens are not accepted';
const UNSIGNED = 'Unsigned tokens are not accepted';
const UNTRUSTED_ISSUER = 'The token issuer is not trusted';
const NO_KEY = 'No known key matches the token';
const BAD_SIGNATURE = 'The token signature is invalid';
const NOT_FOR_US = 'The token is not meant for this API';
const LACKS_SCOPE = 'The token lacks a required scope';
const LACKS_ROLE = 'The token lacks a required role';
const ORG_REQUIRED = 'A token bound to an organization is required';
const OTHER_ORG = 'The token is bound to another organization';
const BOUND_ROLE = 'A token bound to an organization does not grant API-wide roles';
const LACKS_ORG_ROLE = 'The token lacks a required organization role';
const LACKS_ORG_SCOPE = 'The token lacks a required organization scope';
const BOUND_SCOPE = 'A token bound to an organization does not grant API-wide permissions';
const NO_ALTERNATIVE = 'None of the alternatives is satisfied';
const TWO_HEADERS = 'More than one Authorization header was sent';
const SENT_TWICE = 'The token was sent in more than one way';

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

export const cases: readonly ConformanceCase[] = [
  // --- 1. Transport and header parsing -------------------------------------------------------
  {
    name: 'no Authorization header',
    route: '/auth',
    request: get('/auth'),
    expect: noCredentials(),
  },
  {
    name: 'empty Authorization header',
    route: '/auth',
    request: get('/auth', authorization('')),
    expect: noCredentials(),
  },
  {
    name: 'Basic scheme',
    route: '/auth',
    request: get('/auth', authorization('Basic dXNlcjpwYXNz')),
    expect: noCredentials(),
  },
  {
    name: 'Token scheme',
    route: '/auth',
    request: get('/auth', authorization('Token abc123')),
    expect: noCredentials(),
  },
  {
    name: 'DPoP scheme with a valid token (DPoP not enabled)',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization('DPoP {token}')),
    expect: noCredentials(),
  },
  {
    name: 'lowercase bearer scheme',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization('bearer {token}')),
    expect: allowed(),
  },
  {
    name: 'uppercase BEARER scheme',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization('BEARER {token}')),
    expect: allowed(),
  },
  {
    name: 'Bearer without a token',
    route: '/auth',
    request: get('/auth', authorization('Bearer')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'Bearer and a space, empty token',
    route: '/auth',
    request: get('/auth', authorization('Bearer ')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'tab instead of space after Bearer',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization('Bearer\t{token}')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'two spaces after Bearer',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization('Bearer  {token}')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'space inside the token',
    route: '/auth',
    request: get('/auth', authorization('Bearer abc def')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'non-ASCII (Latin-1) character in the token',
    route: '/auth',
    request: get('/auth', authorization('Bearer abc\u00e9def')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'Digest scheme with comma-separated parameters',
    route: '/auth',
    request: get('/auth', authorization('Digest username="a", realm="b", nonce="c"')),
    expect: noCredentials(),
  },
  {
    // Indistinguishable from what Fetch `Headers` make of two lines, so answered the same.
    name: 'two Bearer credentials comma-joined in one header',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization('Bearer {token}, Bearer {token}')),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (Bearer, Bearer)',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', bearer, bearer),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (Basic, Bearer)',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization('Basic dXNlcjpwYXNz'), bearer),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (Bearer, Basic)',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', bearer, authorization('Basic dXNlcjpwYXNz')),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (Bearer, empty)',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', bearer, authorization('')),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (empty, Bearer)',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', authorization(''), bearer),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (Basic, Basic)',
    route: '/auth',
    request: get('/auth', authorization('Basic dXNlcjpwYXNz'), authorization('Basic b3RoZXI6eA==')),
    expect: noCredentials(),
  },

  // --- 1b. Query and body tokens ---------------------------------------------------------------
  {
    name: 'query token ignored when query tokens are off',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth?access_token={token}'),
    expect: noCredentials(),
  },
  {
    name: 'header token used, query access_token ignored when query tokens are off',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth?access_token=not-a-token!', bearer),
    expect: allowed(),
  },
  {
    name: 'form-body token ignored when body tokens are off',
    route: '/auth',
    tokens: { token: user },
    request: {
      method: 'POST',
      path: '/auth',
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body: 'access_token={token}',
    },
    expect: noCredentials(),
  },
  {
    name: 'POST with a header token and a JSON body',
    route: '/auth',
    tokens: { token: user },
    request: {
      method: 'POST',
      path: '/auth',
      headers: [bearer, ['Content-Type', 'application/json']],
      body: '{"report":"q3"}',
    },
    expect: allowed(),
  },
  {
    name: 'query token accepted when query tokens are on',
    route: '/query/auth',
    tokens: { token: user },
    request: get('/query/auth?access_token={token}'),
    expect: allowed(),
  },
  {
    name: 'token in header and query (query tokens on)',
    route: '/query/auth',
    tokens: { token: user },
    request: get('/query/auth?access_token={token}', bearer),
    expect: badRequest(SENT_TWICE),
  },
  {
    name: 'two access_token query parameters (query tokens on)',
    route: '/query/auth',
    tokens: { token: user },
    request: get('/query/auth?access_token={token}&access_token={token}'),
    expect: badRequest(SENT_TWICE),
  },
  {
    name: 'malformed access_token query parameter (query tokens on)',
    route: '/query/auth',
    request: get('/query/auth?access_token=abc%20def'),
    expect: badRequest('The access_token is malformed'),
  },

  // --- 1c. Tokens outside the compact JWS grammar ---------------------------------------------
  {
    name: 'garbage token',
    route: '/auth',
    request: get('/auth', authorization('Bearer garbage')),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'two-segment token',
    route: '/auth',
    tokens: { token: altered((t) => t.split('.').slice(0, 2).join('.')) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'four-segment token',
    route: '/auth',
    tokens: { token: altered((t) => `${t}.c2ln`) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'five-segment (JWE-shaped) token',
    route: '/auth',
    tokens: { token: altered((t) => `${t}.c2ln.c2ln`) },
    request: get('/auth', bearer),
    expect: invalidToken(ENCRYPTED),
  },
  {
    name: 'valid token with base64 padding appended',
    route: '/auth',
    tokens: { token: altered((t) => `${t}==`) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'standard base64 alphabet (+ and /) in segments',
    route: '/auth',
    request: get('/auth', authorization('Bearer eyJ+bGc.eyJ/c3M.c2ln')),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'header segment is not JSON',
    route: '/auth',
    tokens: {
      token: (fx) => `${base64url('not json')}.${base64url(JSON.stringify(validClaims(fx)))}.c2ln`,
    },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'token longer than 8192 characters',
    route: '/auth',
    tokens: { token: mint({ pad: 'x'.repeat(6500) }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token is too large'),
  },

  // --- 2. JOSE header attacks -----------------------------------------------------------------
  {
    name: 'alg none',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.algNone() },
    request: get('/auth', bearer),
    expect: invalidToken(UNSIGNED),
  },
  {
    name: 'alg nOnE with a signature',
    route: '/auth',
    tokens: { token: forge({ alg: 'nOnE', typ: 'at+jwt' }) },
    request: get('/auth', bearer),
    expect: invalidToken(UNSIGNED),
  },
  {
    name: 'RS256 header with an empty signature',
    route: '/auth',
    tokens: { token: forge({ alg: 'RS256', typ: 'at+jwt' }, '') },
    request: get('/auth', bearer),
    expect: invalidToken(UNSIGNED),
  },
  {
    name: 'alg missing',
    route: '/auth',
    tokens: { token: forge({ typ: 'at+jwt' }) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'HS256 signed with the issuer public key',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.hs256WithPublicKey() },
    request: get('/auth', bearer),
    expect: invalidToken('The token algorithm is not allowed'),
  },
  {
    name: 'crit header',
    route: '/auth',
    tokens: { token: forge({ alg: 'RS256', typ: 'at+jwt', crit: ['exp'], exp: 1 }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token uses unsupported JWS extensions'),
  },
  {
    name: 'b64 false header',
    route: '/auth',
    tokens: { token: forge({ alg: 'RS256', typ: 'at+jwt', b64: false }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token uses unsupported JWS extensions'),
  },
  {
    name: 'enc header in a three-segment token',
    route: '/auth',
    tokens: { token: forge({ alg: 'RS256', enc: 'A256GCM' }) },
    request: get('/auth', bearer),
    expect: invalidToken(ENCRYPTED),
  },
  {
    name: 'kid that is not a string',
    route: '/auth',
    tokens: { token: forge({ alg: 'RS256', typ: 'at+jwt', kid: 123 }) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'kid with CR/LF and quotes',
    route: '/auth',
    tokens: { token: mint({}, { header: { kid: 'k1"\r\nX-Injected: yes\r\n\r\n"' } }) },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY, { absentHeaders: ['x-injected'] }),
  },
  {
    name: 'embedded jwk and jku/x5u pointing at a live key server',
    route: '/auth',
    tokens: {
      token: (fx) =>
        fx.stranger.mintToken(
          { iss: fx.trusted.issuer, aud: AUDIENCE },
          {
            header: {
              jku: fx.stranger.jwksUri,
              x5u: fx.stranger.jwksUri,
              jwk: fx.stranger.currentKey.publicJwk,
            },
          },
        ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY, { untouched: ['stranger'] }),
  },
  {
    name: 'signed by an unpublished key with the current kid',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.foreignKey() },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'payload modified (scope added), old signature kept',
    route: '/scope',
    tokens: {
      token: altered((t) => {
        const [header, payload, signature] = t.split('.') as [string, string, string];
        const claims = JSON.parse(fromBase64url(payload)) as Record<string, unknown>;
        const tampered = base64url(JSON.stringify({ ...claims, scope: 'read:report' }));
        return `${header}.${tampered}.${signature}`;
      }),
    },
    request: get('/scope', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'typ dpop+jwt',
    route: '/auth',
    tokens: { token: mint({}, { header: { typ: 'dpop+jwt' } }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token is not an access token (typ)'),
  },
  {
    name: 'ID token presented as an access token',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.idToken() },
    request: get('/auth', bearer),
    expect: invalidToken('An ID token is not an access token'),
  },
  {
    name: 'access token with typ JWT',
    route: '/auth',
    tokens: { token: mint({}, { header: { typ: 'JWT' } }) },
    request: get('/auth', bearer),
    expect: allowed(),
  },

  // --- 4. Claims ------------------------------------------------------------------------------
  {
    name: 'valid token',
    route: '/auth',
    tokens: { token: user },
    request: get('/auth', bearer),
    expect: allowed(),
  },
  {
    name: 'expired',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.expired() },
    request: get('/auth', bearer),
    expect: invalidToken('The token has expired'),
  },
  {
    name: 'nbf in the future',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.notYetValid() },
    request: get('/auth', bearer),
    expect: invalidToken('The token is not valid yet'),
  },
  {
    name: 'iat in the future',
    route: '/auth',
    tokens: { token: mint({ iat: Math.floor(Date.now() / 1000) + 3600 }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token is issued in the future'),
  },
  {
    name: 'no exp',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.missingExp() },
    request: get('/auth', bearer),
    expect: invalidToken('The token has no expiry'),
  },
  {
    name: 'wrong issuer signed with the right key',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.wrongIssuer() },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED_ISSUER, { untouched: ['trusted'] }),
  },
  {
    name: 'issuer with a trailing slash',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ iss: `${fx.trusted.issuer}/` }) },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED_ISSUER, { untouched: ['trusted'] }),
  },
  {
    name: 'unknown issuer (a live issuer the API does not trust)',
    route: '/auth',
    tokens: { token: (fx) => fx.stranger.mintToken({ aud: AUDIENCE }) },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED_ISSUER, { untouched: ['trusted', 'stranger'] }),
  },
  {
    name: 'no iss',
    route: '/auth',
    tokens: { token: mint({ iss: undefined }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token has no issuer'),
  },
  {
    name: 'wrong audience',
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.wrongAudience() },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'audience near miss (trailing slash)',
    route: '/auth',
    tokens: { token: mint({ aud: `${AUDIENCE}/` }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'no aud',
    route: '/auth',
    tokens: { token: mint({ aud: undefined }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token has no audience'),
  },
  {
    name: 'audience list containing ours',
    route: '/auth',
    tokens: { token: mint({ aud: ['https://other-api.example.test', AUDIENCE] }) },
    request: get('/auth', bearer),
    expect: allowed(),
  },

  // --- 5. Scopes and roles --------------------------------------------------------------------
  {
    name: 'scope present',
    route: '/scope',
    tokens: { token: reader },
    request: get('/scope', bearer),
    expect: allowed(),
  },
  {
    name: 'scope from a permissions array',
    route: '/scope',
    tokens: { token: mint({ permissions: ['read:report'] }) },
    request: get('/scope', bearer),
    expect: allowed(),
  },
  {
    name: 'missing scope',
    route: '/scope',
    tokens: { token: user },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope that is a prefix of the required one (read)',
    route: '/scope',
    tokens: { token: mint({ scope: 'read' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope that extends the required one (read:reports)',
    route: '/scope',
    tokens: { token: mint({ scope: 'read:reports' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope in another case (Read:Report)',
    route: '/scope',
    tokens: { token: mint({ scope: 'Read:Report' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scopes delimited by a comma',
    route: '/scope',
    tokens: { token: mint({ scope: 'read:report,write:report' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope granted only in the query string',
    route: '/scope',
    tokens: { token: user },
    request: get('/scope?scope=read:report', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'all required scopes present',
    route: '/scopes',
    tokens: { token: mint({ scope: 'write:report read:report' }) },
    request: get('/scopes', bearer),
    expect: allowed(),
  },
  {
    name: 'one of two required scopes missing',
    route: '/scopes',
    tokens: { token: reader },
    request: get('/scopes', bearer),
    expect: forbidden(LACKS_SCOPE, 'write:report'),
  },
  {
    name: 'any-of scopes, first present',
    route: '/any-scope',
    tokens: { token: reader },
    request: get('/any-scope', bearer),
    expect: allowed(),
  },
  {
    name: 'any-of scopes, second present',
    route: '/any-scope',
    tokens: { token: mint({ scope: 'admin:all' }) },
    request: get('/any-scope', bearer),
    expect: allowed(),
  },
  {
    name: 'any-of scopes, none present',
    route: '/any-scope',
    tokens: { token: mint({ scope: 'write:report' }) },
    request: get('/any-scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report admin:all'),
  },
  {
    name: 'role present',
    route: '/role',
    tokens: { token: mint({ roles: ['admin'] }) },
    request: get('/role', bearer),
    expect: allowed(),
  },
  {
    name: 'role absent',
    route: '/role',
    tokens: { token: mint({ roles: ['editor'] }) },
    request: get('/role', bearer),
    expect: forbidden(LACKS_ROLE),
  },
  {
    name: 'role name only as a scope',
    route: '/role',
    tokens: { token: mint({ scope: 'admin' }) },
    request: get('/role', bearer),
    expect: forbidden(LACKS_ROLE),
  },

  // --- 5b. Organizations ----------------------------------------------------------------------
  {
    name: 'organization-bound token for the requested organization',
    route: '/orgs/:orgId/reports',
    tokens: { token: orgReader },
    request: get('/orgs/org-1/reports', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'organization token (aud urn:logto:organization) for the requested organization',
    route: '/orgs/:orgId/reports',
    tokens: { token: orgTokenReader },
    request: get('/orgs/org-1/reports', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'organization-bound token for another organization',
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-2', scope: 'read:report' }) },
    request: get('/orgs/org-1/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization token for another organization',
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ aud: 'urn:logto:organization:org-2', scope: 'read:report' }) },
    request: get('/orgs/org-1/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'global token on an organization route',
    route: '/orgs/:orgId/reports',
    tokens: { token: reader },
    request: get('/orgs/org-1/reports', bearer),
    expect: forbidden(ORG_REQUIRED),
  },
  {
    name: 'organization-bound token without the organization scope',
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-1' }) },
    request: get('/orgs/org-1/reports', bearer),
    expect: forbidden('The token lacks a required organization scope', 'read:report'),
  },
  {
    name: 'organization id percent-encoded once in the path',
    route: '/orgs/:orgId/reports',
    tokens: { token: orgReader },
    request: get('/orgs/org%2D1/reports', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'organization id percent-encoded twice in the path (no double decoding)',
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-A', scope: 'read:report' }) },
    request: get('/orgs/org-%2541/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization id with a NUL byte in the path',
    route: '/orgs/:orgId/reports',
    tokens: { token: orgReader },
    request: get('/orgs/org-1%00/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization named only in the query string',
    route: '/orgs/:orgId/reports',
    tokens: { token: orgReader },
    request: get('/orgs/org-2/reports?orgId=org-1', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization claim that is not a string',
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 1, scope: 'read:report' }) },
    request: get('/orgs/1/reports', bearer),
    expect: invalidToken('The organization claim must be a string'),
  },
  {
    name: 'organization-bound token with the scope on a global-scope route',
    route: '/scope',
    tokens: { token: orgReader },
    request: get('/scope', bearer),
    expect: forbidden(
      'A token bound to an organization does not grant API-wide permissions',
      'read:report',
    ),
  },
  {
    name: 'organization token with the scope on a global-scope route',
    route: '/scope',
    tokens: { token: orgTokenReader },
    request: get('/scope', bearer),
    expect: forbidden(
      'A token bound to an organization does not grant API-wide permissions',
      'read:report',
    ),
  },
  {
    name: 'organization-bound token on any-of global scopes',
    route: '/any-scope',
    tokens: { token: orgReader },
    request: get('/any-scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report admin:all'),
  },
  {
    name: 'global token with the permission on an organization-scope route',
    route: '/org-scope',
    tokens: { token: mint({ scope: 'invite:member' }) },
    request: get('/org-scope', bearer),
    expect: forbidden(ORG_REQUIRED, 'invite:member'),
  },
  {
    name: 'organization-bound token with the organization scope',
    route: '/org-scope',
    tokens: { token: mint({ organization_id: 'org-7', scope: 'invite:member' }) },
    request: get('/org-scope', bearer),
    expect: allowed({ organizationId: 'org-7' }),
  },

  // --- 5b.1 Roles and organization binding ----------------------------------------------------
  // A bound token's roles are its organization's roles: never global ones, and the reverse.
  {
    name: 'organization token with the role on a global-role route',
    route: '/role',
    tokens: { token: orgTokenAdmin },
    request: get('/role', bearer),
    expect: forbidden(BOUND_ROLE),
  },
  {
    name: 'organization-bound API token with the role on a global-role route',
    route: '/role',
    tokens: { token: orgAdmin },
    request: get('/role', bearer),
    expect: forbidden(BOUND_ROLE),
  },
  {
    name: 'any-of global roles, one present',
    route: '/any-role',
    tokens: { token: globalAdmin },
    request: get('/any-role', bearer),
    expect: allowed(),
  },
  {
    name: 'any-of global roles, none present',
    route: '/any-role',
    tokens: { token: mint({ roles: ['editor'] }) },
    request: get('/any-role', bearer),
    expect: forbidden(LACKS_ROLE),
  },
  {
    name: 'organization token with the role on an any-of global-role route',
    route: '/any-role',
    tokens: { token: orgTokenAdmin },
    request: get('/any-role', bearer),
    expect: forbidden(BOUND_ROLE),
  },
  {
    name: 'organization-bound API token with the role on an any-of global-role route',
    route: '/any-role',
    tokens: { token: orgAdmin },
    request: get('/any-role', bearer),
    expect: forbidden(BOUND_ROLE),
  },
  {
    name: 'organization-bound API token with the organization role',
    route: '/orgs/:orgId/admin',
    tokens: { token: orgAdmin },
    request: get('/orgs/org-1/admin', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'organization token with the organization role',
    route: '/orgs/:orgId/admin',
    tokens: { token: orgTokenAdmin },
    request: get('/orgs/org-1/admin', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'global role on an organization-role route',
    route: '/orgs/:orgId/admin',
    tokens: { token: globalAdmin },
    request: get('/orgs/org-1/admin', bearer),
    expect: forbidden(ORG_REQUIRED),
  },
  {
    name: 'organization role in another organization',
    route: '/orgs/:orgId/admin',
    tokens: { token: mint({ organization_id: 'org-2', roles: ['admin'] }) },
    request: get('/orgs/org-1/admin', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization token with the role in another organization',
    route: '/orgs/:orgId/admin',
    tokens: { token: orgTokenAdmin },
    request: get('/orgs/org-2/admin', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization-bound token without the organization role',
    route: '/orgs/:orgId/admin',
    tokens: { token: mint({ organization_id: 'org-1', roles: ['member'] }) },
    request: get('/orgs/org-1/admin', bearer),
    expect: forbidden(LACKS_ORG_ROLE),
  },
  {
    name: 'organization role name only as an organization scope',
    route: '/orgs/:orgId/admin',
    tokens: { token: mint({ organization_id: 'org-1', scope: 'admin' }) },
    request: get('/orgs/org-1/admin', bearer),
    expect: forbidden(LACKS_ORG_ROLE),
  },
  {
    name: 'organization role guard alone, unbound token with the role',
    route: '/org-role',
    tokens: { token: globalAdmin },
    request: get('/org-role', bearer),
    expect: forbidden(ORG_REQUIRED),
  },
  {
    name: 'organization role guard alone, bound token with the role',
    route: '/org-role',
    tokens: { token: mint({ organization_id: 'org-9', roles: ['admin'] }) },
    request: get('/org-role', bearer),
    expect: allowed({ organizationId: 'org-9' }),
  },
  {
    name: 'any-of organization roles, one present',
    route: '/orgs/:orgId/manage',
    tokens: { token: mint({ aud: 'urn:logto:organization:org-1', roles: ['owner'] }) },
    request: get('/orgs/org-1/manage', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'any-of organization roles, none present',
    route: '/orgs/:orgId/manage',
    tokens: { token: mint({ organization_id: 'org-1', roles: ['member'] }) },
    request: get('/orgs/org-1/manage', bearer),
    expect: forbidden(LACKS_ORG_ROLE),
  },
  {
    name: 'any-of organization roles, unbound token with one',
    route: '/orgs/:orgId/manage',
    tokens: { token: mint({ roles: ['owner'] }) },
    request: get('/orgs/org-1/manage', bearer),
    expect: forbidden(ORG_REQUIRED),
  },
  {
    name: 'any-of organization roles, one present in another organization',
    route: '/orgs/:orgId/manage',
    tokens: { token: mint({ organization_id: 'org-2', roles: ['owner'] }) },
    request: get('/orgs/org-1/manage', bearer),
    expect: forbidden(OTHER_ORG),
  },

  // --- 5b.2 RBAC maps and the organization template (/rbac) -----------------------------------
  // Global `admin` grants read:report; organization `admin` grants invite:member and organization
  // `member` grants read:report; the template defines no `owner`.
  {
    name: 'rbac: global role grants its global permission',
    route: '/rbac/scope',
    tokens: { token: globalAdmin },
    request: get('/rbac/scope', bearer),
    expect: allowed(),
  },
  {
    name: 'rbac: organization role on an unbound token grants no global permission',
    route: '/rbac/scope',
    tokens: { token: mint({ roles: ['member'] }) },
    request: get('/rbac/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'rbac: bound token whose role maps to the permission on a global-scope route',
    route: '/rbac/scope',
    tokens: { token: mint({ organization_id: 'org-1', roles: ['member'] }) },
    request: get('/rbac/scope', bearer),
    expect: forbidden(BOUND_SCOPE, 'read:report'),
  },
  {
    name: 'rbac: organization role grants its organization permission',
    route: '/rbac/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-1', roles: ['member'] }) },
    request: get('/rbac/orgs/org-1/reports', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'rbac: the global meaning of a role never applies to a bound token',
    route: '/rbac/orgs/:orgId/reports',
    tokens: { token: orgAdmin },
    request: get('/rbac/orgs/org-1/reports', bearer),
    expect: forbidden(LACKS_ORG_SCOPE, 'read:report'),
  },
  {
    name: 'rbac: organization role the template defines',
    route: '/rbac/orgs/:orgId/admin',
    tokens: { token: orgAdmin },
    request: get('/rbac/orgs/org-1/admin', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },
  {
    name: 'rbac: organization role the template does not define, named by the token',
    route: '/rbac/orgs/:orgId/owner',
    tokens: { token: mint({ organization_id: 'org-1', roles: ['owner'] }) },
    request: get('/rbac/orgs/org-1/owner', bearer),
    expect: forbidden(LACKS_ORG_ROLE),
  },
  {
    name: 'rbac: any-of organization roles, only an undefined one present',
    route: '/rbac/orgs/:orgId/manage',
    tokens: { token: mint({ aud: 'urn:logto:organization:org-1', roles: ['owner'] }) },
    request: get('/rbac/orgs/org-1/manage', bearer),
    expect: forbidden(LACKS_ORG_ROLE),
  },
  {
    name: 'rbac: any-of organization roles, a defined one present',
    route: '/rbac/orgs/:orgId/manage',
    tokens: { token: orgTokenAdmin },
    request: get('/rbac/orgs/org-1/manage', bearer),
    expect: allowed({ organizationId: 'org-1' }),
  },

  // --- 5c. Claims, policies, combinators ------------------------------------------------------
  {
    name: 'claim matches',
    route: '/claim',
    tokens: { token: mint({ tier: 'pro' }) },
    request: get('/claim', bearer),
    expect: allowed(),
  },
  {
    name: 'claim has another value',
    route: '/claim',
    tokens: { token: mint({ tier: 'free' }) },
    request: get('/claim', bearer),
    expect: forbidden('A required claim does not match'),
  },
  {
    name: 'claim absent',
    route: '/claim',
    tokens: { token: user },
    request: get('/claim', bearer),
    expect: forbidden('A required claim does not match'),
  },
  {
    name: 'claim of another type (array)',
    route: '/claim',
    tokens: { token: mint({ tier: ['pro'] }) },
    request: get('/claim', bearer),
    expect: forbidden('A required claim does not match'),
  },
  {
    name: 'custom policy allows',
    route: '/policy',
    tokens: { token: user },
    request: get('/policy', bearer),
    expect: allowed(),
  },
  {
    name: 'custom policy denies',
    route: '/policy',
    tokens: { token: mint({ sub: 'user-999' }) },
    request: get('/policy', bearer),
    expect: forbidden('The request is not allowed'),
  },
  {
    name: 'composite: first alternative (admin:all)',
    route: '/composite',
    tokens: { token: mint({ scope: 'admin:all' }) },
    request: get('/composite', bearer),
    expect: allowed(),
  },
  {
    name: 'composite: second alternative (editor role and read:report)',
    route: '/composite',
    tokens: { token: mint({ roles: ['editor'], scope: 'read:report' }) },
    request: get('/composite', bearer),
    expect: allowed(),
  },
  {
    name: 'composite: editor role without read:report',
    route: '/composite',
    tokens: { token: mint({ roles: ['editor'] }) },
    request: get('/composite', bearer),
    expect: forbidden(NO_ALTERNATIVE, 'admin:all read:report'),
  },
  {
    name: 'composite: nothing',
    route: '/composite',
    tokens: { token: reader },
    request: get('/composite', bearer),
    expect: forbidden(NO_ALTERNATIVE, 'admin:all'),
  },

  // --- Optional authentication, missing requireAuth, unguarded routes --------------------------
  {
    name: 'optional auth without a token',
    route: '/optional',
    request: get('/optional'),
    expect: allowed(anonymous),
  },
  {
    name: 'optional auth with another scheme (Basic)',
    route: '/optional',
    request: get('/optional', authorization('Basic dXNlcjpwYXNz')),
    expect: allowed(anonymous),
  },
  {
    name: 'optional auth with a valid token',
    route: '/optional',
    tokens: { token: user },
    request: get('/optional', bearer),
    expect: allowed(),
  },
  {
    name: 'optional auth with an expired token',
    route: '/optional',
    tokens: { token: (fx) => fx.trusted.tokens.expired() },
    request: get('/optional', bearer),
    expect: invalidToken('The token has expired'),
  },
  {
    name: 'optional auth with a malformed header',
    route: '/optional',
    tokens: { token: user },
    request: get('/optional', authorization('Bearer\t{token}')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'authorization guard without requireAuth, no token',
    route: '/no-auth',
    request: get('/no-auth'),
    expect: noCredentials('Authentication is required'),
  },
  {
    name: 'authorization guard without requireAuth, valid token with the scope',
    route: '/no-auth',
    tokens: { token: reader },
    request: get('/no-auth', bearer),
    expect: noCredentials('Authentication is required'),
  },
  {
    name: 'unguarded route with a valid token attaches no identity',
    route: '/public',
    tokens: { token: reader },
    request: get('/public', bearer),
    expect: allowed(anonymous),
  },

  // --- 6. Key server faults -------------------------------------------------------------------
  {
    name: 'key server unreachable (closed port)',
    route: '/down/auth',
    tokens: { token: user },
    request: get('/down/auth', bearer),
    expect: unavailable,
  },
  {
    name: 'key server unreachable, scope route',
    route: '/down/scope',
    tokens: { token: reader },
    request: get('/down/scope', bearer),
    expect: unavailable,
  },
  {
    name: 'key server unreachable, no token',
    route: '/down/auth',
    request: get('/down/auth'),
    expect: noCredentials(),
  },
  {
    name: 'key server unreachable, token of an untrusted issuer',
    route: '/down/auth',
    tokens: { token: (fx) => fx.stranger.mintToken({ aud: AUDIENCE }) },
    request: get('/down/auth', bearer),
    expect: invalidToken(UNTRUSTED_ISSUER, { untouched: ['stranger'] }),
  },
  {
    name: 'key server unreachable, malformed token',
    route: '/down/auth',
    request: get('/down/auth', authorization('Bearer garbage')),
    expect: invalidToken(MALFORMED_TOKEN),
  },
  {
    name: 'key server answers 500',
    route: '/faulty/auth',
    tokens: { token: (fx) => fx.faulty.mintToken() },
    request: get('/faulty/auth', bearer),
    expect: unavailable,
  },
  {
    name: 'key server answers 500, expired token',
    route: '/faulty/auth',
    tokens: { token: (fx) => fx.faulty.tokens.expired() },
    request: get('/faulty/auth', bearer),
    expect: unavailable,
  },
  // A guard reading a route parameter the route lacks: 500 server_error (not a 403 blaming the
  // client), no challenge, nothing about the configuration in the body.
  {
    name: 'organization guard reading a route parameter the route does not have',
    route: '/misnamed/orgs/:orgId/reports',
    tokens: { token: orgReader },
    request: get('/misnamed/orgs/org-1/reports', bearer),
    expect: serverError(),
  },
  {
    name: 'organization guard reading a missing route parameter, token of another organization',
    route: '/misnamed/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-2' }) },
    request: get('/misnamed/orgs/org-1/reports', bearer),
    expect: serverError(),
  },
  {
    name: 'organization guard reading a missing route parameter, no token',
    route: '/misnamed/orgs/:orgId/reports',
    request: get('/misnamed/orgs/org-1/reports'),
    expect: noCredentials(),
  },
  // A discovery document naming another issuer than the configured one is key infrastructure
  // that does not check out: the ordinary 503 with Retry-After, never a 500 (the operator is told
  // through the logger and warmup(), the client is not).
  {
    name: 'discovery document naming another issuer than the configured one',
    route: '/slashed/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ iss: `${fx.trusted.issuer}/` }) },
    request: get('/slashed/auth', bearer),
    expect: unavailable,
  },
  // A policy decision point (AuthZEN) decides: permit → the handler runs; deny → 403
  // `permission_denied`; a PDP that cannot be asked → 503 (fail closed), never the handler.
  {
    name: 'PDP permits (public document)',
    route: '/pdp/documents/:id',
    tokens: { token: user },
    request: get('/pdp/documents/public-1', bearer),
    expect: allowed(),
  },
  {
    name: 'PDP permits (own document, subject from the token)',
    route: '/pdp/documents/:id',
    tokens: { token: user },
    request: get(`/pdp/documents/own-${USER}`, bearer),
    expect: allowed(),
  },
  {
    name: 'PDP denies',
    route: '/pdp/documents/:id',
    tokens: { token: user },
    request: get('/pdp/documents/secret-1', bearer),
    expect: forbidden('The request is not allowed'),
  },
  {
    name: "PDP denies another subject's own document",
    route: '/pdp/documents/:id',
    tokens: { token: mint({ sub: 'user-999' }) },
    request: get(`/pdp/documents/own-${USER}`, bearer),
    expect: forbidden('The request is not allowed'),
  },
  {
    name: 'PDP batch: every evaluation permits',
    route: '/pdp/pair/:id',
    tokens: { token: user },
    request: get('/pdp/pair/public-9', bearer),
    expect: allowed(),
  },
  {
    name: 'PDP batch: one evaluation denies',
    route: '/pdp/pair/:id',
    tokens: { token: user },
    request: get('/pdp/pair/secret-9', bearer),
    expect: forbidden('The request is not allowed'),
  },
  {
    name: 'PDP answers 500 (after a bounded retry)',
    route: '/pdp/documents/:id',
    tokens: { token: user },
    request: get('/pdp/documents/fault-500', bearer),
    expect: pdpUnavailable,
  },
  {
    name: 'PDP answers something that is not a decision',
    route: '/pdp/documents/:id',
    tokens: { token: user },
    request: get('/pdp/documents/fault-nodecision', bearer),
    expect: pdpUnavailable,
  },
  {
    name: 'PDP answers with a redirect',
    route: '/pdp/documents/:id',
    tokens: { token: user },
    request: get('/pdp/documents/fault-redirect', bearer),
    expect: pdpUnavailable,
  },
  {
    name: 'PDP unreachable',
    route: '/pdp-down/documents/:id',
    tokens: { token: user },
    request: get('/pdp-down/documents/public-1', bearer),
    expect: pdpUnavailable,
  },
  {
    name: 'PDP route without a token: 401 before the PDP is asked',
    route: '/pdp/documents/:id',
    request: get('/pdp/documents/public-1'),
    expect: noCredentials(),
  },
];
