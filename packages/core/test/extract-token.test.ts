import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  authorizationFromRawHeaders,
  createTokenward,
  extractToken,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  type TokenRequest,
  type TokenwardOptions,
} from '../src/index.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.reports.example';
const JWKS_URI = 'https://issuer.example/jwks';

const DEFAULTS = { query: false, body: false, maxTokenLength: 8192 } as const;
const FORM = 'application/x-www-form-urlencoded';

let privateKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
});

function mint(claims: JWTPayload = {}): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'key-1', typ: 'at+jwt' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

function tokenward(options: Partial<TokenwardOptions> = {}) {
  return createTokenward({ issuer: ISSUER, audience: AUDIENCE, jwks: [publicJwk], ...options });
}

/** A fetch that serves the JWKS and records every URL it is asked for. */
function countingFetch() {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = async (input) => {
    calls.push(String(input instanceof Request ? input.url : input));
    return new Response(JSON.stringify({ keys: [publicJwk] }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetch: fetchImpl };
}

/** Run `fn`, expect it to throw an AuthError, and return it. */
function refusal(fn: () => unknown): AuthError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AuthError);
  return thrown as AuthError;
}

function expectMissing(error: AuthError): void {
  expect(error).toBeInstanceOf(MissingTokenError);
  expect(error.code).toBe('missing_token');
  expect(error.phase).toBe('credentials');
  expect(error.status).toBe(401);
  expect(error.bearerError).toBeUndefined();
}

function expectBadRequest(error: AuthError, code: 'malformed_credentials' | 'multiple_tokens') {
  expect(error).toBeInstanceOf(InvalidRequestError);
  expect(error.code).toBe(code);
  expect(error.phase).toBe('request');
  expect(error.status).toBe(400);
  expect(error.bearerError).toBe('invalid_request');
}

const BARE_401 = {
  status: 401,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'www-authenticate': 'Bearer',
  },
  body: '{"error":"unauthorized","error_description":"A bearer token is required"}',
};

const MALFORMED_400 = {
  status: 400,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'www-authenticate':
      'Bearer error="invalid_request", error_description="The Authorization header is malformed"',
  },
  body: '{"error":"invalid_request","error_description":"The Authorization header is malformed"}',
};

describe('extractToken: the Authorization header', () => {
  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['an empty list of values', []],
    ['a list holding one empty value', ['']],
  ])('%s is a missing token (401, bare challenge)', (_, authorization) => {
    expectMissing(refusal(() => extractToken({ authorization }, DEFAULTS)));
  });

  it.each([
    'Basic dXNlcjpwYXNz',
    'Basic',
    'Token abc.def.ghi',
    'DPoP eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
    'Digest username="alice", realm="api"',
    'Bearerx abc',
    'MAC id="h480djs93hd8"',
  ])('another scheme (%j) is not a bearer credential: 401 bare', (authorization) => {
    expectMissing(refusal(() => extractToken({ authorization }, DEFAULTS)));
  });

  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER abc.def.ghi', 'abc.def.ghi'],
    ['bEaReR abc.def.ghi', 'abc.def.ghi'],
    ['Bearer A-Z_a.z~0+9/', 'A-Z_a.z~0+9/'],
    ['Bearer abc==', 'abc=='],
    ['Bearer x', 'x'],
  ])('accepts %j', (authorization, expected) => {
    expect(extractToken({ authorization }, DEFAULTS)).toBe(expected);
    expect(extractToken({ authorization: [authorization] }, DEFAULTS)).toBe(expected);
  });

  it.each([
    ['Bearer alone', 'Bearer'],
    ['bearer alone', 'bearer'],
    ['Bearer with an empty token', 'Bearer '],
    ['a tab instead of the space', 'Bearer\tabc.def.ghi'],
    ['a newline instead of the space', 'Bearer\nabc.def.ghi'],
    ['a no-break space instead of the space', 'Bearer\u00a0abc.def.ghi'],
    ['two spaces', 'Bearer  abc.def.ghi'],
    ['a token with a space', 'Bearer abc def'],
    ['a trailing space', 'Bearer abc.def.ghi '],
    ['a leading space', ' Bearer abc.def.ghi'],
    ['a token with a comma', 'Bearer abc,def'],
    ['a token with non-ASCII', 'Bearer tökén'],
    ['a token with an emoji', 'Bearer abc\u{1f600}'],
    ['a token with a NUL', 'Bearer abc\u0000'],
    ['a token with CRLF', 'Bearer abc\r\nX-Injected: 1'],
    ['a quoted token', 'Bearer "abc"'],
    ['padding in the middle', 'Bearer ab=c'],
    ['padding only', 'Bearer ==='],
    ['a token with a semicolon', 'Bearer abc;def'],
    ['garbage', '!!!@@@'],
  ])('%s is a malformed request (400 invalid_request)', (_, authorization) => {
    expectBadRequest(
      refusal(() => extractToken({ authorization }, DEFAULTS)),
      'malformed_credentials',
    );
  });

  it.each([
    [['Bearer a', 'Bearer b']],
    [['Bearer a', 'Bearer a']],
    [['Basic x', 'Bearer a']],
    [['Bearer a', 'Basic x']],
    [['', 'Bearer a']],
    [['Bearer a', 'Bearer b', 'Bearer c']],
  ])('several Authorization values %j are a 400 multiple_tokens', (authorization) => {
    expectBadRequest(
      refusal(() => extractToken({ authorization }, DEFAULTS)),
      'multiple_tokens',
    );
  });

  it('refuses two values joined by Fetch Headers ("Bearer a, Bearer b") with a 400', () => {
    const headers = new Headers();
    headers.append('authorization', 'Bearer aaa.bbb.ccc');
    headers.append('authorization', 'Bearer ddd.eee.fff');
    const joined = headers.get('authorization') ?? undefined;
    expect(joined).toBe('Bearer aaa.bbb.ccc, Bearer ddd.eee.fff');
    const error = refusal(() => extractToken({ authorization: joined }, DEFAULTS));
    expect(error.status).toBe(400);
    expect(error.bearerError).toBe('invalid_request');
  });

  it('never extracts the bearer token out of a Fetch-joined "Basic x, Bearer y"', () => {
    // The request is refused one way or another; the bearer part is never used.
    const error = refusal(() => extractToken({ authorization: 'Basic x, Bearer y' }, DEFAULTS));
    expect([400, 401]).toContain(error.status);
  });
});

describe('authorizationFromRawHeaders: what Node adapters pass as authorization', () => {
  it('returns the single value as a string, and nothing when absent', () => {
    expect(authorizationFromRawHeaders(['Host', 'a', 'Authorization', 'Bearer x'])).toBe(
      'Bearer x',
    );
    expect(authorizationFromRawHeaders(['authorization', 'Bearer x'])).toBe('Bearer x');
    expect(authorizationFromRawHeaders(['Host', 'a'])).toBeUndefined();
    expect(authorizationFromRawHeaders([])).toBeUndefined();
  });

  it('keeps every value of a repeated header, in any case, so extraction answers 400', () => {
    const raw = [
      'authorization',
      'Bearer a',
      'X-Authorization',
      'Bearer z',
      'AUTHORIZATION',
      'Bearer b',
    ];
    const authorization = authorizationFromRawHeaders(raw);
    expect(authorization).toEqual(['Bearer a', 'Bearer b']);
    expectBadRequest(
      refusal(() => extractToken({ authorization }, DEFAULTS)),
      'multiple_tokens',
    );
  });

  it('keeps an empty second value, which is still a second header', () => {
    const authorization = authorizationFromRawHeaders([
      'Authorization',
      'Bearer a',
      'Authorization',
      '',
    ]);
    expect(authorization).toEqual(['Bearer a', '']);
    expectBadRequest(
      refusal(() => extractToken({ authorization }, DEFAULTS)),
      'multiple_tokens',
    );
  });
});

describe('extractToken: query and body', () => {
  it('ignores ?access_token= unless tokenLocations.query is on', () => {
    const request = { authorization: undefined, url: '/reports?access_token=abc.def.ghi' };
    expectMissing(refusal(() => extractToken(request, DEFAULTS)));
    expect(extractToken(request, { ...DEFAULTS, query: true })).toBe('abc.def.ghi');
  });

  it('reads the query from an absolute URL as well', () => {
    const request = {
      authorization: undefined,
      url: 'https://api.example/reports?x=1&access_token=abc.def.ghi&y=2',
    };
    expect(extractToken(request, { ...DEFAULTS, query: true })).toBe('abc.def.ghi');
  });

  it('finds no token in a URL without a query or without access_token', () => {
    const options = { ...DEFAULTS, query: true };
    expectMissing(refusal(() => extractToken({ authorization: undefined, url: '/r' }, options)));
    expectMissing(
      refusal(() => extractToken({ authorization: undefined, url: '/r?token=abc' }, options)),
    );
    expectMissing(
      refusal(() =>
        extractToken({ authorization: undefined, url: '/r?Access_Token=abc' }, options),
      ),
    );
    expectMissing(refusal(() => extractToken({ authorization: undefined }, options)));
  });

  it('refuses a token in both the header and the query (400 multiple_tokens)', () => {
    const request = { authorization: 'Bearer abc.def.ghi', url: '/r?access_token=abc.def.ghi' };
    expectBadRequest(
      refusal(() => extractToken(request, { ...DEFAULTS, query: true })),
      'multiple_tokens',
    );
    // With query tokens off, the query is not read at all.
    expect(extractToken(request, DEFAULTS)).toBe('abc.def.ghi');
  });

  it('refuses a repeated access_token query parameter (400)', () => {
    const request = { authorization: undefined, url: '/r?access_token=a.b.c&access_token=d.e.f' };
    expectBadRequest(
      refusal(() => extractToken(request, { ...DEFAULTS, query: true })),
      'multiple_tokens',
    );
  });

  it.each([
    ['empty', '/r?access_token='],
    ['with a space', '/r?access_token=abc%20def'],
    ['with a literal plus (a space in a form-encoded query)', '/r?access_token=abc+def'],
    ['with a quote', '/r?access_token=abc%22'],
    ['with non-ASCII', '/r?access_token=t%C3%B6ken'],
  ])('refuses a query token that is %s (400 malformed_credentials)', (_, url) => {
    expectBadRequest(
      refusal(() => extractToken({ authorization: undefined, url }, { ...DEFAULTS, query: true })),
      'malformed_credentials',
    );
  });

  it('decodes a percent-encoded plus in a query token', () => {
    const request = { authorization: undefined, url: '/r?access_token=abc%2Bdef' };
    expect(extractToken(request, { ...DEFAULTS, query: true })).toBe('abc+def');
  });

  it('reads a form body token only when tokenLocations.body is on', () => {
    const request: TokenRequest = {
      authorization: undefined,
      method: 'POST',
      contentType: FORM,
      body: { access_token: 'abc.def.ghi' },
    };
    expectMissing(refusal(() => extractToken(request, DEFAULTS)));
    expect(extractToken(request, { ...DEFAULTS, body: true })).toBe('abc.def.ghi');
  });

  it.each([
    'application/x-www-form-urlencoded; charset=utf-8',
    'Application/X-WWW-Form-Urlencoded',
    '  application/x-www-form-urlencoded  ;charset=UTF-8',
  ])('accepts the form content type %j', (contentType) => {
    const request = { authorization: undefined, contentType, body: { access_token: 'a.b.c' } };
    expect(extractToken(request, { ...DEFAULTS, body: true })).toBe('a.b.c');
  });

  it.each([
    ['a JSON body', 'application/json'],
    ['a multipart body', 'multipart/form-data; boundary=x'],
    ['a text body', 'text/plain'],
    ['no content type', undefined],
  ])('ignores access_token in %s', (_, contentType) => {
    const request = { authorization: undefined, contentType, body: { access_token: 'a.b.c' } };
    expectMissing(refusal(() => extractToken(request, { ...DEFAULTS, body: true })));
  });

  it('ignores bodies that are not parsed objects and inherited access_token members', () => {
    const options = { ...DEFAULTS, body: true };
    for (const body of [
      'access_token=a.b.c',
      null,
      undefined,
      42,
      Object.create({ access_token: 'a.b.c' }),
    ]) {
      expectMissing(
        refusal(() => extractToken({ authorization: undefined, contentType: FORM, body }, options)),
      );
    }
  });

  it('refuses an array body value (400 multiple_tokens)', () => {
    const request = {
      authorization: undefined,
      contentType: FORM,
      body: { access_token: ['a.b.c', 'd.e.f'] },
    };
    expectBadRequest(
      refusal(() => extractToken(request, { ...DEFAULTS, body: true })),
      'multiple_tokens',
    );
  });

  it.each([
    ['a number', 42],
    ['an object', { value: 'a.b.c' }],
    ['null', null],
    ['an empty string', ''],
    ['a string with a space', 'a b'],
  ])('refuses a body token that is %s (400 malformed_credentials)', (_, value) => {
    const request = { authorization: undefined, contentType: FORM, body: { access_token: value } };
    expectBadRequest(
      refusal(() => extractToken(request, { ...DEFAULTS, body: true })),
      'malformed_credentials',
    );
  });

  it('refuses a token sent in the header and the body, or the query and the body', () => {
    const options = { query: true, body: true, maxTokenLength: 8192 };
    const body = { access_token: 'a.b.c' };
    expectBadRequest(
      refusal(() =>
        extractToken({ authorization: 'Bearer a.b.c', contentType: FORM, body }, options),
      ),
      'multiple_tokens',
    );
    expectBadRequest(
      refusal(() =>
        extractToken(
          { authorization: undefined, url: '/r?access_token=a.b.c', contentType: FORM, body },
          options,
        ),
      ),
      'multiple_tokens',
    );
  });
});

describe('extractToken: token size', () => {
  it('accepts a token of exactly maxTokenLength characters and refuses one more', () => {
    const atLimit = 'a'.repeat(8192);
    expect(extractToken({ authorization: `Bearer ${atLimit}` }, DEFAULTS)).toBe(atLimit);
    const error = refusal(() => extractToken({ authorization: `Bearer ${atLimit}a` }, DEFAULTS));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.code).toBe('token_too_large');
    expect(error.status).toBe(401);
    expect(error.bearerError).toBe('invalid_token');
  });

  it('applies the limit to query and body tokens too', () => {
    const big = 'a'.repeat(101);
    const options = { query: true, body: true, maxTokenLength: 100 };
    expect(
      refusal(() =>
        extractToken({ authorization: undefined, url: `/r?access_token=${big}` }, options),
      ).code,
    ).toBe('token_too_large');
    expect(
      refusal(() =>
        extractToken(
          { authorization: undefined, contentType: FORM, body: { access_token: big } },
          options,
        ),
      ).code,
    ).toBe('token_too_large');
  });

  it('never echoes the token in the error', () => {
    const secret = `${'s'.repeat(50)}.SECRETPART.${'t'.repeat(50)}`;
    const errors = [
      refusal(() =>
        extractToken({ authorization: `Bearer ${secret}` }, { ...DEFAULTS, maxTokenLength: 64 }),
      ),
      refusal(() => extractToken({ authorization: `Bearer ${secret} x` }, DEFAULTS)),
      refusal(() => extractToken({ authorization: [`Bearer ${secret}`, 'Bearer b'] }, DEFAULTS)),
    ];
    for (const error of errors) {
      expect(error.message).not.toContain('SECRETPART');
      expect(String(error.stack)).not.toContain('SECRETPART');
    }
  });
});

describe('authenticate(): request phase', () => {
  it('authenticates a valid token (the scheme in any case)', async () => {
    const tw = tokenward();
    const token = await mint();
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const outcome = await tw.authenticate({ authorization: `${scheme} ${token}` });
      expect(outcome.ok).toBe(true);
      expect(outcome.ok && outcome.auth.subject).toBe('user-1');
    }
  });

  it('answers no header with 401 and a bare Bearer challenge', async () => {
    const outcome = await tokenward().authenticate({ authorization: undefined });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(MissingTokenError);
    expect(outcome.response).toEqual(BARE_401);
  });

  it.each(['Basic dXNlcjpwYXNz', 'Token x', 'DPoP x'])(
    'answers another scheme (%s) with the bare 401',
    async (authorization) => {
      const outcome = await tokenward().authenticate({ authorization });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.code).toBe('missing_token');
      expect(outcome.response).toEqual(BARE_401);
    },
  );

  it('does not accept a real token behind another scheme', async () => {
    const token = await mint();
    const outcome = await tokenward().authenticate({ authorization: `DPoP ${token}` });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.response).toEqual(BARE_401);
  });

  it('puts the configured realm in the bare challenge', async () => {
    const outcome = await tokenward({ realm: 'reports' }).authenticate({
      authorization: undefined,
    });
    expect(!outcome.ok && outcome.response.headers['www-authenticate']).toBe(
      'Bearer realm="reports"',
    );
  });

  it.each([
    'Bearer',
    'Bearer ',
    'Bearer\t<token>',
    'Bearer  <token>',
    'Bearer <token> extra',
    'Bearer <token>,<token>',
    'Bearer <token>é',
  ])('answers %j with 400 invalid_request', async (template) => {
    const token = await mint();
    const outcome = await tokenward().authenticate({
      authorization: template.replaceAll('<token>', token),
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('malformed_credentials');
    expect(outcome.response).toEqual(MALFORMED_400);
  });

  it('answers two Authorization values with 400 multiple_tokens, even two valid tokens', async () => {
    const a = await mint();
    const b = await mint({ sub: 'user-2' });
    for (const authorization of [
      [`Bearer ${a}`, `Bearer ${b}`],
      [`Bearer ${a}`, `Bearer ${a}`],
    ]) {
      const outcome = await tokenward().authenticate({ authorization });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) continue;
      expect(outcome.error.code).toBe('multiple_tokens');
      expect(outcome.response.status).toBe(400);
      expect(outcome.response.headers['www-authenticate']).toBe(
        'Bearer error="invalid_request", error_description="More than one Authorization header was sent"',
      );
    }
  });

  it('answers a Fetch-joined pair of valid tokens with 400', async () => {
    const headers = new Headers();
    headers.append('authorization', `Bearer ${await mint()}`);
    headers.append('authorization', `Bearer ${await mint({ sub: 'user-2' })}`);
    const outcome = await tokenward().authenticate({
      authorization: headers.get('authorization') ?? undefined,
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.response.status).toBe(400);
    expect(outcome.error.bearerError).toBe('invalid_request');
  });

  it('answers a token inside the b64token grammar but not a JWS with 401 invalid_token, not 400', async () => {
    const outcome = await tokenward().authenticate({ authorization: 'Bearer abc+def/ghi==' });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.response.status).toBe(401);
    expect(outcome.error.bearerError).toBe('invalid_token');
  });

  it('ignores a valid query token by default (401 bare) and accepts it when enabled', async () => {
    const token = await mint();
    const request = { authorization: undefined, url: `/reports?access_token=${token}` };
    const off = await tokenward().authenticate(request);
    expect(!off.ok && off.response).toEqual(BARE_401);
    const on = await tokenward({ tokenLocations: { query: true } }).authenticate(request);
    expect(on.ok && on.auth.subject).toBe('user-1');
  });

  it('answers header + query with 400 multiple_tokens, even for the same token', async () => {
    const token = await mint();
    const outcome = await tokenward({ tokenLocations: { query: true } }).authenticate({
      authorization: `Bearer ${token}`,
      url: `/reports?access_token=${token}`,
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('multiple_tokens');
    expect(outcome.response.status).toBe(400);
  });

  it('answers a repeated query token with 400', async () => {
    const token = await mint();
    const outcome = await tokenward({ tokenLocations: { query: true } }).authenticate({
      authorization: undefined,
      url: `/reports?access_token=${token}&access_token=${token}`,
    });
    expect(!outcome.ok && outcome.response.status).toBe(400);
  });

  it('accepts a form body token only when enabled and only for a form content type', async () => {
    const token = await mint();
    const form = { authorization: undefined, method: 'POST', contentType: FORM };
    const off = await tokenward().authenticate({ ...form, body: { access_token: token } });
    expect(!off.ok && off.response).toEqual(BARE_401);
    const tw = tokenward({ tokenLocations: { body: true } });
    const on = await tw.authenticate({ ...form, body: { access_token: token } });
    expect(on.ok && on.auth.subject).toBe('user-1');
    const json = await tw.authenticate({
      ...form,
      contentType: 'application/json',
      body: { access_token: token },
    });
    expect(!json.ok && json.response).toEqual(BARE_401);
    const array = await tw.authenticate({ ...form, body: { access_token: [token, token] } });
    expect(!array.ok && array.response.status).toBe(400);
    expect(!array.ok && array.error.code).toBe('multiple_tokens');
    const both = await tw.authenticate({
      ...form,
      authorization: `Bearer ${token}`,
      body: { access_token: token },
    });
    expect(!both.ok && both.error.code).toBe('multiple_tokens');
  });

  it('lets an anonymous request through with { optional: true }, but never a bad one', async () => {
    const tw = tokenward();
    expect(await tw.authenticate({ authorization: undefined }, { optional: true })).toEqual({
      ok: true,
      auth: undefined,
    });
    expect(await tw.authenticate({ authorization: 'Basic x' }, { optional: true })).toEqual({
      ok: true,
      auth: undefined,
    });
    const malformed = await tw.authenticate({ authorization: 'Bearer a b' }, { optional: true });
    expect(!malformed.ok && malformed.response.status).toBe(400);
    const two = await tw.authenticate(
      { authorization: ['Bearer a', 'Bearer b'] },
      { optional: true },
    );
    expect(!two.ok && two.response.status).toBe(400);
    const big = await tw.authenticate(
      { authorization: `Bearer ${'a'.repeat(9000)}` },
      { optional: true },
    );
    expect(!big.ok && big.error.code).toBe('token_too_large');
    const invalid = await tw.authenticate({ authorization: 'Bearer a.b.c' }, { optional: true });
    expect(!invalid.ok && invalid.response.status).toBe(401);
  });
});

describe('authenticate(): oversized tokens are refused before any decoding', () => {
  it('answers a token over 8192 characters with 401 token_too_large and fetches no key', async () => {
    const token = await mint({ padding: 'x'.repeat(7000) });
    expect(token.length).toBeGreaterThan(8192);
    const remote = countingFetch();
    const tw = tokenward({ jwks: undefined, jwksUri: JWKS_URI, fetch: remote.fetch });
    const outcome = await tw.authenticate({ authorization: `Bearer ${token}` });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('token_too_large');
    expect(outcome.response).toEqual({
      status: 401,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'www-authenticate':
          'Bearer error="invalid_token", error_description="The token is too large"',
      },
      body: '{"error":"invalid_token","error_description":"The token is too large"}',
    });
    expect(remote.calls).toEqual([]);

    // The same token is genuine: with a larger limit the keys are fetched and it verifies.
    const control = countingFetch();
    const roomy = tokenward({
      jwks: undefined,
      jwksUri: JWKS_URI,
      fetch: control.fetch,
      maxTokenLength: 65_536,
    });
    const accepted = await roomy.authenticate({ authorization: `Bearer ${token}` });
    expect(accepted.ok).toBe(true);
    expect(control.calls).toEqual([JWKS_URI]);
  });

  it('refuses an oversized non-JWT as too large, while one char less reaches the decoder', async () => {
    const remote = countingFetch();
    const tw = tokenward({ jwks: undefined, jwksUri: JWKS_URI, fetch: remote.fetch });
    const junk = await tw.authenticate({ authorization: `Bearer ${'a'.repeat(8193)}` });
    expect(!junk.ok && junk.error.code).toBe('token_too_large');
    const atLimit = await tw.authenticate({ authorization: `Bearer ${'a'.repeat(8192)}` });
    expect(!atLimit.ok && atLimit.error.code).toBe('token_malformed');
    // A character outside b64token makes the header malformed (400), whatever the size.
    const outside = await tw.authenticate({ authorization: `Bearer !${'a'.repeat(8192)}` });
    expect(!outside.ok && outside.error.code).toBe('malformed_credentials');
    expect(remote.calls).toEqual([]);
  });

  it('honours a configured maxTokenLength, also in verify()', async () => {
    const token = await mint();
    const remote = countingFetch();
    const tw = tokenward({
      jwks: undefined,
      jwksUri: JWKS_URI,
      fetch: remote.fetch,
      maxTokenLength: token.length - 1,
    });
    const outcome = await tw.authenticate({ authorization: `Bearer ${token}` });
    expect(!outcome.ok && outcome.error.code).toBe('token_too_large');
    await expect(tw.verify(token)).rejects.toMatchObject({ code: 'token_too_large', status: 401 });
    expect(remote.calls).toEqual([]);
    const exact = tokenward({ maxTokenLength: token.length });
    expect((await exact.authenticate({ authorization: `Bearer ${token}` })).ok).toBe(true);
  });
});

describe('extractToken: repeated Authorization headers read the same joined (Fetch) or split (Node)', () => {
  it.each([
    [['Basic abc', 'Bearer abc.def.ghi'], 'Basic abc, Bearer abc.def.ghi'],
    [['Bearer abc.def.ghi', 'Basic abc'], 'Bearer abc.def.ghi, Basic abc'],
    [['Bearer a.b.c', 'Bearer d.e.f'], 'Bearer a.b.c, Bearer d.e.f'],
  ])('%j and %j are both 400 multiple_tokens', (lines, joined) => {
    for (const authorization of [lines, joined]) {
      const error = refusal(() => extractToken({ authorization }, DEFAULTS));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.code).toBe('multiple_tokens');
    }
  });

  it('two non-bearer lines carry no bearer token, joined or not (401 missing_token)', () => {
    for (const authorization of [['Basic abc', 'Basic def'], 'Basic abc, Basic def']) {
      expect(refusal(() => extractToken({ authorization }, DEFAULTS))).toBeInstanceOf(
        MissingTokenError,
      );
    }
  });

  it('one credential with comma-separated auth-params is not mistaken for two lines', () => {
    const digest = 'Digest username="a", realm="b", nonce="c"';
    expect(refusal(() => extractToken({ authorization: digest }, DEFAULTS))).toBeInstanceOf(
      MissingTokenError,
    );
  });

  it('a bearer token with a comma inside is malformed, not two lines', () => {
    const error = refusal(() => extractToken({ authorization: 'Bearer abc,def' }, DEFAULTS));
    expect(error.code).toBe('malformed_credentials');
  });
});

describe('extractToken: form-body tokens follow RFC 6750 §2.2', () => {
  it.each(['GET', 'HEAD', 'get'])('ignores a body token on %s', (method) => {
    const request: TokenRequest = {
      authorization: undefined,
      method,
      contentType: FORM,
      body: { access_token: 'abc.def.ghi' },
    };
    expect(refusal(() => extractToken(request, { ...DEFAULTS, body: true }))).toBeInstanceOf(
      MissingTokenError,
    );
  });

  it('accepts it on POST', () => {
    const request: TokenRequest = {
      authorization: undefined,
      method: 'POST',
      contentType: FORM,
      body: { access_token: 'abc.def.ghi' },
    };
    expect(extractToken(request, { ...DEFAULTS, body: true })).toBe('abc.def.ghi');
  });
});
