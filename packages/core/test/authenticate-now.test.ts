/**
 * authenticateNow(): which requests are answered synchronously (no promise) and that the answer
 * is the same as authenticate()'s. On Node a new token is verified synchronously once its key is
 * held; on the WebCrypto backend (Bun, Deno, Workers) only known tokens and request errors are.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenward, type Outcome, type TokenwardOptions } from '../src/index.js';
import { AUDIENCE, Clock, claims, createKey, ISSUER, mint, type TestKey } from './helpers/mint.js';

const NODE_CRYPTO =
  typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function';

let key: TestKey;
let other: TestKey;
beforeAll(async () => {
  key = await createKey('RS256');
  other = await createKey('RS256');
});

function setup(options: Partial<TokenwardOptions> = {}) {
  const clock = new Clock();
  const tw = createTokenward({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: [key.jwk],
    now: clock.now,
    ...options,
  } as TokenwardOptions);
  return { tw, clock };
}

const request = (token: string) => ({ authorization: `Bearer ${token}` });
type Answer = Outcome<unknown> | Promise<Outcome<unknown>>;
const isSync = (answer: Answer) => !(answer instanceof Promise);
const codeOf = (outcome: Outcome<unknown>) => (outcome.ok ? 'ok' : outcome.error.code);

describe('authenticateNow', () => {
  it('verifies a new token synchronously once the key is imported (Node), with the same answer', async () => {
    const { tw, clock } = setup();
    await tw.warmup();
    // The first verification imports the key; keys without `alg` import on first use.
    const first = await tw.authenticateNow(request(await mint(key, claims(clock, { jti: 'a' }))));
    expect(codeOf(first)).toBe('ok');

    const fresh = await mint(key, claims(clock, { jti: 'b', sub: 'user-b' }));
    const answer = tw.authenticateNow(request(fresh));
    expect(isSync(answer)).toBe(NODE_CRYPTO);
    const outcome = await answer;
    expect(outcome.ok && outcome.auth?.subject).toBe('user-b');
    expect(tw.cachedTokens).toBe(2);
    // Cached now: the same identity (synchronously on Node; the WebCrypto hash is a promise).
    const again = tw.authenticateNow(request(fresh));
    expect(isSync(again)).toBe(NODE_CRYPTO);
    const repeated = await again;
    expect(repeated.ok && repeated.auth).toBe(outcome.ok && outcome.auth);
  });

  it('refuses synchronously what fails without I/O: bad signature, expired, other audience, malformed', async () => {
    const { tw, clock } = setup();
    await tw.authenticate(request(await mint(key, claims(clock))));
    const cases: [string, string][] = [
      [`${(await mint(key, claims(clock, { jti: 'x' }))).slice(0, -6)}AAAAAA`, 'invalid_signature'],
      [await mint(key, claims(clock, { exp: clock.seconds - 60 })), 'token_expired'],
      [await mint(key, claims(clock, { aud: 'https://other.example' })), 'audience_mismatch'],
      ['a.b.c', 'token_malformed'],
    ];
    for (const [token, code] of cases) {
      const answer = tw.authenticateNow(request(token));
      if (token !== 'a.b.c') expect(isSync(answer)).toBe(NODE_CRYPTO);
      const outcome = await answer;
      expect(codeOf(outcome)).toBe(code);
      // authenticate() agrees.
      expect(codeOf(await tw.authenticate(request(token)))).toBe(code);
    }
    expect(tw.cachedTokens).toBe(1);
  });

  it('waits (a promise) when keys must be fetched, a kid is unknown, or a hook must run', async () => {
    const jwks = { keys: [key.jwk] };
    let fetches = 0;
    const { tw, clock } = setup({
      jwks: undefined,
      jwksUri: 'https://issuer.example/jwks',
      fetch: async () => {
        fetches++;
        return new Response(JSON.stringify(jwks), {
          headers: { 'content-type': 'application/json' },
        });
      },
    } as Partial<TokenwardOptions>);
    const cold = tw.authenticateNow(request(await mint(key, claims(clock, { jti: '1' }))));
    expect(isSync(cold)).toBe(false);
    expect(codeOf(await cold)).toBe('ok');
    expect(fetches).toBe(1);

    // A kid the key set does not hold: a refetch may find it (rotation), so never answered now.
    const unknownKid = tw.authenticateNow(request(await mint(other, claims(clock, { jti: '2' }))));
    expect(isSync(unknownKid)).toBe(false);
    expect(codeOf(await unknownKid)).toBe('no_matching_key');

    // Keys past their cache age: refreshed first.
    clock.advance(24 * 3600 * 1000);
    const expired = tw.authenticateNow(request(await mint(key, claims(clock, { jti: '3' }))));
    expect(isSync(expired)).toBe(false);
    expect(codeOf(await expired)).toBe('ok');

    const hooked = setup({ validate: () => true });
    await hooked.tw.authenticate(request(await mint(key, claims(hooked.clock))));
    const withHook = hooked.tw.authenticateNow(
      request(await mint(key, claims(hooked.clock, { jti: 'h' }))),
    );
    expect(isSync(withHook)).toBe(false);
    expect(codeOf(await withHook)).toBe('ok');
  });

  it('without the cache, a new token is still verified synchronously on Node', async () => {
    const { tw, clock } = setup({ cache: false });
    await tw.authenticate(request(await mint(key, claims(clock))));
    const answer = tw.authenticateNow(request(await mint(key, claims(clock, { jti: 'n' }))));
    expect(isSync(answer)).toBe(NODE_CRYPTO);
    expect(codeOf(await answer)).toBe('ok');
    expect(tw.cachedTokens).toBe(0);
  });
});
