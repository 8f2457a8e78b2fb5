import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthError,
  ConfigurationError,
  createTokenward,
  isAuthError,
  type KeySetEvent,
  type KeySetOptions,
  KeySetUnavailableError,
  MisconfigurationError,
  type Tokenward,
  type TokenwardOptions,
} from '../src/index.js';
import { countingFetch, fakeFetch, KeyServer, refusedOrigin } from './helpers/key-server.js';
import {
  AUDIENCE,
  Clock,
  claims,
  createKey,
  leaksToken,
  mint,
  randomId,
  type TestKey,
} from './helpers/mint.js';

// Short timings keep the suite fast; the clock (`now`) drives cache ages, cooldowns and backoff.
const KEYSET: KeySetOptions = {
  timeout: 300,
  cacheMaxAge: 60_000,
  cooldown: 10_000,
  maxStale: 120_000,
  failureBackoff: 1_000,
  maxFailureBackoff: 8_000,
};

const OIDC = '/.well-known/openid-configuration';

let key1: TestKey;
let key2: TestKey;
let rsaKey: TestKey;
let server: KeyServer;

beforeAll(async () => {
  [key1, key2, rsaKey] = await Promise.all([
    createKey('ES256', { kid: 'key-1' }),
    createKey('ES256', { kid: 'key-2' }),
    createKey('RS256', { kid: 'rsa-1' }),
  ]);
});

beforeEach(async () => {
  server = await KeyServer.start();
});

afterEach(async () => {
  await server.close();
});

interface Setup {
  readonly tw: Tokenward;
  readonly clock: Clock;
  readonly events: KeySetEvent[];
  readonly issuer: string;
}

/** A tokenward for one remote issuer (default: discovery from the test server's origin). */
function setup(options: Partial<TokenwardOptions> = {}): Setup {
  const clock = new Clock();
  const events: KeySetEvent[] = [];
  const issuer = options.issuer ?? server.origin;
  const tw = createTokenward({
    issuer,
    audience: AUDIENCE,
    now: clock.now,
    onKeySetEvent: (event) => events.push(event),
    // These tests watch the key set itself: no verified-token cache in between (its own tests
    // are in token-cache.test.ts).
    cache: false,
    ...options,
    keySet: { ...KEYSET, ...options.keySet },
  } as TokenwardOptions);
  return { tw, clock, events, issuer };
}

/** Serve a valid discovery document (for `issuer`, default the origin) and a JWKS. */
function serveKeys(keys: TestKey[] = [key1], issuer = server.origin): void {
  server.discovery({ issuer, jwks_uri: server.url('/jwks') });
  server.jwks(keys.map((k) => k.jwk));
}

/** A token for the setup's issuer, valid for a day of the setup's clock. */
function token(s: Setup, key: TestKey = key1, header: Record<string, unknown> = {}) {
  return mint(key, claims(s.clock, { iss: s.issuer, exp: s.clock.seconds + 86_400 }), header);
}

async function accepted(s: Setup, tokenValue: string): Promise<void> {
  const auth = await s.tw.verify(tokenValue);
  expect(auth.issuer).toBe(s.issuer);
}

/**
 * Assert a 503 `keys_unavailable` with `Retry-After`, never a 401, through verify() and
 * authenticate(); no URL, key server detail or token in what a client sees. Returns the error.
 */
async function unavailable(s: Setup, tokenValue: string): Promise<AuthError> {
  const started = performance.now();
  const caught = await s.tw.verify(tokenValue).then(
    () => new Error('the token was accepted'),
    (error: unknown) => error,
  );
  if (!isAuthError(caught)) throw caught;
  expect(caught.code, caught.message).toBe('keys_unavailable');
  expect(caught).toBeInstanceOf(KeySetUnavailableError);
  expect(caught.status).toBe(503);
  expect(caught.phase).toBe('keys');
  expect(caught.retryAfter).toBeGreaterThanOrEqual(1);
  expect(caught.message).not.toContain('127.0.0.1');
  expect(leaksToken(caught.message, tokenValue)).toBe(false);

  const outcome = await s.tw.authenticate({ authorization: `Bearer ${tokenValue}` });
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) {
    expect(outcome.error.code).toBe('keys_unavailable');
    expect(outcome.response.status).toBe(503);
    expect(outcome.response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(outcome.response.headers['www-authenticate']).toBeUndefined();
    expect(JSON.parse(outcome.response.body).error).toBe('temporarily_unavailable');
    const rendered = JSON.stringify(outcome.response);
    expect(rendered).not.toContain('127.0.0.1');
    expect(rendered).not.toContain('jwks');
    expect(leaksToken(rendered, tokenValue)).toBe(false);
  }
  expect(performance.now() - started).toBeLessThan(3_000);
  return caught;
}

/**
 * Assert, for a key set misconfigured on the server side, exactly the 503 of an outage (see
 * {@link unavailable}: `keys_unavailable`, `Retry-After`, nothing about the configuration in what
 * the client sees — never a 500), with the reason `code` kept on the refusal's `cause` for logs.
 */
async function misconfigured(s: Setup, tokenValue: string, code: string): Promise<void> {
  const caught = await unavailable(s, tokenValue);
  expect(caught).not.toBeInstanceOf(MisconfigurationError);
  expect((caught.cause as { code?: unknown } | undefined)?.code).toBe(code);
  const outcome = await s.tw.authenticate({ authorization: `Bearer ${tokenValue}` });
  expect(outcome.ok).toBe(false);
  if (!outcome.ok) {
    expect(outcome.response.status).toBe(503);
    expect((outcome.error.cause as { code?: unknown } | undefined)?.code).toBe(code);
    expect(outcome.response.body).not.toContain(code);
    expect(outcome.response.body).not.toContain('issuer');
  }
}

async function noMatchingKey(s: Setup, tokenValue: string): Promise<void> {
  const caught = await s.tw.verify(tokenValue).then(
    () => new Error('the token was accepted'),
    (error: unknown) => error,
  );
  if (!isAuthError(caught)) throw caught;
  expect(caught.code).toBe('no_matching_key');
  expect(caught.status).toBe(401);
}

describe('discovery and JWKS', () => {
  it('nothing is fetched at creation', () => {
    serveKeys();
    const s = setup();
    expect(server.total).toBe(0);
    expect(s.tw.status()[s.issuer]).toEqual({
      state: 'empty',
      keys: 0,
      fetchedAt: undefined,
      lastError: undefined,
    });
  });

  it('discovers once, fetches the JWKS once, then verifies many tokens from the cache', async () => {
    serveKeys([key1, key2]);
    const s = setup();
    for (let i = 0; i < 20; i++) {
      await accepted(s, await token(s, i % 2 === 0 ? key1 : key2));
    }
    expect(server.count(OIDC)).toBe(1);
    expect(server.count('/jwks')).toBe(1);
    expect(server.total).toBe(2);
    expect(s.tw.status()[s.issuer]).toMatchObject({
      state: 'fresh',
      keys: 2,
      fetchedAt: s.clock.ms,
    });
    expect(s.events.map((e) => e.type)).toEqual(['refreshed']);
    expect(s.events[0]).toMatchObject({ issuer: s.issuer, keys: 2 });
  });

  it('refetches after cacheMaxAge (and only then)', async () => {
    serveKeys();
    const s = setup();
    await accepted(s, await token(s));
    s.clock.advance(KEYSET.cacheMaxAge! - 1);
    await accepted(s, await token(s));
    expect(server.count('/jwks')).toBe(1);
    s.clock.advance(1);
    await accepted(s, await token(s));
    expect(server.count('/jwks')).toBe(2);
    expect(server.count(OIDC)).toBe(1); // the discovered jwks_uri is remembered
  });

  it.each([
    ['with a trailing slash', (origin: string) => `${origin}/`],
    ['with another host', (origin: string) => origin.replace('127.0.0.1', 'localhost')],
    ['of another issuer', () => 'https://evil.example'],
    ['missing', () => undefined],
    ['not a string', () => 42],
  ])(
    'a discovery document whose issuer is %s → 503 (cause discovery_issuer_mismatch), JWKS not fetched',
    async (_label, issuerOf) => {
      server.discovery({ issuer: issuerOf(server.origin), jwks_uri: server.url('/jwks') });
      server.jwks([key1.jwk]);
      const s = setup({ logger: false });
      await misconfigured(s, await token(s), 'discovery_issuer_mismatch');
      expect(server.count(OIDC)).toBe(1);
      expect(server.count('/jwks')).toBe(0);
      expect(s.tw.status()[s.issuer]?.state).toBe('failing');
    },
  );

  it.each([
    ['ftp', () => 'ftp://127.0.0.1/jwks'],
    ['http on a non-loopback host', () => 'http://keys.example/jwks'],
    ['with credentials', () => server.url('/jwks').replace('http://', 'http://user:pw@')],
    ['with a fragment', () => `${server.url('/jwks')}#x`],
    ['relative', () => '/jwks'],
    ['javascript:', () => 'javascript:alert(1)'],
    ['file:', () => 'file:///etc/passwd'],
    ['not a string', () => ({ url: server.url('/jwks') })],
    ['missing', () => undefined],
  ])(
    'a discovery document whose jwks_uri is %s → 503, nothing else fetched',
    async (_label, uri) => {
      const fetch = countingFetch();
      server.discovery({ issuer: server.origin, jwks_uri: uri() });
      server.jwks([key1.jwk]);
      const s = setup({ fetch });
      await unavailable(s, await token(s));
      expect(fetch.calls).toEqual([server.url(OIDC)]);
      expect(server.count('/jwks')).toBe(0);
    },
  );

  // Regression: key-server-url.ts used to accept plain http for any hostname starting with
  // "127." — DNS names such as 127.0.0.1.nip.io included (fixed in src during this work).
  it.each([
    'http://127.0.0.1.nip.io/jwks',
    'http://127.attacker.example/jwks',
    'http://127.0.0.1.attacker.example:8080/jwks',
    'http://localhost.attacker.example/jwks',
  ])('a jwks_uri %s (a DNS name, not loopback) is not fetched over http', async (uri) => {
    const fetch = countingFetch();
    server.discovery({ issuer: server.origin, jwks_uri: uri });
    const s = setup({ fetch });
    await unavailable(s, await token(s));
    expect(fetch.calls).toEqual([server.url(OIDC)]);
  });

  it.each(['http://127.attacker.example/jwks', 'http://127.0.0.1.nip.io/jwks'])(
    'jwksUri %s is a configuration error',
    (jwksUri) => {
      expect(() =>
        createTokenward({ issuer: 'https://issuer.example', audience: AUDIENCE, jwksUri }),
      ).toThrow(ConfigurationError);
    },
  );

  it.each([
    'http://localhost:1/jwks',
    'http://127.0.0.1:1/jwks',
    'http://127.1.2.3/jwks',
    'http://[::1]:1/jwks',
  ])('jwksUri %s (loopback http) is accepted', (jwksUri) => {
    expect(() =>
      createTokenward({ issuer: 'https://issuer.example', audience: AUDIENCE, jwksUri }),
    ).not.toThrow();
  });

  it('jwksUri / issuer that is neither https nor loopback http is a configuration error', () => {
    const base = { audience: AUDIENCE };
    expect(() =>
      createTokenward({
        ...base,
        issuer: 'https://i.example',
        jwksUri: 'http://keys.example/jwks',
      }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createTokenward({ ...base, issuer: 'https://i.example', jwksUri: 'ftp://keys.example/jwks' }),
    ).toThrow(ConfigurationError);
    expect(() => createTokenward({ ...base, issuer: 'http://issuer.example' })).toThrow(
      ConfigurationError,
    );
    // loopback http is fine
    expect(() =>
      createTokenward({ ...base, issuer: 'https://i.example', jwksUri: 'http://localhost:1/jwks' }),
    ).not.toThrow();
  });

  it('allowHttp permits plain http key servers (injected fetch, no network)', async () => {
    const fetch = fakeFetch(() => Response.json({ keys: [key1.jwk] }));
    const s = setup({
      issuer: 'https://issuer.example',
      jwksUri: 'http://keys.example/jwks',
      allowHttp: true,
      fetch,
    });
    await accepted(s, await token(s));
    expect(fetch.calls).toEqual(['http://keys.example/jwks']);
  });

  it('an OIDC discovery 404 falls back to RFC 8414 (issuer with a path)', async () => {
    const issuer = server.url('/tenant');
    server.discovery(
      { issuer, jwks_uri: server.url('/tenant/jwks') },
      '/.well-known/oauth-authorization-server/tenant',
    );
    server.jwks([key1.jwk], '/tenant/jwks');
    const s = setup({ issuer });
    await accepted(s, await token(s));
    await accepted(s, await token(s));
    expect(server.requests).toEqual([
      '/tenant/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/tenant',
      '/tenant/jwks',
    ]);
  });

  it('an OIDC discovery failure other than 404 does not fall back (503)', async () => {
    const issuer = server.url('/tenant');
    server.route('/tenant/.well-known/openid-configuration', { status: 500 });
    server.discovery(
      { issuer, jwks_uri: server.url('/tenant/jwks') },
      '/.well-known/oauth-authorization-server/tenant',
    );
    server.jwks([key1.jwk], '/tenant/jwks');
    const s = setup({ issuer });
    await unavailable(s, await token(s));
    expect(server.count('/.well-known/oauth-authorization-server/tenant')).toBe(0);
  });

  it('both discovery documents missing → 503', async () => {
    const s = setup();
    await unavailable(s, await token(s));
    expect(server.count(OIDC)).toBe(1);
    expect(server.count('/.well-known/oauth-authorization-server')).toBe(1);
  });

  it('an explicit jwksUri is fetched directly, without discovery', async () => {
    server.jwks([key1.jwk], '/keys/current');
    const s = setup({ jwksUri: server.url('/keys/current') });
    await accepted(s, await token(s));
    await accepted(s, await token(s));
    expect(server.requests).toEqual(['/keys/current']);
  });

  it('requests are plain GETs that accept JSON and do not follow redirects', async () => {
    const inits: (RequestInit | undefined)[] = [];
    const fetch = fakeFetch((_url, init) => {
      inits.push(init);
      return Response.json({ keys: [key1.jwk] });
    });
    const s = setup({
      issuer: 'https://issuer.example',
      jwksUri: 'https://keys.example/jwks',
      fetch,
    });
    await accepted(s, await token(s));
    expect(inits).toHaveLength(1);
    expect(inits[0]?.method).toBe('GET');
    expect(inits[0]?.redirect).toBe('manual');
    expect(inits[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(new Headers(inits[0]?.headers).get('accept')).toContain('application/json');
  });
});

describe('single flight and unknown kids', () => {
  it('50 concurrent first requests → exactly one discovery and one JWKS fetch', async () => {
    server.discovery({ issuer: server.origin, jwks_uri: server.url('/jwks') });
    server.route('/jwks', { body: { keys: [key1.jwk] }, delayMs: 50 });
    const s = setup();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => token(s)));
    const results = await Promise.all(tokens.map((t) => s.tw.verify(t)));
    expect(results).toHaveLength(50);
    expect(server.count(OIDC)).toBe(1);
    expect(server.count('/jwks')).toBe(1);
  });

  it('50 concurrent first requests against a failing server → one request, 50 × 503', async () => {
    server.route('/jwks', { status: 500, delayMs: 30 });
    const s = setup({ jwksUri: server.url('/jwks') });
    const t = await token(s);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        s.tw.verify(t).then(
          () => 'ok',
          (e: AuthError) => e.code,
        ),
      ),
    );
    expect(new Set(results)).toEqual(new Set(['keys_unavailable']));
    expect(server.count('/jwks')).toBe(1);
  });

  it('warmup() racing with requests still fetches once', async () => {
    server.route('/jwks', { body: { keys: [key1.jwk] }, delayMs: 30 });
    const s = setup({ jwksUri: server.url('/jwks') });
    const t = await token(s);
    await Promise.all([s.tw.warmup(), s.tw.verify(t), s.tw.verify(t)]);
    expect(server.count('/jwks')).toBe(1);
  });

  it('a flood of unknown kids refetches at most once per cooldown', async () => {
    serveKeys();
    const s = setup();
    await accepted(s, await token(s));
    expect(server.count('/jwks')).toBe(1);

    const flood = async () => {
      const tokens = await Promise.all(
        Array.from({ length: 100 }, () => token(s, key1, { kid: randomId() })),
      );
      const codes = await Promise.all(
        tokens.map((t) =>
          s.tw.verify(t).then(
            () => 'ok',
            (e: AuthError) => e.code,
          ),
        ),
      );
      expect(new Set(codes)).toEqual(new Set(['no_matching_key']));
    };

    // Right after the initial fetch: the first unknown kids may be a rotation → one refetch for
    // all 100 (a routine fetch does not start the cooldown; an unknown-kid refetch does).
    await flood();
    expect(server.count('/jwks')).toBe(2);
    // Within the cooldown: none.
    await flood();
    s.clock.advance(KEYSET.cooldown! - 1);
    await flood();
    expect(server.count('/jwks')).toBe(2);
    // After the cooldown: exactly one more, however many kids.
    s.clock.advance(1);
    await flood();
    expect(server.count('/jwks')).toBe(3);
    await flood();
    expect(server.count('/jwks')).toBe(3);
    // Known keys kept verifying throughout.
    await accepted(s, await token(s));
    expect(server.count(OIDC)).toBe(1);
  });

  it('no kid with several fitting keys does not refetch (ambiguous → 401)', async () => {
    serveKeys([key1, key2]);
    const s = setup();
    await accepted(s, await token(s));
    s.clock.advance(KEYSET.cooldown!);
    await noMatchingKey(s, await token(s, key1, { kid: undefined }));
    expect(server.count('/jwks')).toBe(1);
  });

  it('key rotation: a newly published key is accepted after the refetch', async () => {
    serveKeys([key1]);
    const s = setup();
    await accepted(s, await token(s));
    server.jwks([key1.jwk, key2.jwk]);
    // Right after a routine fetch, a newly published key is fetched for at once (no 401 window).
    s.clock.advance(1_000);
    await accepted(s, await token(s, key2));
    expect(server.count('/jwks')).toBe(2);
    await accepted(s, await token(s, key1));
    await accepted(s, await token(s, key2));
    expect(server.count('/jwks')).toBe(2);
    // The old key is removed: once the cache expires, its tokens stop verifying.
    server.jwks([key2.jwk]);
    s.clock.advance(KEYSET.cacheMaxAge!);
    await noMatchingKey(s, await token(s, key1));
    // The routine refresh (3), then one refetch for the now-unknown kid (4).
    expect(server.count('/jwks')).toBe(4);
    await accepted(s, await token(s, key2));
  });

  it('an unknown kid during a key-server outage is a 503 (no usable key), known kids still verify', async () => {
    serveKeys([key1]);
    const s = setup();
    await accepted(s, await token(s));
    server.route('/jwks', { status: 500 });
    s.clock.advance(KEYSET.cooldown!);
    const error = await s.tw.verify(await token(s, key2)).catch((e: AuthError) => e);
    expect(error).toBeInstanceOf(KeySetUnavailableError);
    expect((error as AuthError).retryAfter).toBe(1);
    expect(server.count('/jwks')).toBe(2);
    await accepted(s, await token(s, key1));
    expect(server.count('/jwks')).toBe(2);
  });

  // While the key server fails, a client that waits the Retry-After it was given gets another
  // attempt, and a 503 again if that fails — never a 401 that would tell it to drop its token
  // (the state machine is tested in key-server-state.test.ts).
  it('retrying an unknown kid after Retry-After during the outage is still 503, not 401', async () => {
    serveKeys([key1]);
    const s = setup();
    await accepted(s, await token(s));
    server.route('/jwks', { status: 500 });
    s.clock.advance(KEYSET.cooldown!);
    const t = await token(s, key2);
    const first = await s.tw.verify(t).catch((e: AuthError) => e);
    expect((first as AuthError).code).toBe('keys_unavailable');
    s.clock.advance((first as AuthError).retryAfter! * 1000);
    const retry = await s.tw.verify(t).catch((e: AuthError) => e);
    expect((retry as AuthError).code).toBe('keys_unavailable');
    expect(server.count('/jwks')).toBe(3);
  });

  it('a token whose alg fits no published key refetches at most once per cooldown', async () => {
    serveKeys([key1]);
    const s = setup();
    await accepted(s, await token(s));
    await noMatchingKey(s, await token(s, rsaKey, { kid: key1.kid }));
    expect(server.count('/jwks')).toBe(2);
    await noMatchingKey(s, await token(s, rsaKey, { kid: key1.kid }));
    expect(server.count('/jwks')).toBe(2);
  });
});

describe('key server faults → 503, never 401', () => {
  it('connection refused at cold start (explicit jwksUri)', async () => {
    const origin = await refusedOrigin();
    const s = setup({ issuer: 'https://issuer.example', jwksUri: `${origin}/jwks` });
    const t = await token(s);
    const error = await unavailable(s, t);
    expect(error.retryAfter).toBe(1);
    s.clock.advance(KEYSET.maxFailureBackoff!);
    await unavailable(s, t);
    expect(s.tw.status()['https://issuer.example']).toMatchObject({ state: 'failing', keys: 0 });
    expect(s.tw.status()['https://issuer.example']?.lastError).not.toContain('127.0.0.1');
  });

  it('connection refused at cold start (discovery)', async () => {
    const origin = await refusedOrigin();
    const s = setup({ issuer: origin });
    await unavailable(s, await token(s));
    expect(s.events.map((e) => e.type)).toEqual(['refresh_failed']);
    expect(s.events[0]?.error?.message).not.toContain('127.0.0.1');
  });

  it('a fetch that throws (DNS failure: a plain TypeError) → 503', async () => {
    const fetch = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    const s = setup({
      issuer: 'https://issuer.example',
      jwksUri: 'https://keys.example/jwks',
      fetch,
    });
    await unavailable(s, await token(s));
    expect(fetch.calls).toHaveLength(1);
  });

  const bigKeys = Array.from({ length: 200 }, () => ({
    kty: 'EC',
    crv: 'P-256',
    x: 'x'.repeat(43),
  }));

  const faults: [string, Parameters<KeyServer['route']>[1]][] = [
    ['500', { status: 500, body: { keys: [] } }],
    ['404', { status: 404 }],
    ['204', { status: 204 }],
    ['429', { status: 429, headers: { 'retry-after': '1' } }],
    ['201 with keys', { status: 201, body: 'KEYS' }],
    ['invalid JSON', { body: '{"keys": [' }],
    ['HTML', { headers: { 'content-type': 'text/html' }, body: '<html><body>Login</body></html>' }],
    ['a JSON array', { body: 'ARRAY' }],
    ['keys not an array', { body: { keys: 'KEY' } }],
    ['an empty object', { body: {} }],
    ['null', { body: 'null' }],
    [
      'only unusable keys',
      {
        body: {
          keys: [
            { kty: 'oct', k: 'c2VjcmV0' },
            { kty: 'RSA', use: 'enc', n: 'AQAB', e: 'AQAB' },
            { kty: 'EC', crv: 'P-256', x: 'AA' },
            'not a key',
            null,
          ],
        },
      },
    ],
    ['an empty body', { body: '' }],
    ['invalid UTF-8', { body: '\uFFFD' }],
    ['more keys than maxKeys', { body: { keys: 'MANY' } }],
    [
      'a body larger than maxResponseBytes (content-length)',
      (_req, res) => {
        const body = JSON.stringify({ keys: bigKeys });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        });
        res.end(body);
      },
    ],
    [
      'a body larger than maxResponseBytes (chunked)',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[');
        for (let i = 0; i < 64; i++)
          res.write(`${JSON.stringify({ kty: 'EC', pad: 'x'.repeat(1000) })},`);
        res.end('{}]}');
      },
    ],
    ['a slow answer beyond the timeout', { body: 'KEYS', delayMs: 2_000 }],
    ['a slow body beyond the timeout', { body: 'KEYS', stallBodyMs: 2_000 }],
  ];

  it.each(faults)('JWKS answering %s → 503 every time, in bounded time', async (label, route) => {
    const resolved =
      typeof route === 'function'
        ? route
        : {
            ...route,
            body:
              route.body === 'KEYS'
                ? { keys: [key1.jwk] }
                : route.body === 'ARRAY'
                  ? [key1.jwk]
                  : route.body === 'KEY'
                    ? key1.jwk
                    : route.body === 'MANY'
                      ? { keys: [key1.jwk, key2.jwk, rsaKey.jwk, key1.jwk] }
                      : route.body,
          };
    if (label === 'invalid UTF-8') {
      server.route('/jwks', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
      });
    } else {
      server.route('/jwks', resolved);
    }
    const s = setup({
      jwksUri: server.url('/jwks'),
      keySet: { maxKeys: 3, maxResponseBytes: 4_096 },
    });
    const t = await token(s);
    await unavailable(s, t);
    expect(server.count('/jwks')).toBe(1);
    s.clock.advance(KEYSET.maxFailureBackoff!);
    await unavailable(s, t);
    expect(server.count('/jwks')).toBe(2);
    expect(s.tw.status()[s.issuer]?.state).toBe('failing');
  });

  it.each([
    ['an empty key set', []],
    ['only encryption and symmetric keys', [{ kty: 'oct', k: 'c2VjcmV0' }, 'ENC']],
  ])(
    'JWKS answering %s → 503 (cause key_set_unusable) every time, retried with backoff',
    async (_, keys) => {
      const list = keys.map((k) => (k === 'ENC' ? { ...rsaKey.jwk, use: 'enc' } : k));
      server.jwks(list as never);
      const s = setup({ jwksUri: server.url('/jwks'), logger: false });
      const t = await token(s);
      await misconfigured(s, t, 'key_set_unusable');
      expect(server.count('/jwks')).toBe(1);
      s.clock.advance(KEYSET.maxFailureBackoff!);
      await misconfigured(s, t, 'key_set_unusable');
      expect(server.count('/jwks')).toBe(2);
      expect(s.tw.status()[s.issuer]?.state).toBe('failing');
    },
  );

  it('control: the same limits accept a key set within them', async () => {
    server.jwks([key1.jwk, key2.jwk, rsaKey.jwk]);
    const s = setup({
      jwksUri: server.url('/jwks'),
      keySet: { maxKeys: 3, maxResponseBytes: 4_096 },
    });
    await accepted(s, await token(s));
  });

  it.each([301, 302, 303, 307, 308])(
    'a %i redirect to valid keys on the same server is not followed → 503',
    async (status) => {
      server.route('/jwks', { status, headers: { location: '/good-jwks' } });
      server.jwks([key1.jwk], '/good-jwks');
      const s = setup({ jwksUri: server.url('/jwks') });
      await unavailable(s, await token(s));
      expect(server.count('/jwks')).toBe(1);
      expect(server.count('/good-jwks')).toBe(0);
    },
  );

  it('a redirected discovery document is not followed either', async () => {
    server.route(OIDC, { status: 302, headers: { location: '/real-discovery' } });
    server.discovery({ issuer: server.origin, jwks_uri: server.url('/jwks') }, '/real-discovery');
    server.jwks([key1.jwk]);
    const s = setup();
    await unavailable(s, await token(s));
    expect(server.count('/real-discovery')).toBe(0);
    expect(server.count('/jwks')).toBe(0);
  });

  it.each([
    ['500', { status: 500 }],
    ['invalid JSON', { body: '{' }],
    ['a JSON array', { body: '[]' }],
    ['slow', { delayMs: 2_000, body: {} }],
  ])('a discovery document answering %s → 503', async (_label, route) => {
    server.route(OIDC, route);
    server.jwks([key1.jwk]);
    const s = setup();
    await unavailable(s, await token(s));
    expect(server.count('/jwks')).toBe(0);
  });

  it('a slow server is cut at keySet.timeout', async () => {
    server.route('/jwks', { body: { keys: [key1.jwk] }, delayMs: 5_000 });
    const s = setup({ jwksUri: server.url('/jwks'), keySet: { timeout: 150 } });
    const started = performance.now();
    await s.tw.verify(await token(s)).catch(() => undefined);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(1_500);
    expect(s.tw.status()[s.issuer]?.lastError).toMatch(/time/);
  });

  // fetch-json.ts relies on the fetch implementation honouring the AbortSignal. An injected
  // `fetch` (documented for proxies and mocks) that ignores it hangs the key set forever — and
  // with single flight every later request waits on the same promise.
  it('a fetch that ignores the abort signal is still cut at keySet.timeout', async () => {
    const fetch = fakeFetch(() => new Promise<Response>(() => {}));
    const s = setup({
      issuer: 'https://issuer.example',
      jwksUri: 'https://keys.example/jwks',
      fetch,
      keySet: { timeout: 100 },
    });
    const outcome = await Promise.race([
      s.tw.verify(await token(s)).then(
        () => 'accepted',
        (e: AuthError) => e.code,
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 1_000)),
    ]);
    expect(outcome).toBe('keys_unavailable');
  });

  it('a response body that never ends (custom fetch) is still cut at keySet.timeout', async () => {
    const fetch = fakeFetch(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"keys":['));
            },
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        ),
    );
    const s = setup({
      issuer: 'https://issuer.example',
      jwksUri: 'https://keys.example/jwks',
      fetch,
      keySet: { timeout: 100 },
    });
    const outcome = await Promise.race([
      s.tw.verify(await token(s)).then(
        () => 'accepted',
        (e: AuthError) => e.code,
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 1_000)),
    ]);
    expect(outcome).toBe('keys_unavailable');
  });
});

describe('backoff', () => {
  it('after a failure, requests within failureBackoff do not hit the server; the wait doubles', async () => {
    server.route('/jwks', { status: 500 });
    const s = setup({ jwksUri: server.url('/jwks') });
    const t = await token(s);
    expect((await unavailable(s, t)).retryAfter).toBe(1);
    expect(server.count('/jwks')).toBe(1);
    s.clock.advance(999);
    await unavailable(s, t);
    await unavailable(s, t);
    expect(server.count('/jwks')).toBe(1);
    s.clock.advance(1); // 1 s after the first failure
    expect((await unavailable(s, t)).retryAfter).toBe(2); // second failure: 2 s
    expect(server.count('/jwks')).toBe(2);
    s.clock.advance(1_999);
    await unavailable(s, t);
    expect(server.count('/jwks')).toBe(2);
    s.clock.advance(1);
    expect((await unavailable(s, t)).retryAfter).toBe(4);
    expect(server.count('/jwks')).toBe(3);
    s.clock.advance(4_000);
    expect((await unavailable(s, t)).retryAfter).toBe(8);
    s.clock.advance(8_000);
    // capped at maxFailureBackoff (8 s)
    expect((await unavailable(s, t)).retryAfter).toBe(8);
    expect(server.count('/jwks')).toBe(5);
    // The server recovers: the next attempt after the backoff succeeds.
    server.jwks([key1.jwk]);
    s.clock.advance(7_999);
    await unavailable(s, t);
    s.clock.advance(1);
    await accepted(s, t);
    expect(server.count('/jwks')).toBe(6);
    expect(s.tw.status()[s.issuer]).toMatchObject({ state: 'fresh', lastError: undefined });
  });

  it('the Retry-After header counts down within the backoff', async () => {
    server.route('/jwks', { status: 503 });
    const s = setup({ jwksUri: server.url('/jwks'), keySet: { failureBackoff: 5_000 } });
    const t = await token(s);
    await unavailable(s, t);
    s.clock.advance(2_500);
    const outcome = await s.tw.authenticate({ authorization: `Bearer ${t}` });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.response.headers['retry-after']).toBe('3');
    expect(server.count('/jwks')).toBe(1);
  });
});

describe('stale keys', () => {
  it('serves stale keys within maxStale while refreshes fail, then 503', async () => {
    serveKeys();
    const s = setup();
    const t = await token(s);
    await s.tw.warmup();
    expect(s.tw.status()[s.issuer]?.state).toBe('fresh');
    const fetchedAt = s.clock.ms;

    server.route('/jwks', { status: 500 });
    s.clock.advance(KEYSET.cacheMaxAge!);
    await accepted(s, t);
    expect(server.count('/jwks')).toBe(2);
    expect(s.events.map((e) => e.type)).toEqual(['refreshed', 'refresh_failed', 'serving_stale']);
    const failed = s.events[1];
    expect(failed?.error).toBeInstanceOf(Error);
    expect(failed?.error?.message).not.toContain('127.0.0.1');
    expect(failed).toMatchObject({ issuer: s.issuer, keys: 1 });
    expect(s.tw.status()[s.issuer]).toMatchObject({ state: 'stale', keys: 1, fetchedAt });

    // Within the backoff: stale keys, no request.
    await accepted(s, t);
    expect(server.count('/jwks')).toBe(2);
    // After the backoff: one more attempt, still stale; serving_stale is not repeated.
    s.clock.advance(KEYSET.failureBackoff!);
    await accepted(s, t);
    expect(server.count('/jwks')).toBe(3);
    expect(s.events.map((e) => e.type)).toEqual([
      'refreshed',
      'refresh_failed',
      'serving_stale',
      'refresh_failed',
    ]);

    // Just before cacheMaxAge + maxStale: still served.
    s.clock.ms = fetchedAt + KEYSET.cacheMaxAge! + KEYSET.maxStale! - 1;
    await accepted(s, t);
    // At cacheMaxAge + maxStale: unusable → 503.
    s.clock.ms = fetchedAt + KEYSET.cacheMaxAge! + KEYSET.maxStale!;
    await unavailable(s, t);
    expect(s.tw.status()[s.issuer]?.state).toBe('failing');

    // Recovery.
    server.jwks([key1.jwk]);
    s.clock.advance(KEYSET.maxFailureBackoff!);
    await accepted(s, t);
    expect(s.tw.status()[s.issuer]).toMatchObject({ state: 'fresh', lastError: undefined });
    expect(s.events.at(-1)?.type).toBe('refreshed');
  });

  it('with maxStale 0, keys past cacheMaxAge are not served (503 at once)', async () => {
    serveKeys();
    const s = setup({ keySet: { maxStale: 0 } });
    const t = await token(s);
    await accepted(s, t);
    server.route('/jwks', { status: 500 });
    s.clock.advance(KEYSET.cacheMaxAge! - 1);
    await accepted(s, t);
    s.clock.advance(1);
    await unavailable(s, t);
    expect(s.events.map((e) => e.type)).not.toContain('serving_stale');
  });

  it('an unknown kid while serving stale keys is not verified with a guess', async () => {
    serveKeys();
    const s = setup();
    await accepted(s, await token(s));
    server.route('/jwks', { status: 500 });
    s.clock.advance(KEYSET.cacheMaxAge!);
    await accepted(s, await token(s));
    const caught = await s.tw.verify(await token(s, key2)).then(
      () => new Error('accepted'),
      (e: unknown) => e,
    );
    expect(isAuthError(caught)).toBe(true);
    expect([401, 503]).toContain((caught as AuthError).status);
  });

  it('a throwing onKeySetEvent listener does not break verification', async () => {
    serveKeys();
    const s = setup({
      onKeySetEvent: () => {
        throw new Error('listener');
      },
    });
    await accepted(s, await token(s));
    server.route('/jwks', { status: 500 });
    s.clock.advance(KEYSET.cacheMaxAge!);
    await accepted(s, await token(s));
  });
});

describe('status(), warmup(), reload()', () => {
  it('status() goes empty → fresh → stale → failing', async () => {
    serveKeys();
    const s = setup();
    const st = () => s.tw.status()[s.issuer];
    expect(st()?.state).toBe('empty');
    await s.tw.warmup();
    expect(st()).toMatchObject({ state: 'fresh', keys: 1, fetchedAt: s.clock.ms });
    server.route('/jwks', { status: 500 });
    s.clock.advance(KEYSET.cacheMaxAge!);
    await accepted(s, await token(s));
    expect(st()?.state).toBe('stale');
    expect(st()?.lastError).toMatch(/status 500/);
    s.clock.advance(KEYSET.maxStale!);
    expect(st()?.state).toBe('failing');
  });

  it('status() is failing after a cold-start failure, and static for local keys', async () => {
    server.route('/jwks', { status: 500 });
    const s = setup({ jwksUri: server.url('/jwks') });
    await unavailable(s, await token(s));
    expect(s.tw.status()[s.issuer]).toMatchObject({
      state: 'failing',
      keys: 0,
      fetchedAt: undefined,
    });
    const local = createTokenward({
      issuer: 'https://l.example',
      audience: AUDIENCE,
      jwks: [key1.jwk],
    });
    expect(local.status()['https://l.example']?.state).toBe('static');
  });

  it('warmup() fetches now; a failing warmup rejects with the 503 error', async () => {
    serveKeys();
    const s = setup();
    await s.tw.warmup();
    expect(server.count(OIDC)).toBe(1);
    expect(server.count('/jwks')).toBe(1);
    await accepted(s, await token(s));
    expect(server.count('/jwks')).toBe(1);

    server.route('/jwks', { status: 500 });
    const failing = setup({ jwksUri: server.url('/jwks') });
    await expect(failing.tw.warmup()).rejects.toBeInstanceOf(KeySetUnavailableError);
  });

  it('reload() re-discovers and refetches, even within the cooldown and backoff', async () => {
    serveKeys([key1]);
    const s = setup();
    await accepted(s, await token(s));
    server.discovery({ issuer: server.origin, jwks_uri: server.url('/jwks-v2') });
    server.jwks([key2.jwk], '/jwks-v2');
    await s.tw.reload();
    expect(server.count(OIDC)).toBe(2);
    expect(server.count('/jwks-v2')).toBe(1);
    await accepted(s, await token(s, key2));
    await noMatchingKey(s, await token(s, key1));

    server.route('/jwks-v2', { status: 500 });
    await expect(s.tw.reload()).rejects.toBeInstanceOf(KeySetUnavailableError);
    server.jwks([key1.jwk, key2.jwk], '/jwks-v2');
    await s.tw.reload(); // immediately, despite the backoff
    await accepted(s, await token(s, key1));
    // 1 reload + 1 refetch for the then-unknown key1 + 1 failed reload + 1 reload.
    expect(server.count('/jwks-v2')).toBe(4);
  });

  it('local keys: warmup() and reload() fetch nothing', async () => {
    const fetch = countingFetch();
    const tw = createTokenward({
      issuer: 'https://l.example',
      audience: AUDIENCE,
      jwks: [key1.jwk],
      fetch,
    });
    await tw.warmup();
    await tw.reload();
    expect(fetch.calls).toEqual([]);
  });
});
