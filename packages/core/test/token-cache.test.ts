import { beforeAll, describe, expect, it } from 'vitest';
import { type AuthError, createTokenward, type TokenwardOptions } from '../src/index.js';
import { AUDIENCE, Clock, claims, createKey, ISSUER, mint, type TestKey } from './helpers/mint.js';

let key: TestKey;
let other: TestKey;

beforeAll(async () => {
  key = await createKey('ES256');
  other = await createKey('ES256', { kid: key.kid });
});

/** A verifier over local keys whose every signature check is counted (through `validate`'s order). */
function setup(options: Partial<TokenwardOptions> = {}) {
  const clock = new Clock();
  const counts = { validate: 0, revoked: 0, keyFetch: 0 };
  const tw = createTokenward({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: [key.jwk],
    now: clock.now,
    validate: () => {
      counts.validate++;
      return true;
    },
    isRevoked: () => {
      counts.revoked++;
      return false;
    },
    ...options,
  } as TokenwardOptions);
  return { tw, clock, counts };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: AuthError) => error.code,
  );
}

describe('verified-token cache', () => {
  it('is on by default and returns the same AuthContext for the same token', async () => {
    const { tw, clock } = setup();
    const token = await mint(key, claims(clock, { scope: 'read:report' }));
    const first = await tw.verify(token);
    const second = await tw.verify(token);
    expect(second).toBe(first);
  });

  it('never returns one token’s identity for another (different claims, one character off)', async () => {
    const { tw, clock } = setup();
    const alice = await mint(key, claims(clock, { sub: 'alice', scope: 'read:report' }));
    const bob = await mint(key, claims(clock, { sub: 'bob' }));
    expect((await tw.verify(alice)).subject).toBe('alice');
    expect((await tw.verify(bob)).subject).toBe('bob');
    expect((await tw.verify(alice)).subject).toBe('alice');
    // The same claims signed by a foreign key under the same kid: a miss, and a 401.
    const forged = await mint(other, claims(clock, { sub: 'alice', scope: 'read:report' }));
    expect(await codeOf(tw.verify(forged))).toBe('invalid_signature');
    // One character changed in the signature of a cached token: a miss, and a 401.
    const last = alice.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${alice.slice(0, -2)}${last}${alice.at(-1)}`;
    expect(await codeOf(tw.verify(tampered))).not.toBe('ok');
  });

  it('does not cache refused tokens', async () => {
    const { tw, clock } = setup();
    const expired = await mint(key, claims(clock, { exp: clock.seconds - 60 }));
    expect(await codeOf(tw.verify(expired))).toBe('token_expired');
    expect(await codeOf(tw.verify(expired))).toBe('token_expired');
  });

  it('expires entries no later than exp (time rules are checked again on a hit)', async () => {
    const { tw, clock } = setup({ clockTolerance: 0 });
    const token = await mint(key, claims(clock, { exp: clock.seconds + 30 }));
    expect(await codeOf(tw.verify(token))).toBe('ok');
    clock.advance(29_000);
    expect(await codeOf(tw.verify(token))).toBe('ok');
    clock.advance(1_000);
    expect(await codeOf(tw.verify(token))).toBe('token_expired');
  });

  it('re-checks maxTokenAge on a hit', async () => {
    const { tw, clock } = setup({ maxTokenAge: 60, clockTolerance: 0 });
    const token = await mint(key, claims(clock, { iat: clock.seconds, exp: clock.seconds + 3600 }));
    expect(await codeOf(tw.verify(token))).toBe('ok');
    clock.advance(61_000);
    expect(await codeOf(tw.verify(token))).toBe('token_too_old');
  });

  it('runs validate and isRevoked again on every hit', async () => {
    let revoked = false;
    const { tw, clock, counts } = setup({
      isRevoked: () => {
        counts.revoked++;
        return revoked;
      },
    });
    const token = await mint(key, claims(clock));
    await tw.verify(token);
    await tw.verify(token);
    expect(counts).toMatchObject({ validate: 2, revoked: 2 });
    revoked = true;
    expect(await codeOf(tw.verify(token))).toBe('token_revoked');
  });

  it('is bounded: the least recently used token goes first', async () => {
    const { tw, clock } = setup({ cache: { maxEntries: 3 } });
    const tokens = await Promise.all(
      [0, 1, 2, 3].map((i) => mint(key, claims(clock, { sub: `user-${i}` }))),
    );
    const contexts = [];
    for (const token of tokens.slice(0, 3)) contexts.push(await tw.verify(token));
    // Touch token 0 so token 1 is the least recently used, then add token 3.
    expect(await tw.verify(tokens[0] as string)).toBe(contexts[0]);
    await tw.verify(tokens[3] as string);
    expect(tw.cachedTokens).toBe(3);
    expect(await tw.verify(tokens[0] as string)).toBe(contexts[0]); // kept
    expect(await tw.verify(tokens[2] as string)).toBe(contexts[2]); // kept
    const again = await tw.verify(tokens[1] as string); // evicted: verified anew
    expect(again).not.toBe(contexts[1]);
    expect(again.subject).toBe('user-1');
    expect(tw.cachedTokens).toBe(3);
  });

  it('holds at most maxEntries tokens however many arrive', async () => {
    const { tw, clock } = setup({ cache: { maxEntries: 50 } });
    for (let i = 0; i < 200; i++) await tw.verify(await mint(key, claims(clock, { jti: `t${i}` })));
    expect(tw.cachedTokens).toBe(50);
  });

  it('keeps an entry at most maxAge', async () => {
    const { tw, clock } = setup({ cache: { maxAge: 1_000 } });
    const token = await mint(key, claims(clock));
    const first = await tw.verify(token);
    clock.advance(999);
    expect(await tw.verify(token)).toBe(first);
    clock.advance(1);
    expect(await tw.verify(token)).not.toBe(first);
  });

  it('can be turned off', async () => {
    const { tw, clock } = setup({ cache: false });
    const token = await mint(key, claims(clock));
    expect(await tw.verify(token)).not.toBe(await tw.verify(token));
    expect(tw.cachedTokens).toBe(0);
  });

  it('rejects bad cache options at creation', () => {
    expect(() => setup({ cache: { maxEntries: 0 } })).toThrow(/cache\.maxEntries/);
    expect(() => setup({ cache: { maxAge: -1 } })).toThrow(/cache\.maxAge/);
    expect(() => setup({ cache: 'yes' as never })).toThrow(/"cache"/);
  });

  it('is cleared by reload()', async () => {
    const { tw, clock } = setup();
    await tw.verify(await mint(key, claims(clock)));
    expect(tw.cachedTokens).toBe(1);
    await tw.reload();
    expect(tw.cachedTokens).toBe(0);
  });
});

describe('verified-token cache with remote keys', () => {
  it('never outlives the key set’s trust window (cacheMaxAge + maxStale)', async () => {
    const clock = new Clock();
    let fail = false;
    let fetches = 0;
    const fetch: typeof globalThis.fetch = async () => {
      fetches++;
      if (fail) return new Response('down', { status: 500 });
      return Response.json({ keys: [key.jwk] });
    };
    const tw = createTokenward({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: 'https://issuer.example/jwks',
      fetch,
      now: clock.now,
      keySet: { cacheMaxAge: 10_000, maxStale: 0, failureBackoff: 0 },
      cache: { maxAge: 60_000 },
    });
    const token = await mint(key, claims(clock, { exp: clock.seconds + 3600 }));
    clock.advance(9_000);
    expect(await codeOf(tw.verify(token))).toBe('ok'); // keys fetched at 9 s → trusted until 19 s
    expect(fetches).toBe(1);
    fail = true;
    clock.advance(9_999);
    expect(await codeOf(tw.verify(token))).toBe('ok'); // a hit, no key lookup
    expect(fetches).toBe(1);
    clock.advance(1);
    // The key's trust window is over and the key server fails: the cache does not vouch for it.
    expect(await codeOf(tw.verify(token))).toBe('keys_unavailable');
  });
});

describe('the same token again on the same connection', () => {
  const request = (token: string, connection: object) => ({
    authorization: `Bearer ${token}`,
    connection,
  });

  it('answers from the connection without the cache, and never mixes tokens', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const alice = await mint(key, claims(clock, { sub: 'alice' }));
    const bob = await mint(key, claims(clock, { sub: 'bob' }));
    const first = await tw.authenticate(request(alice, socket));
    const again = await tw.authenticate(request(alice, socket));
    expect(first.ok && again.ok && again.auth === first.auth).toBe(true);
    // Another token on the same connection (a proxy multiplexing clients) is its own identity.
    const forBob = await tw.authenticate(request(bob, socket));
    expect(forBob.ok && forBob.auth.subject).toBe('bob');
    const back = await tw.authenticate(request(alice, socket));
    expect(back.ok && back.auth.subject).toBe('alice');
    // A forged token on a connection that carried a genuine one is still refused.
    const forged = await mint(other, claims(clock, { sub: 'alice' }));
    const refused = await tw.authenticate(request(forged, socket));
    expect(!refused.ok && refused.error.code).toBe('invalid_signature');
  });

  it('stops at exp and still runs isRevoked', async () => {
    let revoked = false;
    const { tw, clock } = setup({ clockTolerance: 0, isRevoked: () => revoked });
    const socket = {};
    const token = await mint(key, claims(clock, { exp: clock.seconds + 10 }));
    expect((await tw.authenticate(request(token, socket))).ok).toBe(true);
    revoked = true;
    const r = await tw.authenticate(request(token, socket));
    expect(!r.ok && r.error.code).toBe('token_revoked');
    revoked = false;
    clock.advance(10_000);
    const expired = await tw.authenticate(request(token, socket));
    expect(!expired.ok && expired.error.code).toBe('token_expired');
  });

  it('is off with the cache', async () => {
    const { tw, clock } = setup({ cache: false });
    const socket = {};
    const token = await mint(key, claims(clock));
    const a = await tw.authenticate(request(token, socket));
    const b = await tw.authenticate(request(token, socket));
    expect(a.ok && b.ok && a.auth !== b.auth).toBe(true);
  });
});
