/**
 * THE attack table: one row per attack, every class of `/work/shared/ATTACKS.md`, run against
 * every adapter through real HTTP (`attacks.test.ts`). It complements the conformance table
 * (`test/conformance/cases.ts`) and repeats none of its rows.
 *
 * A row: the route hit (pattern with mount prefix), token recipes (functions of the fixture), the
 * request (raw header lines with `{name}` token placeholders) and the exact answer: status,
 * `WWW-Authenticate` (exact, or `null` when absent), body `error`/`error_description`, whether the
 * handler ran (never, on a refusal), and the servers that must receive no request.
 */
import { deflateRawSync } from 'node:zlib';
import {
  anonymous,
  authorization,
  bearer,
  type Expectation,
  expectations,
  get,
  head,
  type RowRequest,
  type TableRow,
  type TokenRecipe,
  USER,
} from '../helpers/rows.js';
import {
  type AttackFixture,
  AUDIENCE,
  EC_ISSUER,
  HMAC_ISSUER,
  HMAC_SECRET,
  HTML_ISSUER,
  REDIRECT_ISSUER,
  REVOKED_JTI,
  SLOW_ISSUER,
  type Untouchable,
  WEAK_ISSUER,
} from './fixture.js';
import {
  ATTACKER_CERT,
  attackerCertKey,
  b64u,
  derSignature,
  flipBit,
  fromB64u,
  highS,
  hmacToken,
  nonCanonicalSignature,
  resegment,
  type SigningKey,
  signJson,
  signRaw,
  split,
  unsigned,
  withSignature,
} from './forge.js';

/** The classes of ATTACKS.md. */
export const CLASSES = {
  1: 'transport and header parsing',
  2: 'JOSE header attacks',
  3: 'signatures and keys',
  4: 'claims',
  5: 'scopes, roles, organizations',
  6: 'key server faults and denial of service',
  7: 'resource exhaustion',
  8: 'response correctness',
} as const;

export type AttackClass = keyof typeof CLASSES;

/** Mints or forges a token. */
export type Recipe = TokenRecipe<AttackFixture>;

/** `HEAD` hits the GET route (every framework answers HEAD through it, without a body). */
export type AttackMethod = 'GET' | 'POST' | 'HEAD';

/** The request of a row (`../helpers/rows.ts`: `{name}` placeholders, raw header lines). */
export type AttackRequest = RowRequest<AttackMethod>;

export interface Expected extends Expectation<Untouchable> {
  /** The answer must come within this many milliseconds (hang detector). */
  readonly within?: number;
}

export interface AttackRow extends TableRow<AttackFixture, AttackMethod, Expected> {
  readonly class: AttackClass;
}

// ---------------------------------------------------------------------------------------------
// Token recipes
// ---------------------------------------------------------------------------------------------

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Valid claims for `iss` (default: the trusted issuer), with overrides (`undefined` removes). */
function claimsFor(iss: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const base: Record<string, unknown> = {
    iss,
    aud: AUDIENCE,
    sub: USER,
    client_id: 'client-abc',
    iat: now,
    exp: now + 300,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    ...extra,
  };
  for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
  return base;
}

function claims(fx: AttackFixture, extra?: Record<string, unknown>): Record<string, unknown> {
  return claimsFor(fx.trusted.issuer, extra);
}

/** A token from the trusted issuer: claims override the defaults, header members too. */
function mint(extra: Record<string, unknown> = {}, header?: Record<string, unknown>): Recipe {
  return (fx) => fx.trusted.mintToken(extra, header === undefined ? undefined : { header });
}

/** A token of the trusted issuer's current key with exactly this header and payload text. */
function raw(
  header: (fx: AttackFixture) => string,
  payload: (fx: AttackFixture) => string,
): Recipe {
  return (fx) => signRaw(fx.trusted.currentKey, header(fx), payload(fx));
}

/** The JSON of valid claims without the braces, to splice raw members in. */
function claimsBody(fx: AttackFixture, extra?: Record<string, unknown>): string {
  return JSON.stringify(claims(fx, extra)).slice(1, -1);
}

function rsHeader(fx: AttackFixture, extra = ''): string {
  return `{"alg":"RS256","typ":"at+jwt","kid":${JSON.stringify(fx.trusted.currentKey.kid)}${extra}}`;
}

/** A valid token transformed as a string. */
function altered(transform: (token: string) => string, base: Recipe = mint()): Recipe {
  return async (fx) => transform(await base(fx));
}

/** The trusted current key's public key in the encodings a confused verifier might use. */
async function publicKeyAs(
  fx: AttackFixture,
  encoding: 'pem-one-line' | 'pem-newline' | 'jwk-json' | 'modulus',
): Promise<Uint8Array | string> {
  const key = fx.trusted.currentKey;
  if (encoding === 'jwk-json') return JSON.stringify(key.publicJwk);
  if (encoding === 'modulus') return fromB64u(key.publicJwk.n as string);
  const spki = Buffer.from(await crypto.subtle.exportKey('spki', key.publicKey)).toString('base64');
  const body = spki.match(/.{1,64}/g)?.join('\n') ?? spki;
  const pem = `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`;
  return encoding === 'pem-one-line' ? pem.replace(/\n/g, '') : `${pem}\n`;
}

function confused(
  alg: 'HS256' | 'HS384' | 'HS512',
  encoding: Parameters<typeof publicKeyAs>[1],
): Recipe {
  return async (fx) =>
    hmacToken(
      alg,
      await publicKeyAs(fx, encoding),
      { typ: 'at+jwt', kid: fx.trusted.currentKey.kid },
      claims(fx),
    );
}

/** A token signed by an ES256 key of the `/ec` issuer. */
function ecToken(extra: Record<string, unknown> = {}): Recipe {
  return (fx) => fx.ec.mintToken(claimsFor(EC_ISSUER, extra));
}

function ecSignature(change: (sig: Buffer) => Uint8Array, extra?: Record<string, unknown>): Recipe {
  return async (fx) => withSignature(await ecToken(extra)(fx), change);
}

/** A token for the `/weak` issuer signed by one of its published keys. */
function weakToken(pick: (fx: AttackFixture) => SigningKey): Recipe {
  return (fx) => signJson(pick(fx), { typ: 'at+jwt' }, claimsFor(WEAK_ISSUER));
}

/** A token claiming `iss`, signed by the trusted key (for mounts whose keys never arrive). */
function tokenFor(iss: string): Recipe {
  return (fx) => fx.trusted.mintToken({ iss });
}

/** `n` levels of nested arrays. */
function nested(n: number): string {
  return `${'['.repeat(n)}${']'.repeat(n)}`;
}

// ---------------------------------------------------------------------------------------------
// Requests and expectations
// ---------------------------------------------------------------------------------------------

/** Raw bytes of UTF-8 text as a Latin-1 string, so `node:http` puts exactly those bytes on the wire. */
function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const { allowed, badRequest, forbidden, invalidToken, noCredentials, unavailable } =
  expectations<Expected>();

const MALFORMED_HEADER = 'The Authorization header is malformed';
const TWO_HEADERS = 'More than one Authorization header was sent';
const SENT_TWICE = 'The token was sent in more than one way';
const MALFORMED_PARAM = 'The access_token is malformed';
const TOO_LARGE = 'The token is too large';
const MALFORMED = 'The token is malformed';
const ENCRYPTED = 'Encrypted tokens are not accepted';
const UNSIGNED = 'Unsigned tokens are not accepted';
const EXTENSIONS = 'The token uses unsupported JWS extensions';
const ALG_NOT_ALLOWED = 'The token algorithm is not allowed';
const NO_KEY = 'No known key matches the token';
const AMBIGUOUS = 'The token does not name its key (kid) and several keys could verify it';
const SHARED_KID = 'Several published keys share the token key id (kid)';
const BAD_SIGNATURE = 'The token signature is invalid';
const UNTRUSTED = 'The token issuer is not trusted';
const ISS_TYPE = 'The iss claim must be a string';
const AUD_TYPE = 'The aud claim must be a string or an array of strings';
const NOT_FOR_US = 'The token is not meant for this API';
const NO_AUDIENCE = 'The token has no audience';
const NOT_ACCESS_TYP = 'The token is not an access token (typ)';
const ID_TOKEN = 'An ID token is not an access token';
const SENDER_CONSTRAINED = 'A sender-constrained token needs proof of possession';
const EXPIRED = 'The token has expired';
const ORG_TYPE = 'The organization claim must be a string';
const LACKS_SCOPE = 'The token lacks a required scope';
const LACKS_ROLE = 'The token lacks a required role';
const ORG_REQUIRED = 'A token bound to an organization is required';
const OTHER_ORG = 'The token is bound to another organization';
const CLAIM_MISMATCH = 'A required claim does not match';
const NO_ALTERNATIVE = 'None of the alternatives is satisfied';

const INJECTED = { absentHeaders: ['x-injected'] };
const DIGEST = authorization('Digest username="a", realm="b", nonce="c", response="d"');

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

export const attacks: readonly AttackRow[] = [
  // --- 1. Transport and header parsing -------------------------------------------------------
  {
    name: 'Bearer: with a colon instead of a space',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', authorization('Bearer:{token}')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'JWS JSON serialization in the Authorization header',
    class: 1,
    route: '/auth',
    request: get(
      '/auth',
      authorization('Bearer {"payload":"e30","signatures":[{"protected":"e30","signature":"AA"}]}'),
    ),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'JWS JSON serialization base64url-encoded as one segment',
    class: 1,
    route: '/auth',
    request: get(
      '/auth',
      authorization(`Bearer ${b64u('{"payload":"e30","signatures":[{"protected":"e30"}]}')}`),
    ),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'percent-encoded dots in a header token',
    class: 1,
    route: '/auth',
    tokens: { token: altered((t) => t.replace(/\./g, '%2E')) },
    request: get('/auth', bearer),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'base64 padding inside the token (after the header segment)',
    class: 1,
    route: '/auth',
    tokens: { token: altered((t) => t.replace('.', '=.')) },
    request: get('/auth', bearer),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'token of three dots',
    class: 1,
    route: '/auth',
    request: get('/auth', authorization('Bearer ...')),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'empty header segment (.payload.signature)',
    class: 1,
    route: '/auth',
    tokens: { token: altered((t) => t.slice(t.indexOf('.'))) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'tilde (b64token, not base64url) in the signature',
    class: 1,
    route: '/auth',
    tokens: { token: altered((t) => `${t}~`) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    // One header line whose comma makes it look like Fetch-joined lines: refused as a malformed request.
    name: 'trailing comma after the token in one header',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', authorization('Bearer {token},')),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'three Authorization headers (Basic, Basic, Bearer)',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get(
      '/auth',
      authorization('Basic dXNlcjpwYXNz'),
      authorization('Basic b3RoZXI6eA=='),
      bearer,
    ),
    expect: badRequest(TWO_HEADERS),
  },
  {
    // Node adapters see two lines; a Fetch adapter sees them joined with ", " (RFC 9110 §5.3:
    // the same thing). Either way a bearer credential came with another one: 400.
    name: 'two Authorization headers (Digest with auth-params, Bearer)',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', DIGEST, bearer),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (Bearer, Digest with auth-params)',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', bearer, DIGEST),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (a bare Basic scheme, Bearer)',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', authorization('Basic'), bearer),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'two Authorization headers (Bearer, a bare Basic scheme)',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', bearer, authorization('Basic')),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'optional auth: Digest with auth-params and an expired Bearer in two headers',
    class: 1,
    route: '/optional',
    tokens: { token: (fx) => fx.trusted.tokens.expired() },
    request: get('/optional', DIGEST, bearer),
    expect: badRequest(TWO_HEADERS),
  },
  {
    name: 'no-break space (0xA0) after Bearer',
    class: 1,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', authorization('Bearer\u00a0{token}')),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'query tokens on: empty access_token',
    class: 1,
    route: '/query/auth',
    request: get('/query/auth?access_token='),
    expect: badRequest(MALFORMED_PARAM),
  },
  {
    name: 'query tokens on: ACCESS_TOKEN in another case is not a token',
    class: 1,
    route: '/query/auth',
    tokens: { token: mint() },
    request: get('/query/auth?ACCESS_TOKEN={token}'),
    expect: noCredentials(),
  },
  {
    name: 'query tokens on: access_token[] is not access_token',
    class: 1,
    route: '/query/auth',
    tokens: { token: mint() },
    request: get('/query/auth?access_token[]={token}'),
    expect: noCredentials(),
  },
  {
    name: 'query tokens on: double percent-encoded token is decoded once',
    class: 1,
    route: '/query/auth',
    tokens: { token: altered((t) => t.replace(/\./g, '%252E')) },
    request: get('/query/auth?access_token={token}'),
    expect: badRequest(MALFORMED_PARAM),
  },
  {
    name: 'query tokens on: a token and an empty second access_token',
    class: 1,
    route: '/query/auth',
    tokens: { token: mint() },
    request: get('/query/auth?access_token={token}&access_token='),
    expect: badRequest(SENT_TWICE),
  },
  {
    name: 'query tokens on: a Bearer header and a garbage access_token',
    class: 1,
    route: '/query/auth',
    tokens: { token: mint() },
    request: get('/query/auth?access_token=x', bearer),
    expect: badRequest(SENT_TWICE),
  },

  // --- 2. JOSE header attacks -----------------------------------------------------------------
  {
    name: 'HS256 MACed with the public key as one-line PEM',
    class: 2,
    route: '/auth',
    tokens: { token: confused('HS256', 'pem-one-line') },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'HS384 MACed with the public key as PEM with a trailing newline',
    class: 2,
    route: '/auth',
    tokens: { token: confused('HS384', 'pem-newline') },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'HS512 MACed with the public JWK as JSON',
    class: 2,
    route: '/auth',
    tokens: { token: confused('HS512', 'jwk-json') },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'HS256 MACed with the RSA modulus bytes',
    class: 2,
    route: '/auth',
    tokens: { token: confused('HS256', 'modulus') },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'HS256 MACed with a blank secret',
    class: 2,
    route: '/auth',
    tokens: { token: (fx) => hmacToken('HS256', '', { typ: 'at+jwt' }, claims(fx)) },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'HMAC issuer: HS256 MACed with a blank secret',
    class: 2,
    route: '/hmac/auth',
    tokens: { token: () => hmacToken('HS256', '', { typ: 'at+jwt' }, claimsFor(HMAC_ISSUER)) },
    request: get('/hmac/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'HMAC issuer: HS256 MACed with the hex encoding of the secret',
    class: 2,
    route: '/hmac/auth',
    tokens: {
      token: () =>
        hmacToken(
          'HS256',
          Buffer.from(HMAC_SECRET).toString('hex'),
          { typ: 'at+jwt' },
          claimsFor(HMAC_ISSUER),
        ),
    },
    request: get('/hmac/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'HMAC issuer: an RS256 token',
    class: 2,
    route: '/hmac/auth',
    tokens: { token: mint({ iss: HMAC_ISSUER }) },
    request: get('/hmac/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'HMAC issuer: control, MACed with the secret',
    class: 2,
    route: '/hmac/auth',
    tokens: {
      token: () => hmacToken('HS512', HMAC_SECRET, { typ: 'at+jwt' }, claimsFor(HMAC_ISSUER)),
    },
    request: get('/hmac/auth', bearer),
    expect: allowed(),
  },
  {
    name: 'RS256 with an all-zero (null) signature',
    class: 2,
    route: '/auth',
    tokens: { token: altered((t) => withSignature(t, () => new Uint8Array(256))) },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'alg "none " with a trailing space',
    class: 2,
    route: '/auth',
    tokens: { token: (fx) => unsigned({ alg: 'none ', typ: 'at+jwt' }, claims(fx)) },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'alg empty string',
    class: 2,
    route: '/auth',
    tokens: { token: (fx) => unsigned({ alg: '', typ: 'at+jwt' }, claims(fx)) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'alg as an array',
    class: 2,
    route: '/auth',
    tokens: { token: (fx) => unsigned({ alg: ['RS256'], typ: 'at+jwt' }, claims(fx)) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'alg PS256 naming an RS256-only key',
    class: 2,
    route: '/auth',
    tokens: { token: altered((t) => resegment(t, { header: (h) => ({ ...h, alg: 'PS256' }) })) },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'alg ES256 naming an RSA key',
    class: 2,
    route: '/auth',
    tokens: { token: altered((t) => resegment(t, { header: (h) => ({ ...h, alg: 'ES256' }) })) },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'JWE algorithm (RSA-OAEP) in a three-segment token',
    class: 2,
    route: '/auth',
    tokens: { token: (fx) => unsigned({ alg: 'RSA-OAEP', typ: 'at+jwt' }, claims(fx)) },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'JWE with zip DEF (compression bomb shape) is never decrypted',
    class: 2,
    route: '/auth',
    tokens: {
      token: () => {
        const header = b64u(JSON.stringify({ alg: 'dir', enc: 'A256GCM', zip: 'DEF' }));
        const bomb = b64u(deflateRawSync(Buffer.alloc(1_000_000, 0x41)));
        return `${header}..${b64u(new Uint8Array(12))}.${bomb}.${b64u(new Uint8Array(16))}`;
      },
    },
    request: get('/auth', bearer),
    expect: invalidToken(ENCRYPTED),
  },
  {
    // jose ignores `zip` on a JWS; what matters is that the payload is never inflated.
    name: 'zip DEF on a signed JWS with a deflated payload is never inflated',
    class: 2,
    route: '/auth',
    tokens: {
      token: (fx) =>
        signRaw(
          fx.trusted.currentKey,
          rsHeader(fx, ',"zip":"DEF"'),
          deflateRawSync(Buffer.from(JSON.stringify(claims(fx, { pad: 'A'.repeat(100_000) })))),
        ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'jku pointing at a server on 127.0.0.1 (never fetched)',
    class: 2,
    route: '/auth',
    tokens: {
      token: (fx) =>
        fx.trusted.mintToken(
          {},
          { key: fx.attacker, header: { jku: fx.canary.url('/jwks'), kid: 'attacker' } },
        ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY, { untouched: ['canary'] }),
  },
  {
    name: 'x5u pointing at a server on 127.0.0.1 (never fetched)',
    class: 2,
    route: '/auth',
    tokens: {
      token: (fx) =>
        fx.trusted.mintToken(
          {},
          { key: fx.attacker, header: { x5u: fx.canary.url('/cert.pem'), kid: 'attacker' } },
        ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY, { untouched: ['canary'] }),
  },
  {
    name: 'x5c with an attacker certificate, signed by its key',
    class: 2,
    route: '/auth',
    tokens: {
      token: async (fx) =>
        signJson(await attackerCertKey(), { typ: 'at+jwt', x5c: [ATTACKER_CERT.x5c] }, claims(fx)),
    },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'embedded jwk of the attacker key, naming the issuer kid',
    class: 2,
    route: '/auth',
    tokens: {
      token: (fx) =>
        fx.trusted.mintToken(
          {},
          {
            key: fx.attacker,
            header: { kid: fx.trusted.currentKey.kid, jwk: fx.attacker.publicJwk },
          },
        ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'embedded jwk of the attacker key, no kid',
    class: 2,
    route: '/auth',
    tokens: {
      token: (fx) =>
        fx.trusted.mintToken(
          {},
          { key: fx.attacker, header: { kid: undefined, jwk: fx.attacker.publicJwk } },
        ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(AMBIGUOUS),
  },
  {
    name: 'no kid with several issuer keys (a genuine signature)',
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { kid: undefined }) },
    request: get('/auth', bearer),
    expect: invalidToken(AMBIGUOUS),
  },
  {
    name: 'kid ../../etc/passwd',
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { kid: '../../../../etc/passwd' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: "kid ' OR 1=1 --",
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { kid: "' OR 1=1 --" }) },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'kid with a NUL byte after the real kid',
    class: 2,
    route: '/auth',
    tokens: {
      token: (fx) =>
        fx.trusted.mintToken({}, { header: { kid: `${fx.trusted.currentKey.kid}\u0000` } }),
    },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'kid null (not the same as no kid)',
    class: 2,
    route: '/auth',
    tokens: {
      token: (fx) =>
        signRaw(fx.trusted.currentKey, '{"alg":"RS256","kid":null}', JSON.stringify(claims(fx))),
    },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'kid empty string',
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { kid: '' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'typ logout+jwt',
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { typ: 'logout+jwt' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_ACCESS_TYP),
  },
  {
    name: 'typ "at+jwt " with a trailing space',
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { typ: 'at+jwt ' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_ACCESS_TYP),
  },
  {
    name: 'typ APPLICATION/AT+JWT (media types are case-insensitive)',
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { typ: 'APPLICATION/AT+JWT' }) },
    request: get('/auth', bearer),
    expect: allowed(),
  },
  {
    name: 'crit as an empty array',
    class: 2,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx, ',"crit":[]'),
        (fx) => JSON.stringify(claims(fx)),
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(EXTENSIONS),
  },
  {
    name: 'b64 true',
    class: 2,
    route: '/auth',
    tokens: { token: mint({}, { b64: true }) },
    request: get('/auth', bearer),
    expect: invalidToken(EXTENSIONS),
  },
  {
    name: 'nested JWT: the signed payload is another JWT (cty JWT)',
    class: 2,
    route: '/auth',
    tokens: {
      token: async (fx) =>
        signRaw(fx.trusted.currentKey, rsHeader(fx, ',"cty":"JWT"'), await fx.trusted.mintToken()),
    },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'header is JSON null',
    class: 2,
    route: '/auth',
    tokens: { token: (fx) => unsigned('null', claims(fx)) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'duplicate alg member: RS256 then none',
    class: 2,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => `{"alg":"RS256","kid":${JSON.stringify(fx.trusted.currentKey.kid)},"alg":"none"}`,
        (fx) => JSON.stringify(claims(fx)),
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(UNSIGNED),
  },
  {
    // RFC 7515 §4: a JWS with duplicate members is rejected, or the lexically last one is used.
    // Core and jose both take the last one (JSON.parse), so they agree on the algorithm.
    name: 'duplicate alg member: none then RS256, genuinely signed (lexically last wins)',
    class: 2,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => `{"alg":"none","kid":${JSON.stringify(fx.trusted.currentKey.kid)},"alg":"RS256"}`,
        (fx) => JSON.stringify(claims(fx)),
      ),
    },
    request: get('/auth', bearer),
    expect: allowed(),
  },

  // --- 3. Signatures and keys -----------------------------------------------------------------
  {
    name: 'header modified (typ) under the old signature',
    class: 3,
    route: '/auth',
    tokens: {
      token: altered((t) => resegment(t, { header: (h) => ({ ...h, typ: 'JWT' }) })),
    },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'payload modified (exp extended by a year) under the old signature',
    class: 3,
    route: '/auth',
    tokens: {
      token: altered((t) =>
        resegment(t, { payload: (p) => ({ ...p, exp: (p.exp as number) + 31_536_000 }) }),
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'payload modified (organization added) under the old signature',
    class: 3,
    route: '/orgs/:orgId/reports',
    tokens: {
      token: altered(
        (t) => resegment(t, { payload: (p) => ({ ...p, organization_id: 'org-1' }) }),
        mint({ scope: 'read:report' }),
      ),
    },
    request: get('/orgs/org-1/reports', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'signature truncated by one byte',
    class: 3,
    route: '/auth',
    tokens: { token: altered((t) => withSignature(t, (s) => s.subarray(0, s.length - 1))) },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'signature extended by one byte',
    class: 3,
    route: '/auth',
    tokens: {
      token: altered((t) => withSignature(t, (s) => Buffer.concat([s, Buffer.from([0])]))),
    },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'signature with one bit flipped',
    class: 3,
    route: '/auth',
    tokens: { token: altered((t) => withSignature(t, (s) => flipBit(s, 100, 4))) },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'signature of another token of the same issuer and key',
    class: 3,
    route: '/scope',
    tokens: {
      token: async (fx) => {
        const [h, p] = split(await fx.trusted.mintToken({ scope: 'read:report' }));
        const [, , s] = split(await fx.trusted.mintToken());
        return `${h}.${p}.${s}`;
      },
    },
    request: get('/scope', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'non-canonical base64url signature (spare bits set, same bytes)',
    class: 3,
    route: '/auth',
    tokens: { token: altered(nonCanonicalSignature) },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'ES256: a genuine signature re-encoded as DER',
    class: 3,
    route: '/ec/auth',
    tokens: { token: ecSignature(derSignature) },
    request: get('/ec/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'ES256: r = s = 0',
    class: 3,
    route: '/ec/auth',
    tokens: { token: ecSignature(() => new Uint8Array(64)) },
    request: get('/ec/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: 'ES256: signature of 63 bytes',
    class: 3,
    route: '/ec/auth',
    tokens: { token: ecSignature((s) => s.subarray(0, 63)) },
    request: get('/ec/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    // ECDSA is malleable: (r, n - s) verifies too. Nothing may be keyed on the token string.
    name: 'ES256: the high-S twin of a genuine signature verifies',
    class: 3,
    route: '/ec/auth',
    tokens: { token: ecSignature(highS) },
    request: get('/ec/auth', bearer),
    expect: allowed(),
  },
  {
    name: 'ES256: the high-S twin of a revoked token is still revoked (revocation keyed on jti)',
    class: 3,
    route: '/ec/auth',
    tokens: { token: ecSignature(highS, { jti: REVOKED_JTI }) },
    request: get('/ec/auth', bearer),
    expect: invalidToken('The token has been revoked'),
  },
  {
    name: 'ES256 issuer: an RS256 token of another issuer key with its iss',
    class: 3,
    route: '/ec/auth',
    tokens: { token: mint({ iss: EC_ISSUER }) },
    request: get('/ec/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'signed by a 1024-bit RSA key published in the JWKS',
    class: 3,
    route: '/weak/auth',
    tokens: { token: weakToken((fx) => fx.weakKeys.weak) },
    request: get('/weak/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'HS256 with an oct key published in the JWKS',
    class: 3,
    route: '/weak/auth',
    tokens: {
      token: (fx) =>
        hmacToken('HS256', fx.weakKeys.sym, { typ: 'at+jwt', kid: 'sym' }, claimsFor(WEAK_ISSUER)),
    },
    request: get('/weak/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED),
  },
  {
    name: 'signed by an encryption-only (use enc) key published in the JWKS',
    class: 3,
    route: '/weak/auth',
    tokens: { token: weakToken((fx) => fx.weakKeys.enc) },
    request: get('/weak/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'signed by a published key whose key_ops exclude verify',
    class: 3,
    route: '/weak/auth',
    tokens: { token: weakToken((fx) => fx.weakKeys.ops) },
    request: get('/weak/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'ES256 by an EC key published with alg RS256 (no alg fallback)',
    class: 3,
    route: '/weak/auth',
    tokens: { token: weakToken((fx) => fx.weakKeys.mismatch) },
    request: get('/weak/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'two different published keys under one kid (never guess)',
    class: 3,
    route: '/weak/auth',
    tokens: { token: weakToken((fx) => fx.weakKeys.dup) },
    request: get('/weak/auth', bearer),
    expect: invalidToken(SHARED_KID),
  },
  {
    name: 'control: signed by the one usable key of that JWKS',
    class: 3,
    route: '/weak/auth',
    tokens: { token: weakToken((fx) => fx.weakKeys.good) },
    request: get('/weak/auth', bearer),
    expect: allowed(),
  },

  // --- 4. Claims ------------------------------------------------------------------------------
  {
    name: 'iss in upper case',
    class: 4,
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ iss: fx.trusted.issuer.toUpperCase() }) },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED, { untouched: ['trusted'] }),
  },
  {
    name: 'iss with https instead of http',
    class: 4,
    route: '/auth',
    tokens: {
      token: (fx) => fx.trusted.mintToken({ iss: fx.trusted.issuer.replace('http:', 'https:') }),
    },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED, { untouched: ['trusted'] }),
  },
  {
    name: 'iss with a homoglyph (fullwidth digit)',
    class: 4,
    route: '/auth',
    tokens: {
      token: (fx) => fx.trusted.mintToken({ iss: fx.trusted.issuer.replace('127', '１27') }),
    },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED, { untouched: ['trusted'] }),
  },
  {
    name: 'iss with trailing white space',
    class: 4,
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ iss: `${fx.trusted.issuer} ` }) },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED, { untouched: ['trusted'] }),
  },
  {
    name: 'iss as an array holding the trusted issuer',
    class: 4,
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ iss: [fx.trusted.issuer] }) },
    request: get('/auth', bearer),
    expect: invalidToken(ISS_TYPE, { untouched: ['trusted'] }),
  },
  {
    name: 'iss null',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ iss: null }) },
    request: get('/auth', bearer),
    expect: invalidToken(ISS_TYPE),
  },
  {
    name: 'iss naming a live server on 127.0.0.1 (no discovery, no SSRF)',
    class: 4,
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ iss: fx.canary.origin }) },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED, { untouched: ['canary', 'trusted'] }),
  },
  {
    name: 'aud as a number',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ aud: 1 }) },
    request: get('/auth', bearer),
    expect: invalidToken(AUD_TYPE),
  },
  {
    name: 'aud array with ours and a number',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ aud: [AUDIENCE, 1] }) },
    request: get('/auth', bearer),
    expect: invalidToken(AUD_TYPE),
  },
  {
    name: 'aud as an object',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ aud: { [AUDIENCE]: true } }) },
    request: get('/auth', bearer),
    expect: invalidToken(AUD_TYPE),
  },
  {
    name: 'aud empty string',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ aud: '' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'aud in upper case',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ aud: AUDIENCE.toUpperCase() }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'aud with a Cyrillic homoglyph',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ aud: AUDIENCE.replace('a', '\u0430') }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'aud with two organization audiences',
    class: 4,
    route: '/auth',
    tokens: {
      token: mint({ aud: ['urn:logto:organization:org-1', 'urn:logto:organization:org-2'] }),
    },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'aud urn:logto:organization: with an empty id',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ aud: 'urn:logto:organization:' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'exp as a numeric string',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ exp: String(nowSeconds() + 300) }) },
    request: get('/auth', bearer),
    expect: invalidToken('The exp claim must be a number'),
  },
  {
    name: 'exp 1e400 (Infinity after JSON.parse)',
    class: 4,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => `{"exp":1e400,${claimsBody(fx, { exp: undefined })}}`,
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken('The exp claim must be a number'),
  },
  {
    name: 'exp null',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ exp: null }) },
    request: get('/auth', bearer),
    expect: invalidToken('The exp claim must be a number'),
  },
  {
    name: 'exp negative',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ exp: -1 }) },
    request: get('/auth', bearer),
    expect: invalidToken(EXPIRED),
  },
  {
    name: 'maxTokenLifetime: exp in the year 33658',
    class: 4,
    route: '/life/auth',
    tokens: { token: mint({ exp: 1e12 }) },
    request: get('/life/auth', bearer),
    expect: invalidToken('The token lives longer than allowed'),
  },
  {
    name: 'maxTokenLifetime: exp near Number.MAX_VALUE',
    class: 4,
    route: '/life/auth',
    tokens: { token: mint({ exp: 1.7e308 }) },
    request: get('/life/auth', bearer),
    expect: invalidToken('The token lives longer than allowed'),
  },
  {
    name: 'maxTokenAge: no iat',
    class: 4,
    route: '/life/auth',
    tokens: { token: mint({ iat: undefined }) },
    request: get('/life/auth', bearer),
    expect: invalidToken('The token has no iat claim'),
  },
  {
    name: 'maxTokenAge: iat two days ago',
    class: 4,
    route: '/life/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ iat: nowSeconds() - 172_800 }) },
    request: get('/life/auth', bearer),
    expect: invalidToken('The token is too old'),
  },
  {
    name: 'nbf as a string',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ nbf: '0' }) },
    request: get('/auth', bearer),
    expect: invalidToken('The nbf claim must be a number'),
  },
  {
    name: 'nbf one minute in the future',
    class: 4,
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.mintToken({ nbf: nowSeconds() + 60 }) },
    request: get('/auth', bearer),
    expect: invalidToken('The token is not valid yet'),
  },
  {
    name: 'iat 1e400',
    class: 4,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => `{"iat":1e400,${claimsBody(fx, { iat: undefined })}}`,
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken('The iat claim must be a number'),
  },
  {
    name: 'sub as a number',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ sub: 123 }) },
    request: get('/auth', bearer),
    expect: invalidToken('The sub claim must be a string'),
  },
  {
    name: 'client_id as an object',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ client_id: { id: 'client-abc' } }) },
    request: get('/auth', bearer),
    expect: invalidToken('The client_id claim must be a string'),
  },
  {
    name: '__proto__ member carrying the aud',
    class: 4,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => `{"__proto__":{"aud":"${AUDIENCE}"},${claimsBody(fx, { aud: undefined })}}`,
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(NO_AUDIENCE),
  },
  {
    name: '__proto__ member carrying a scope',
    class: 4,
    route: '/scope',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => `{"__proto__":{"scope":"read:report"},${claimsBody(fx)}}`,
      ),
    },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: '__proto__ member carrying an organization',
    class: 4,
    route: '/org-scope',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) =>
          `{"__proto__":{"organization_id":"org-1"},${claimsBody(fx, { scope: 'invite:member' })}}`,
      ),
    },
    request: get('/org-scope', bearer),
    expect: forbidden(ORG_REQUIRED, 'invite:member'),
  },
  {
    name: 'constructor and toString claims are just claims',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ constructor: { name: 'x' }, toString: 'x', hasOwnProperty: 1 }) },
    request: get('/auth', bearer),
    expect: allowed(),
  },
  {
    name: 'cnf with jkt (DPoP-bound) presented as a bearer token',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }) },
    request: get('/auth', bearer),
    expect: invalidToken(SENDER_CONSTRAINED),
  },
  {
    name: 'cnf with x5t#S256 (mTLS-bound) presented as a bearer token',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } }) },
    request: get('/auth', bearer),
    expect: invalidToken(SENDER_CONSTRAINED),
  },
  {
    name: 'cnf null',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ cnf: null }) },
    request: get('/auth', bearer),
    expect: invalidToken(SENDER_CONSTRAINED),
  },
  {
    name: 'claim set is a JSON array (genuinely signed)',
    class: 4,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => JSON.stringify([claims(fx)]),
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'claim set is a JSON string (genuinely signed)',
    class: 4,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => JSON.stringify(JSON.stringify(claims(fx))),
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'duplicate exp: future then past (lexically last wins)',
    class: 4,
    route: '/auth',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => `{"exp":${nowSeconds() + 300},${claimsBody(fx, { exp: undefined })},"exp":1}`,
      ),
    },
    request: get('/auth', bearer),
    expect: invalidToken(EXPIRED),
  },
  {
    name: 'ID token with only c_hash (typ JWT)',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ c_hash: 'x', client_id: undefined }, { typ: 'JWT' }) },
    request: get('/auth', bearer),
    expect: invalidToken(ID_TOKEN),
  },
  {
    name: 'ID token shape without typ (nonce)',
    class: 4,
    route: '/auth',
    tokens: { token: mint({ nonce: 'n-0S6_WzA2Mj' }, { typ: undefined }) },
    request: get('/auth', bearer),
    expect: invalidToken(ID_TOKEN),
  },
  {
    name: 'rfc9068: no jti',
    class: 4,
    route: '/strict/auth',
    tokens: { token: mint({ jti: undefined }) },
    request: get('/strict/auth', bearer),
    expect: invalidToken('The token has no jti claim'),
  },
  {
    name: 'rfc9068: typ JWT',
    class: 4,
    route: '/strict/auth',
    tokens: { token: mint({}, { typ: 'JWT' }) },
    request: get('/strict/auth', bearer),
    expect: invalidToken(NOT_ACCESS_TYP),
  },
  {
    name: 'organization token naming a different organization_id',
    class: 4,
    route: '/orgs/:orgId/reports',
    tokens: {
      token: mint({
        aud: 'urn:logto:organization:org-1',
        organization_id: 'org-2',
        scope: 'read:report',
      }),
    },
    request: get('/orgs/org-1/reports', bearer),
    expect: invalidToken('The token names two different organizations'),
  },

  // --- 5. Scopes, roles, organizations --------------------------------------------------------
  {
    name: 'scopes delimited by a tab',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: 'read:report\twrite:report' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scopes delimited by a newline',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: 'write:report\nread:report' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'wildcard scope read:*',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: 'read:*' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'wildcard scope *',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: '*' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope with a Cyrillic look-alike',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: 'r\u0435ad:report' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope with a fullwidth colon',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: 'read\uff1areport' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope with a NUL suffix',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: 'read:report\u0000' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'scope claim as an object',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scope: { 'read:report': true } }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'permission only in an unconfigured claim (scopes)',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ scopes: 'read:report', permission: 'read:report' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'permission only as a role',
    class: 5,
    route: '/scope',
    tokens: { token: mint({ roles: ['read:report'] }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'permission only in request headers',
    class: 5,
    route: '/scope',
    tokens: { token: mint() },
    request: get(
      '/scope',
      bearer,
      ['X-Scope', 'read:report'],
      ['X-Permissions', 'read:report'],
      ['Scope', 'read:report'],
    ),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'all-of with one scope listed twice',
    class: 5,
    route: '/scopes',
    tokens: { token: mint({ scope: 'read:report read:report' }) },
    request: get('/scopes', bearer),
    expect: forbidden(LACKS_SCOPE, 'write:report'),
  },
  {
    name: 'any-of with near misses only',
    class: 5,
    route: '/any-scope',
    tokens: { token: mint({ scope: 'read:reports admin:al admin:all:x' }) },
    request: get('/any-scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report admin:all'),
  },
  {
    name: 'composite: editor role from the scope claim, not the roles claim',
    class: 5,
    route: '/composite',
    tokens: { token: mint({ scope: 'editor read:report' }) },
    request: get('/composite', bearer),
    expect: forbidden(NO_ALTERNATIVE, 'admin:all'),
  },
  {
    name: 'required scope named constructor, token without scopes',
    class: 5,
    route: '/atk/proto-scope',
    tokens: { token: mint() },
    request: get('/atk/proto-scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'constructor'),
  },
  {
    name: 'required scope named constructor, granted',
    class: 5,
    route: '/atk/proto-scope',
    tokens: { token: mint({ scope: 'constructor' }) },
    request: get('/atk/proto-scope', bearer),
    expect: allowed(),
  },
  {
    name: 'required role named __proto__, roles claim an object with a __proto__ member',
    class: 5,
    route: '/atk/proto-role',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => `{"roles":{"__proto__":true},${claimsBody(fx)}}`,
      ),
    },
    request: get('/atk/proto-role', bearer),
    expect: forbidden(LACKS_ROLE),
  },
  {
    name: 'required claim named constructor, token without it',
    class: 5,
    route: '/atk/proto-claim',
    tokens: { token: mint() },
    request: get('/atk/proto-claim', bearer),
    expect: forbidden(CLAIM_MISMATCH),
  },
  {
    name: 'organization id %2541 in both the token and the path (decoded once)',
    class: 5,
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: '%2541', scope: 'read:report' }) },
    request: get('/orgs/%2541/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization id with encoded slash and dot segments in the path',
    class: 5,
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-1', scope: 'read:report' }) },
    request: get('/orgs/org-1%2F..%2Forg-2/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization id in another case in the path',
    class: 5,
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-1', scope: 'read:report' }) },
    request: get('/orgs/ORG-1/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization id with a trailing space in the path',
    class: 5,
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: 'org-1', scope: 'read:report' }) },
    request: get('/orgs/org-1%20/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization id with a Cyrillic look-alike in the token',
    class: 5,
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: '\u043erg-1', scope: 'read:report' }) },
    request: get('/orgs/org-1/reports', bearer),
    expect: forbidden(OTHER_ORG),
  },
  {
    name: 'organization_id as an array',
    class: 5,
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: ['org-1'], scope: 'read:report' }) },
    request: get('/orgs/org-1/reports', bearer),
    expect: invalidToken(ORG_TYPE),
  },
  {
    name: 'organization_id as an object',
    class: 5,
    route: '/orgs/:orgId/reports',
    tokens: { token: mint({ organization_id: { id: 'org-1' }, scope: 'read:report' }) },
    request: get('/orgs/org-1/reports', bearer),
    expect: invalidToken(ORG_TYPE),
  },
  {
    name: 'organization_id empty string',
    class: 5,
    route: '/org-scope',
    tokens: { token: mint({ organization_id: '', scope: 'invite:member' }) },
    request: get('/org-scope', bearer),
    expect: invalidToken(ORG_TYPE),
  },
  {
    name: 'organization_id null',
    class: 5,
    route: '/org-scope',
    tokens: { token: mint({ organization_id: null, scope: 'invite:member' }) },
    request: get('/org-scope', bearer),
    expect: invalidToken(ORG_TYPE),
  },

  // --- 6. Key server faults and denial of service ---------------------------------------------
  {
    name: 'key server down: an unknown kid is 503, not 401',
    class: 6,
    route: '/down/auth',
    tokens: { token: mint({}, { kid: 'rotated-in-during-the-outage' }) },
    request: get('/down/auth', bearer),
    expect: unavailable(),
  },
  {
    name: 'key server down: alg none is refused without keys',
    class: 6,
    route: '/down/auth',
    tokens: { token: (fx) => fx.trusted.tokens.algNone() },
    request: get('/down/auth', bearer),
    expect: invalidToken(UNSIGNED),
  },
  {
    name: 'key server answers 500: HS256 is refused before any fetch',
    class: 6,
    route: '/faulty/auth',
    tokens: { token: (fx) => hmacToken('HS256', '', {}, claimsFor(fx.faulty.issuer)) },
    request: get('/faulty/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED, { untouched: ['faulty'] }),
  },
  {
    name: 'key server answers 500: a token of the trusted issuer is refused before any fetch',
    class: 6,
    route: '/faulty/auth',
    tokens: { token: mint() },
    request: get('/faulty/auth', bearer),
    expect: invalidToken(UNTRUSTED, { untouched: ['faulty', 'trusted'] }),
  },
  {
    name: 'key server answers 500: a token for another audience is 503 (keys before claims)',
    class: 6,
    route: '/faulty/auth',
    tokens: { token: (fx) => fx.faulty.tokens.wrongAudience() },
    request: get('/faulty/auth', bearer),
    expect: unavailable(),
  },
  {
    name: 'key server answers 500: a malformed header is 400',
    class: 6,
    route: '/faulty/auth',
    tokens: { token: (fx) => fx.faulty.mintToken() },
    request: get('/faulty/auth', authorization('Bearer  {token}')),
    expect: badRequest(MALFORMED_HEADER, { untouched: ['faulty'] }),
  },
  {
    name: 'optional auth, key server down: no token is anonymous',
    class: 6,
    route: '/dopt/optional',
    request: get('/dopt/optional'),
    expect: allowed(anonymous),
  },
  {
    name: 'optional auth, key server down: a token is 503, never anonymous',
    class: 6,
    route: '/dopt/optional',
    tokens: { token: mint() },
    request: get('/dopt/optional', bearer),
    expect: unavailable(),
  },
  {
    name: 'optional auth, key server down: alg none is 401, never anonymous',
    class: 6,
    route: '/dopt/optional',
    tokens: { token: (fx) => fx.trusted.tokens.algNone() },
    request: get('/dopt/optional', bearer),
    expect: invalidToken(UNSIGNED),
  },
  {
    name: 'key server slower than keySet.timeout',
    class: 6,
    route: '/slow/auth',
    tokens: { token: tokenFor(SLOW_ISSUER) },
    request: get('/slow/auth', bearer),
    expect: unavailable({ within: 2_000 }),
  },
  {
    name: 'key server redirecting to the real keys (not followed)',
    class: 6,
    route: '/redirect/auth',
    tokens: { token: tokenFor(REDIRECT_ISSUER) },
    request: get('/redirect/auth', bearer),
    expect: unavailable({ untouched: ['trusted'] }),
  },
  {
    name: 'key server answering an HTML login page',
    class: 6,
    route: '/html/auth',
    tokens: { token: tokenFor(HTML_ISSUER) },
    request: get('/html/auth', bearer),
    expect: unavailable(),
  },

  // --- 7. Resource exhaustion -----------------------------------------------------------------
  {
    name: 'garbage longer than maxTokenLength is refused before decoding',
    class: 7,
    route: '/auth',
    request: get('/auth', authorization(`Bearer ${'A'.repeat(9_000)}`)),
    expect: invalidToken(TOO_LARGE),
  },
  {
    name: 'garbage of exactly maxTokenLength (8192) is decoded, not refused as too large',
    class: 7,
    route: '/auth',
    request: get('/auth', authorization(`Bearer ${'A'.repeat(8_192)}`)),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'garbage of maxTokenLength + 1',
    class: 7,
    route: '/auth',
    request: get('/auth', authorization(`Bearer ${'A'.repeat(8_193)}`)),
    expect: invalidToken(TOO_LARGE),
  },
  {
    name: 'kid of 10 KB',
    class: 7,
    route: '/auth',
    tokens: { token: mint({}, { kid: 'k'.repeat(10_240) }) },
    request: get('/auth', bearer),
    expect: invalidToken(TOO_LARGE),
  },
  {
    name: 'kid of 10 KB under a 64 KiB token limit',
    class: 7,
    route: '/big/auth',
    tokens: { token: mint({}, { kid: 'k'.repeat(10_240) }) },
    request: get('/big/auth', bearer),
    expect: invalidToken(MALFORMED),
  },
  {
    name: 'a thousand dots',
    class: 7,
    route: '/auth',
    request: get('/auth', authorization(`Bearer ${'a.'.repeat(1_000)}a`)),
    expect: invalidToken(MALFORMED),
  },
  {
    name: '2000 levels of nested arrays in the header',
    class: 7,
    route: '/auth',
    tokens: {
      token: (fx) =>
        unsigned(rsHeader(fx, `,"x":${nested(2_000)}`), claims(fx), b64u(new Uint8Array(256))),
    },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: '1500 levels of nested arrays in the claims, genuinely signed',
    class: 7,
    route: '/scope',
    tokens: {
      token: raw(
        (fx) => rsHeader(fx),
        (fx) => `{"x":${nested(1_500)},${claimsBody(fx)}}`,
      ),
    },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: '500 header members',
    class: 7,
    route: '/auth',
    tokens: {
      token: (fx) => {
        const members = Array.from({ length: 500 }, (_, i) => `"m${i}":0`).join(',');
        return unsigned(rsHeader(fx, `,${members}`), claims(fx), b64u(new Uint8Array(256)));
      },
    },
    request: get('/auth', bearer),
    expect: invalidToken(BAD_SIGNATURE),
  },
  {
    name: '800 scopes, none the required one',
    class: 7,
    route: '/scope',
    tokens: {
      token: mint({ scope: Array.from({ length: 800 }, (_, i) => `s${i}`).join(' ') }),
    },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },

  // --- 8. Response correctness ----------------------------------------------------------------
  {
    name: 'iss with CR/LF and quotes is not reflected',
    class: 8,
    route: '/auth',
    tokens: { token: mint({ iss: 'https://evil"\r\nX-Injected: yes\r\n' }) },
    request: get('/auth', bearer),
    expect: invalidToken(UNTRUSTED, INJECTED),
  },
  {
    name: 'aud with quotes and backslashes is not reflected',
    class: 8,
    route: '/auth',
    tokens: { token: mint({ aud: 'x", error="none\\' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_FOR_US),
  },
  {
    name: 'scope claim with CR/LF is not reflected (the challenge names the required scope)',
    class: 8,
    route: '/scope',
    tokens: { token: mint({ scope: 'x"\r\nX-Injected: yes' }) },
    request: get('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report', INJECTED),
  },
  {
    name: 'claim value with CR/LF is not reflected',
    class: 8,
    route: '/claim',
    tokens: { token: mint({ tier: 'pro\r\nX-Injected: yes' }) },
    request: get('/claim', bearer),
    expect: forbidden(CLAIM_MISMATCH, undefined, INJECTED),
  },
  {
    name: 'organization id with CR/LF and non-Latin-1 is not reflected',
    class: 8,
    route: '/orgs/:orgId/reports',
    tokens: {
      token: mint({ organization_id: 'org-2"\r\nX-Injected: ключ', scope: 'read:report' }),
    },
    request: get('/orgs/org-1/reports', bearer),
    expect: forbidden(OTHER_ORG, undefined, INJECTED),
  },
  {
    name: 'sub with non-Latin-1 and U+2028 on a denying policy',
    class: 8,
    route: '/policy',
    tokens: { token: mint({ sub: 'пользователь\u2028"\r\n' }) },
    request: get('/policy', bearer),
    expect: forbidden('The request is not allowed'),
  },
  {
    name: 'typ with CR/LF',
    class: 8,
    route: '/auth',
    tokens: { token: mint({}, { typ: 'at+jwt\r\nX-Injected: yes' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NOT_ACCESS_TYP, INJECTED),
  },
  {
    name: 'alg with CR/LF and non-Latin-1',
    class: 8,
    route: '/auth',
    tokens: { token: (fx) => unsigned({ alg: 'RS256\r\nX-Injected: ключ' }, claims(fx)) },
    request: get('/auth', bearer),
    expect: invalidToken(ALG_NOT_ALLOWED, INJECTED),
  },
  {
    name: 'kid with non-Latin-1 characters',
    class: 8,
    route: '/auth',
    tokens: { token: mint({}, { kid: 'ключ-🔑' }) },
    request: get('/auth', bearer),
    expect: invalidToken(NO_KEY),
  },
  {
    name: 'UTF-8 (non-Latin-1) bytes in the Authorization header',
    class: 8,
    route: '/auth',
    request: get('/auth', authorization(utf8Bytes('Bearer ключ.🔑.токен'))),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'UTF-8 bytes in the scheme',
    class: 8,
    route: '/auth',
    tokens: { token: mint() },
    request: get('/auth', authorization(`${utf8Bytes('Веарер')} {token}`)),
    expect: badRequest(MALFORMED_HEADER),
  },
  {
    name: 'HEAD without a token is challenged like GET',
    class: 8,
    route: '/auth',
    request: head('/auth'),
    expect: noCredentials(),
  },
  {
    name: 'HEAD with an expired token',
    class: 8,
    route: '/auth',
    tokens: { token: (fx) => fx.trusted.tokens.expired() },
    request: head('/auth', bearer),
    expect: invalidToken(EXPIRED),
  },
  {
    name: 'HEAD with a token lacking the scope',
    class: 8,
    route: '/scope',
    tokens: { token: mint() },
    request: head('/scope', bearer),
    expect: forbidden(LACKS_SCOPE, 'read:report'),
  },
  {
    name: 'HEAD with the key server down',
    class: 8,
    route: '/down/auth',
    tokens: { token: mint() },
    request: head('/down/auth', bearer),
    expect: unavailable(),
  },
];
