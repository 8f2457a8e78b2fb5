/**
 * Property-based tests (fast-check) on the core, in process: random headers, queries, bodies and
 * tokens never crash, hang, or let a request through unless the token is genuine and authorized.
 *
 * Every property checks one rule and runs a fixed number of cases, each under a generous per-run
 * timeout that only detects a hang: no property passes or fails on how fast the machine is (the
 * count of cases is the same under any load). All properties run from one fixed seed, shown in the suite titles: a failure replays
 * exactly, and `FC_SEED=<n>` explores another part of the input space.
 */
import { validateHeaderValue } from 'node:http';
import {
  AuthError,
  type AuthErrorCode,
  type AuthPhase,
  anyOrgRole,
  anyRole,
  anyScope,
  createTokenward,
  extractToken,
  type HttpResponse,
  orgRoles,
  orgScopes,
  type Requirement,
  renderError,
  roles,
  sanitizeChallengeValue,
  scopes,
  type TokenRequest,
  type Tokenward,
} from '@tokenward/core';
import { createTestIssuer, type TestIssuer, type TestKey } from '@tokenward/testing';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { b64u, hmacToken, signRaw } from './forge.js';

/** The seed of every property in this file: `FC_SEED`, or a fixed default. */
const SEED = Number.parseInt(process.env.FC_SEED ?? '20261204', 10);
if (!Number.isSafeInteger(SEED))
  throw new Error(`FC_SEED must be an integer (got ${process.env.FC_SEED})`);
fc.configureGlobal({ seed: SEED });
/** Shown in every suite title, so a run says which seed it used. */
const SEEDED = `[fast-check seed ${SEED}, FC_SEED to change]`;

/**
 * A hang detector, not a speed test: one run that never settles fails after 10 s. There is no
 * time limit on the property as a whole, so a loaded machine runs the same cases, only slower.
 */
function guard() {
  return [fc.timeout(10_000)];
}

// A slow (loaded) machine must not fail a property on time: vitest's own per-test limit is
// raised for this file, and only a real hang (the per-run timeout above) fails.
vi.setConfig({ testTimeout: 180_000 });

/** RFC 6750 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Everything an HTTP response may carry: status, headers Node accepts, a JSON error body. */
function expectSafeResponse(response: HttpResponse): void {
  expect([400, 401, 403, 503]).toContain(response.status);
  for (const [name, value] of Object.entries(response.headers)) {
    expect(() => validateHeaderValue(name, value), `${name}: ${value}`).not.toThrow();
    expect(value).toMatch(/^[\x20-\x7E]*$/);
  }
  const challenge = response.headers['www-authenticate'];
  if (response.status === 503) {
    expect(challenge).toBeUndefined();
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
  } else {
    expect(challenge).toMatch(CHALLENGE);
  }
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(typeof body.error).toBe('string');
  expect(typeof body.error_description).toBe('string');
}

/** RFC 6750 §3 challenge: `Bearer`, optional realm, then error, description and scope. */
const QUOTED = '"[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]*"';
const CHALLENGE = new RegExp(
  `^Bearer(?: realm=${QUOTED})?(?:(?: |, )error="(?:invalid_request|invalid_token|insufficient_scope)", error_description=${QUOTED}(?:, scope=${QUOTED})?)?$`,
);

// ---------------------------------------------------------------------------------------------
// (a) Extraction.
// ---------------------------------------------------------------------------------------------

const tokenish = fc.string({
  unit: fc.constantFrom(...`${BASE64URL}.=+/~ \t,"é`.split('')),
  maxLength: 40,
});
const credential = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .tuple(
      fc.constantFrom(
        'Bearer',
        'bearer',
        'BEARER',
        'Basic',
        'DPoP',
        'Digest',
        'Token',
        '',
        'Bearer,',
      ),
      fc.constantFrom(' ', '  ', '\t', '', ', ', '\u00a0'),
      tokenish,
    )
    .map(([scheme, sep, rest]) => `${scheme}${sep}${rest}`),
);
const authorization = fc.option(
  fc.oneof(credential, fc.array(credential, { minLength: 0, maxLength: 4 })),
  { nil: undefined },
);
const queryUrl = fc.option(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('access_token', 'ACCESS_TOKEN', 'access_token[]', 'x', ''),
        fc.oneof(tokenish, fc.string({ unit: 'binary', maxLength: 20 })),
        fc.boolean(),
      ),
      { maxLength: 4 },
    )
    .map(
      (pairs) =>
        `/r?${pairs.map(([k, v, encode]) => `${k}=${encode ? encodeURIComponent(v) : v}`).join('&')}`,
    ),
  { nil: undefined },
);
const formBody = fc.oneof(
  fc.anything({
    withNullPrototype: true,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  fc.record(
    { access_token: fc.oneof(tokenish, fc.array(tokenish), fc.anything()) },
    { requiredKeys: [] },
  ),
);
const tokenRequest: fc.Arbitrary<TokenRequest> = fc.record({
  authorization,
  method: fc.option(fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'post', 'DELETE'), {
    nil: undefined,
  }),
  url: queryUrl,
  contentType: fc.option(
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'Application/X-WWW-Form-Urlencoded; charset=utf-8',
      'application/json',
      'multipart/form-data',
    ),
    { nil: undefined },
  ),
  body: formBody,
});
const extractOptions = fc.record({
  query: fc.boolean(),
  body: fc.boolean(),
  maxTokenLength: fc.integer({ min: 64, max: 2_048 }),
});

const EXTRACTION_CODES: readonly AuthErrorCode[] = [
  'missing_token',
  'malformed_credentials',
  'multiple_tokens',
  'token_too_large',
];

/** The outcome of extraction, comparable across representations. */
function extractOutcome(request: TokenRequest, options: Parameters<typeof extractToken>[1]) {
  try {
    return { token: extractToken(request, options) };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return { code: error.code };
  }
}

describe(`(a) extractToken ${SEEDED}`, () => {
  /** Extraction of any request, or the AuthError it threw (anything else is thrown on). */
  function extracted(request: TokenRequest, options: Parameters<typeof extractToken>[1]) {
    try {
      return { token: extractToken(request, options) };
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      return { error };
    }
  }

  it('on any header, query and body: refuses only with an extraction AuthError (400 or 401) that renders safely', () => {
    fc.assert(
      fc.property(tokenRequest, extractOptions, (request, options) => {
        const { error } = extracted(request, options);
        if (error === undefined) return;
        expect(EXTRACTION_CODES).toContain(error.code);
        expect([400, 401]).toContain(error.status);
        expectSafeResponse(renderError(error));
      }),
      { numRuns: 2_000, plugins: guard() },
    );
  });

  it('on any header, query and body: a returned token is a b64token within maxTokenLength', () => {
    fc.assert(
      fc.property(tokenRequest, extractOptions, (request, options) => {
        const { token } = extracted(request, options);
        if (token === undefined) return;
        expect(token).toMatch(B64TOKEN);
        expect(token.length).toBeLessThanOrEqual(options.maxTokenLength);
      }),
      { numRuns: 2_000, plugins: guard() },
    );
  });

  it('on any header, query and body: answers within 500 ms', () => {
    fc.assert(
      fc.property(tokenRequest, extractOptions, (request, options) => {
        const started = performance.now();
        extracted(request, options);
        expect(performance.now() - started, 'extraction time (ms)').toBeLessThan(500);
      }),
      { numRuns: 1_000, plugins: guard() },
    );
  });

  const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,80}=*$/);
  const scheme = fc.constantFrom('Bearer ', 'bearer ', 'BeArEr ');
  const headerOnly = { query: false, body: false, maxTokenLength: 8_192 };

  it('a b64token after "Bearer " (in any case) is returned as is', () => {
    fc.assert(
      fc.property(b64token, scheme, (token, bearer) => {
        expect(extractToken({ authorization: `${bearer}${token}` }, headerOnly)).toBe(token);
      }),
      { numRuns: 500, plugins: guard() },
    );
  });

  it('the same Bearer line sent twice is refused (multiple_tokens)', () => {
    fc.assert(
      fc.property(b64token, scheme, (token, bearer) => {
        const line = `${bearer}${token}`;
        expect(extractOutcome({ authorization: [line, line] }, headerOnly)).toEqual({
          code: 'multiple_tokens',
        });
      }),
      { numRuns: 500, plugins: guard() },
    );
  });

  it('pathological inputs stay linear (no regular-expression blow-up)', () => {
    const options = { query: true, body: true, maxTokenLength: 1_048_576 };
    const inputs = [
      `Bearer ${'a'.repeat(200_000)}!`,
      `Bearer ${'='.repeat(200_000)}`,
      `${'a'.repeat(200_000)} `,
      `Bearer a${', '.repeat(50_000)}`,
      `${'Basic x, '.repeat(20_000)}Bearer t`,
      `x${' '.repeat(200_000)}y`,
    ];
    for (const value of inputs) {
      const started = performance.now();
      extractOutcome(
        { authorization: value, url: `/r?access_token=${'a'.repeat(100_000)}` },
        options,
      );
      expect(performance.now() - started, value.slice(0, 20)).toBeLessThan(1_000);
    }
  });

  // Node adapters pass every Authorization line; Fetch adapters pass them joined with ", "
  // (RFC 9110 §5.3: the same thing). Both must give the same answer.
  const simpleLine = fc.constantFrom('Bearer abc.def.ghi', 'Basic dXNlcjpwYXNz', 'Token x', '');
  const anyLine = fc.constantFrom(
    'Bearer abc.def.ghi',
    'Basic dXNlcjpwYXNz',
    'Digest username="a", realm="b"',
    'Basic',
    '',
  );
  const joinedEqualsLines = (line: fc.Arbitrary<string>) =>
    fc.property(fc.array(line, { minLength: 2, maxLength: 3 }), (lines) => {
      const options = { query: false, body: false, maxTokenLength: 8_192 };
      expect(
        extractOutcome({ authorization: lines.join(', ') }, options),
        lines.join(' | '),
      ).toEqual(extractOutcome({ authorization: lines }, options));
    });

  it('Fetch-joined lines answer like separate lines (token68 credentials)', () => {
    fc.assert(joinedEqualsLines(simpleLine), { numRuns: 300, plugins: guard() });
  });

  // Auth-params (`Digest username="a", realm="b"`) and bare schemes (`Basic`) contain or end
  // where a joined list splits: the joined value must still be read as the separate lines.
  it('Fetch-joined lines answer like separate lines (auth-params, bare schemes)', () => {
    fc.assert(joinedEqualsLines(anyLine), { numRuns: 300, plugins: guard() });
  });
});

// ---------------------------------------------------------------------------------------------
// (b) Authentication.
// ---------------------------------------------------------------------------------------------

const ISS = 'https://issuer.property.test';
const AUD = 'https://api.property.test';
const NOW_MS = Date.UTC(2030, 0, 1);
const NOW = NOW_MS / 1000;

let issuer: TestIssuer;
let foreign: TestKey;
let tw: Tokenward;
/** Genuine, valid tokens. */
let valid: string[];

function validClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISS, aud: AUD, sub: 'user-123', iat: NOW, exp: NOW + 300, ...extra };
}

beforeAll(async () => {
  issuer = await createTestIssuer({
    issuer: ISS,
    audience: AUD,
    algorithm: 'ES256',
    listen: false,
    now: () => NOW_MS,
  });
  foreign = await issuer.createForeignKey();
  tw = createTokenward({
    issuer: ISS,
    audience: AUD,
    jwks: issuer.jwks(),
    organizationTokens: true,
    now: () => NOW_MS,
  });
  valid = await Promise.all([
    issuer.mintToken(),
    issuer.mintToken({ scope: 'read:report' }),
    issuer.mintToken({ organization_id: 'org-1' }),
  ]);
});

/** Whether the request authenticates (`authenticate` never rejects). */
async function authenticates(request: TokenRequest): Promise<boolean> {
  return (await tw.authenticate(request)).ok;
}

const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 6,
});
const algorithm = fc.constantFrom('ES256', 'RS256', 'HS256', 'none', 'NONE', 'EdDSA', 'PS256', '');

const mutation = fc.record({
  which: fc.nat(2),
  op: fc.constantFrom('replace', 'delete', 'insert', 'truncate', 'swap-segments', 'append'),
  position: fc.nat(),
  char: fc.constantFrom(...`${BASE64URL}.=+/`.split('')),
});

function mutate(token: string, m: { op: string; position: number; char: string }): string {
  const i = m.position % (token.length + 1);
  switch (m.op) {
    case 'replace':
      return `${token.slice(0, i)}${m.char}${token.slice(i + 1)}`;
    case 'delete':
      return `${token.slice(0, i)}${token.slice(i + 1)}`;
    case 'insert':
      return `${token.slice(0, i)}${m.char}${token.slice(i)}`;
    case 'truncate':
      return token.slice(0, i);
    case 'swap-segments': {
      const [h, p, s] = token.split('.');
      return `${p}.${h}.${s}`;
    }
    default:
      return `${token}${m.char}`;
  }
}

describe(`(b) Tokenward.authenticate ${SEEDED}`, () => {
  it('arbitrary Authorization values never authenticate', async () => {
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        expect(await authenticates({ authorization: value })).toBe(false);
      }),
      { numRuns: 600, plugins: guard() },
    );
  });

  it('arbitrary JSON header and claims, unsigned or signed with random bytes, never authenticate', async () => {
    await fc.assert(
      fc.asyncProperty(
        jsonObject,
        jsonObject,
        algorithm,
        fc.option(fc.constantFrom(0, 1), { nil: undefined }),
        fc.uint8Array({ maxLength: 80 }),
        async (header, claims, alg, kidChoice, signature) => {
          const kid = kidChoice === undefined ? undefined : issuer.currentKey.kid;
          const h = { ...header, alg, ...(kid === undefined ? {} : { kid }) };
          const p = { ...validClaims(), ...claims };
          const token = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(p))}.${b64u(signature)}`;
          expect(await authenticates({ authorization: `Bearer ${token}` })).toBe(false);
        },
      ),
      { numRuns: 400, plugins: guard() },
    );
  });

  it('valid claims signed by a foreign key under the issuer’s kid never authenticate', async () => {
    await fc.assert(
      fc.asyncProperty(jsonObject, async (extra) => {
        const claims = JSON.stringify({ ...extra, ...validClaims() });
        const header = { alg: 'ES256', typ: 'at+jwt', kid: issuer.currentKey.kid };
        const token = await signRaw(foreign, JSON.stringify(header), claims);
        expect(await authenticates({ authorization: `Bearer ${token}` })).toBe(false);
      }),
      { numRuns: 100, plugins: guard() },
    );
  });

  it('valid claims MACed (HS256) with the issuer’s public key never authenticate', async () => {
    await fc.assert(
      fc.asyncProperty(jsonObject, async (extra) => {
        const header = { alg: 'HS256', typ: 'at+jwt', kid: issuer.currentKey.kid };
        const secret = JSON.stringify(issuer.currentKey.publicJwk);
        const token = hmacToken('HS256', secret, header, { ...extra, ...validClaims() });
        expect(await authenticates({ authorization: `Bearer ${token}` })).toBe(false);
      }),
      { numRuns: 150, plugins: guard() },
    );
  });

  it('a mutated genuine token authenticates only if it is unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const original = valid[m.which] as string;
        const token = mutate(original, m);
        const ok = await authenticates({ authorization: `Bearer ${token}` });
        expect(ok, token === original ? 'unchanged' : 'mutated').toBe(token === original);
      }),
      { numRuns: 800, plugins: guard() },
    );
  });

  /** A genuine token sent in the header, the query and/or a form body, or none of them. */
  const placement = fc.record({
    header: fc.constantFrom('none', 'bearer', 'basic'),
    query: fc.boolean(),
    body: fc.boolean(),
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'patch'),
    form: fc.boolean(),
  });
  type Placement = typeof placement extends fc.Arbitrary<infer T> ? T : never;

  /** The request for a placement, and how many ways it really carries the token. */
  function placed(c: Placement): { request: TokenRequest; sent: number } {
    const token = valid[0] as string;
    const request: TokenRequest = {
      authorization:
        c.header === 'bearer'
          ? `Bearer ${token}`
          : c.header === 'basic'
            ? 'Basic dXNlcjpwYXNz'
            : undefined,
      method: c.method,
      url: c.query ? `/r?x=1&access_token=${token}` : '/r?x=1',
      contentType: c.form ? 'application/x-www-form-urlencoded' : 'application/json',
      body: c.body ? { access_token: token } : {},
    };
    const bodyCounts = c.body && c.form && !['GET', 'HEAD'].includes(c.method.toUpperCase());
    return { request, sent: Number(c.header === 'bearer') + Number(c.query) + Number(bodyCounts) };
  }

  let both: Tokenward;
  beforeAll(() => {
    both = createTokenward({
      issuer: ISS,
      audience: AUD,
      jwks: issuer.jwks(),
      tokenLocations: { query: true, body: true },
      now: () => NOW_MS,
    });
  });

  it('query and body tokens on: a genuine token is accepted exactly when sent one way', async () => {
    await fc.assert(
      fc.asyncProperty(placement, async (c) => {
        const { request, sent } = placed(c);
        expect((await both.authenticate(request)).ok, JSON.stringify(c)).toBe(sent === 1);
      }),
      { numRuns: 200, plugins: guard() },
    );
  });

  it('query and body tokens on: sent no way is missing_token, more than one way multiple_tokens', async () => {
    await fc.assert(
      fc.asyncProperty(placement, async (c) => {
        const { request, sent } = placed(c);
        fc.pre(sent !== 1);
        const outcome = await both.authenticate(request);
        expect(outcome.ok ? 'ok' : outcome.error.code, JSON.stringify(c)).toBe(
          sent === 0 ? 'missing_token' : 'multiple_tokens',
        );
      }),
      { numRuns: 200, plugins: guard() },
    );
  });

  // Claims signed with the right key: accepted exactly when an independent oracle says they
  // are valid (iss, aud, exp, nbf, iat, sub, typ, ID-token claims, cnf, organization).
  const OMIT = Symbol('omit');
  const choice = <T>(...values: T[]) => fc.constantFrom<T | typeof OMIT>(...values, OMIT);
  const claimChoices = fc.record({
    iss: choice<unknown>(ISS, `${ISS}/`, ISS.toUpperCase(), [ISS], null, 1),
    aud: choice<unknown>(AUD, [AUD], ['https://other.test', AUD], 'https://other.test', [], 1, [
      AUD,
      1,
    ]),
    exp: choice<unknown>(NOW + 300, NOW + 1e9, NOW - 100, NOW - 4, String(NOW + 300), null),
    nbf: choice<unknown>(NOW - 10, NOW + 3, NOW + 100, 'x'),
    iat: choice<unknown>(NOW, NOW + 3, NOW + 100, '0'),
    sub: choice<unknown>('user-123', 7),
    nonce: choice<unknown>('n-1'),
    cnf: choice<unknown>({ jkt: 'x' }),
    organization_id: choice<unknown>('org-1', '', 1),
    typ: choice<unknown>('at+jwt', 'application/at+jwt', 'JWT', 'dpop+jwt'),
  });

  function oracle(c: Record<string, unknown>): boolean {
    const has = (name: string) => c[name] !== OMIT;
    const typ = c.typ;
    const accessTyp = typ === 'at+jwt' || typ === 'application/at+jwt';
    const audOk =
      c.aud === AUD ||
      (Array.isArray(c.aud) && c.aud.every((a) => typeof a === 'string') && c.aud.includes(AUD));
    const date = (name: string, ok: (n: number) => boolean) =>
      !has(name) || (typeof c[name] === 'number' && ok(c[name] as number));
    return (
      c.iss === ISS &&
      audOk &&
      typeof c.exp === 'number' &&
      c.exp > NOW - 5 &&
      date('nbf', (n) => n <= NOW + 5) &&
      date('iat', (n) => n <= NOW + 5) &&
      (!has('sub') || typeof c.sub === 'string') &&
      (accessTyp || typ === OMIT || typ === 'JWT') &&
      (accessTyp || !has('nonce')) &&
      !has('cnf') &&
      (!has('organization_id') ||
        (typeof c.organization_id === 'string' && c.organization_id !== ''))
    );
  }

  it('claims signed with the right key authenticate exactly when they are valid', async () => {
    await fc.assert(
      fc.asyncProperty(claimChoices, async (c) => {
        const claims: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(c)) {
          if (name !== 'typ' && value !== OMIT) claims[name] = value;
        }
        const header = { typ: c.typ === OMIT ? undefined : c.typ };
        // Start from no claims at all: every default of mintToken removed, then the choices.
        const none = { iss: undefined, aud: undefined, sub: undefined, iat: undefined };
        const cleared = { ...none, exp: undefined, jti: undefined, client_id: undefined };
        const token = await issuer.mintToken({ ...cleared, ...claims }, { header });
        const ok = await authenticates({ authorization: `Bearer ${token}` });
        expect(
          ok,
          JSON.stringify(claims, (_k, v) => (v === OMIT ? '<omitted>' : v)),
        ).toBe(oracle(c));
      }),
      { numRuns: 400, plugins: guard() },
    );
  });

  /** Requests of every kind the properties above send, for the rule every refusal obeys. */
  const anyRequest: fc.Arbitrary<TokenRequest> = fc.oneof(
    authorization.map((value) => ({ authorization: value })),
    fc
      .tuple(jsonObject, jsonObject, algorithm, fc.uint8Array({ maxLength: 80 }))
      .map(([header, claims, alg, signature]) => {
        const h = `${b64u(JSON.stringify({ ...header, alg }))}`;
        const p = b64u(JSON.stringify({ ...validClaims(), ...claims }));
        return { authorization: `Bearer ${h}.${p}.${b64u(signature)}` };
      }),
    mutation.map((m) => ({ authorization: `Bearer ${mutate(valid[m.which] as string, m)}` })),
  );

  it('every refusal is an AuthError rendered safely that echoes no genuine token', async () => {
    await fc.assert(
      fc.asyncProperty(anyRequest, async (request) => {
        const outcome = await tw.authenticate(request);
        if (outcome.ok) return;
        expect(outcome.error).toBeInstanceOf(AuthError);
        expectSafeResponse(outcome.response);
        for (const token of valid) {
          expect(outcome.response.body).not.toContain(token);
          expect(JSON.stringify(outcome.response.headers)).not.toContain(token.split('.')[2]);
        }
      }),
      { numRuns: 600, plugins: guard() },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (c) Authorization.
// ---------------------------------------------------------------------------------------------

const SECRET = 'property-suite-hmac-secret-0123456789abcdef';
const HS_ISS = 'https://hs.property.test';
const VOCABULARY = [
  'read:report',
  'read:reports',
  'Read:Report',
  'read',
  'write:report',
  'admin:all',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  '*',
  'read:*',
] as const;

let hs: Tokenward;

beforeAll(() => {
  hs = createTokenward({
    issuer: HS_ISS,
    audience: AUD,
    secret: SECRET,
    organizationTokens: true,
    now: () => NOW_MS,
  });
});

/** Authenticate a token MACed with the secret carrying these claims (must succeed). */
async function identity(claims: Record<string, unknown>) {
  const token = hmacToken(
    'HS256',
    SECRET,
    { typ: 'at+jwt' },
    {
      iss: HS_ISS,
      aud: AUD,
      sub: 'user-123',
      exp: NOW + 300,
      ...claims,
    },
  );
  const outcome = await hs.authenticate({ authorization: `Bearer ${token}` });
  if (!outcome.ok) throw new Error(`unexpected refusal: ${outcome.error.code}`);
  return outcome.auth;
}

/** How granted scopes are put in the token: one claim or spread over scope/scp/permissions. */
const encoding = fc.constantFrom(
  'scope',
  'scope-extra-spaces',
  'scp-array',
  'permissions',
  'mixed',
);

function scopeClaims(granted: readonly string[], how: string): Record<string, unknown> {
  switch (how) {
    case 'scope':
      return { scope: granted.join(' ') };
    case 'scope-extra-spaces':
      return { scope: ` ${granted.join('   ')} ` };
    case 'scp-array':
      return { scp: [...granted] };
    case 'permissions':
      return { permissions: [...granted] };
    default:
      return {
        scope: granted.filter((_, i) => i % 3 === 0).join(' '),
        scp: granted.filter((_, i) => i % 3 === 1),
        permissions: granted.filter((_, i) => i % 3 === 2),
      };
  }
}

const binding = fc.constantFrom('global', 'organization_id', 'organization-token');

function bindingClaims(how: string): Record<string, unknown> {
  if (how === 'organization_id') return { organization_id: 'org-1' };
  if (how === 'organization-token') return { aud: 'urn:logto:organization:org-1' };
  return {};
}

describe(`(c) authorize ${SEEDED}`, () => {
  type ScopeKind = 'scopes' | 'orgScopes' | 'anyScope';
  const scopeCase = fc.record({
    granted: fc.subarray([...VOCABULARY]),
    required: fc.subarray([...VOCABULARY], { minLength: 1 }),
    how: encoding,
    bound: binding,
  });
  type ScopeCase = typeof scopeCase extends fc.Arbitrary<infer T> ? T : never;

  /** Authorize a scope requirement of `kind` for the case's token. */
  async function decide(kind: ScopeKind, c: ScopeCase) {
    const auth = await identity({ ...scopeClaims(c.granted, c.how), ...bindingClaims(c.bound) });
    const isBound = c.bound !== 'global';
    expect(auth.organizationId !== undefined, 'the token is bound as generated').toBe(isBound);
    const requirement: Requirement =
      kind === 'scopes'
        ? scopes(...c.required)
        : kind === 'orgScopes'
          ? orgScopes(...c.required)
          : anyScope(...c.required);
    const has = (s: string) => c.granted.includes(s as (typeof VOCABULARY)[number]);
    const missing = c.required.filter((s) => !has(s));
    const outcome = await hs.authorize(requirement, auth);
    return { outcome, isBound, missing, some: c.required.some(has) };
  }

  /** The rule of each scope requirement: when it allows. */
  const SCOPE_RULES: Record<
    ScopeKind,
    {
      title: string;
      allows: (d: { isBound: boolean; missing: string[]; some: boolean }) => boolean;
    }
  > = {
    scopes: {
      title:
        'scopes(): allowed exactly when the token is bound to no organization and grants every required scope',
      allows: (d) => !d.isBound && d.missing.length === 0,
    },
    orgScopes: {
      title:
        'orgScopes(): allowed exactly when the token is bound to an organization and grants every required scope',
      allows: (d) => d.isBound && d.missing.length === 0,
    },
    anyScope: {
      title:
        'anyScope(): allowed exactly when the token is bound to no organization and grants one of the scopes',
      allows: (d) => !d.isBound && d.some,
    },
  };

  for (const [kind, rule] of Object.entries(SCOPE_RULES) as [
    ScopeKind,
    (typeof SCOPE_RULES)[ScopeKind],
  ][]) {
    it(rule.title, async () => {
      await fc.assert(
        fc.asyncProperty(scopeCase, async (c) => {
          const decision = await decide(kind, c);
          expect(decision.outcome.ok, `${kind}(${c.required}) with ${c.granted} (${c.bound})`).toBe(
            rule.allows(decision),
          );
        }),
        { numRuns: 200, plugins: guard() },
      );
    });
  }

  it('a scope refusal is a 403 naming in `scope` the missing scopes (all required ones when the binding is wrong, or for anyScope)', async () => {
    await fc.assert(
      fc.asyncProperty(
        scopeCase,
        fc.constantFrom<ScopeKind>('scopes', 'orgScopes', 'anyScope'),
        async (c, kind) => {
          const { outcome, isBound, missing } = await decide(kind, c);
          if (outcome.ok) return;
          expect(outcome.response.status).toBe(403);
          const scopeAttr = /, scope="([^"]*)"$/.exec(
            outcome.response.headers['www-authenticate'] ?? '',
          )?.[1];
          const named =
            kind === 'anyScope' || (kind === 'scopes') === isBound ? c.required : missing;
          expect(scopeAttr?.split(' ')).toEqual(named);
        },
      ),
      { numRuns: 300, plugins: guard() },
    );
  });

  const roleCase = fc.record({
    granted: fc.subarray([...VOCABULARY]),
    required: fc.subarray([...VOCABULARY], { minLength: 1 }),
    asString: fc.boolean(),
  });

  it('roles(): allowed exactly when every required role is in the roles claim', async () => {
    await fc.assert(
      fc.asyncProperty(roleCase, async ({ granted, required, asString }) => {
        const auth = await identity({ roles: asString ? granted.join(' ') : granted });
        const outcome = await hs.authorize(roles(...required), auth);
        expect(outcome.ok).toBe(required.every((r) => granted.includes(r)));
      }),
      { numRuns: 200, plugins: guard() },
    );
  });

  it('roles / anyRole / orgRoles / anyOrgRole: allowed iff the roles fit, on the right side of the org/global line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...VOCABULARY]),
        fc.subarray([...VOCABULARY], { minLength: 1 }),
        binding,
        fc.constantFrom('roles', 'anyRole', 'orgRoles', 'anyOrgRole'),
        async (granted, required, bound, kind) => {
          const auth = await identity({ roles: granted, ...bindingClaims(bound) });
          const isBound = bound !== 'global';
          const requirement: Requirement =
            kind === 'roles'
              ? roles(...required)
              : kind === 'anyRole'
                ? anyRole(...required)
                : kind === 'orgRoles'
                  ? orgRoles(...required)
                  : anyOrgRole(...required);
          const has = (r: string) => granted.includes(r as (typeof VOCABULARY)[number]);
          const fits = kind.startsWith('any') ? required.some(has) : required.every(has);
          const organizationSide = kind === 'orgRoles' || kind === 'anyOrgRole';
          const outcome = await hs.authorize(requirement, auth);
          expect(outcome.ok, `${kind}(${required}) with ${granted} (${bound})`).toBe(
            fits && isBound === organizationSide,
          );
          if (!outcome.ok) {
            expect(outcome.response.status).toBe(403);
            expectSafeResponse(outcome.response);
            expect(outcome.error.code).toBe(
              isBound === organizationSide
                ? 'missing_role'
                : isBound
                  ? 'organization_bound_token'
                  : 'organization_required',
            );
          }
        },
      ),
      { numRuns: 300, plugins: guard() },
    );
  });

  it('every authorization refusal renders safely', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(scopeCase, fc.constantFrom<ScopeKind>('scopes', 'orgScopes', 'anyScope')).map(
            ([c, kind]) =>
              () =>
                decide(kind, c).then((d) => d.outcome),
          ),
          roleCase.map(({ granted, required, asString }) => async () => {
            const auth = await identity({ roles: asString ? granted.join(' ') : granted });
            return hs.authorize(roles(...required), auth);
          }),
        ),
        async (run) => {
          const outcome = await run();
          if (!outcome.ok) expectSafeResponse(outcome.response);
        },
      ),
      { numRuns: 300, plugins: guard() },
    );
  });

  it('without an identity every requirement fails closed (401, bare challenge)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray([...VOCABULARY], { minLength: 1 }), async (required) => {
        const outcome = await hs.authorize(scopes(...required), undefined);
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(outcome.response.status).toBe(401);
          expect(outcome.response.headers['www-authenticate']).toBe('Bearer');
        }
      }),
      { numRuns: 50, plugins: guard() },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (d) Rendering.
// ---------------------------------------------------------------------------------------------

const PHASES: readonly AuthPhase[] = ['request', 'credentials', 'token', 'keys', 'authorization'];

describe(`(d) renderError ${SEEDED}`, () => {
  /** Any error renderError may be given, and the options it is rendered with. */
  const rendering = (retryDelay: fc.Arbitrary<number>) =>
    fc
      .record({
        phase: fc.constantFrom(...PHASES),
        message: fc.string({ unit: 'binary', maxLength: 400 }),
        scopeNames: fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 5 }),
        realm: fc.option(fc.string({ unit: 'binary', maxLength: 300 }), { nil: undefined }),
        retryAfter: fc.option(retryDelay, { nil: undefined }),
      })
      .map((c) => {
        const error = new AuthError(c.phase, 'token_rejected', c.message, {
          scopes: c.scopeNames,
          ...(c.retryAfter === undefined ? {} : { retryAfter: c.retryAfter }),
        });
        return { ...c, response: renderError(error, { realm: c.realm }) };
      });
  /** A retry delay up to a year, or not a number at all. */
  const delay = fc.oneof(
    fc.double({ min: -1e6, max: 31_536_000 }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  );

  it('any message, scopes, realm and retry delay render a safe response', () => {
    fc.assert(
      fc.property(rendering(delay), ({ response }) => expectSafeResponse(response)),
      { numRuns: 1_500, plugins: guard() },
    );
  });

  it('the body carries the message as given (only the header value is sanitized)', () => {
    fc.assert(
      fc.property(rendering(delay), ({ message, response }) => {
        const body = JSON.parse(response.body) as { error_description: string };
        expect(body.error_description).toBe(message);
      }),
      { numRuns: 1_000, plugins: guard() },
    );
  });

  it('Retry-After appears only on a refusal of the keys phase', () => {
    fc.assert(
      fc.property(rendering(delay), ({ phase, response }) => {
        if (phase !== 'keys') expect(response.headers['retry-after']).toBeUndefined();
      }),
      { numRuns: 1_000, plugins: guard() },
    );
  });

  // A delay of 1e21 s or more once rendered as `1e+21` (String of a large number), which is not
  // RFC 9110 delay-seconds (1*DIGIT); reachable only through the exported error constructors.
  it('a huge finite retry delay still renders Retry-After as digits', () => {
    fc.assert(
      fc.property(rendering(fc.double({ min: 1e21, max: 1e300, noNaN: true })), ({ response }) =>
        expectSafeResponse(response),
      ),
      { numRuns: 50, plugins: guard() },
    );
  });

  it('sanitizeChallengeValue keeps only quoted-string-safe characters (a header value Node accepts)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (value) => {
        const safe = sanitizeChallengeValue(value);
        expect(safe).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
        expect(() =>
          validateHeaderValue('www-authenticate', `Bearer realm="${safe}"`),
        ).not.toThrow();
      }),
      { numRuns: 1_500, plugins: guard() },
    );
  });

  it('sanitizeChallengeValue keeps at most 256 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (value) => {
        expect(sanitizeChallengeValue(value).length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 1_000, plugins: guard() },
    );
  });
});
