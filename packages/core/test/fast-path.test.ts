/**
 * The fast path with NO hooks installed: the verified-token cache (keyed by the SHA-256 of the
 * exact token) and the per-connection memo (the last token verified on a socket, recognised by
 * string comparison, answered synchronously). `validate` and `isRevoked` turn the memo and the
 * synchronous answers off, so these tests install neither — except where they show exactly that.
 *
 * Every test here must fail if the memo compared only the length or skipped the comparison, or if
 * the cache were keyed on less than the whole token; `fast-path-limits.test.ts` holds the ends of
 * the fast path (exp, maxTokenAge, maxAge) and the hooks that turn it off.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenwardOptions } from '../src/index.js';
import {
  answer,
  bearer,
  code,
  identity,
  replaceAt,
  setup as setupWith,
  withSubject,
} from './helpers/fast-path.js';
import { claims, createKey, mint, type TestKey } from './helpers/mint.js';

let key: TestKey;
let foreign: TestKey;

beforeAll(async () => {
  key = await createKey('ES256');
  foreign = await createKey('ES256', { kid: key.kid });
});

/** A verifier over the local key, with the cache on (the default) and no hook. */
const setup = (options: Partial<TokenwardOptions> = {}) => setupWith(key, options);

describe('the fast path (no hooks)', () => {
  it('is on: the same token again on a connection is answered at once with the same identity', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    const first = identity(await answer(tw, bearer(token, socket)));
    const again = await answer(tw, bearer(token, socket));
    expect(again.sync, 'answered synchronously').toBe(true);
    expect(identity(again)).toBe(first);
    // Another spelling of the scheme: not the same header, the same token.
    const lower = await answer(tw, { authorization: `bearer ${token}`, connection: socket });
    expect(lower.sync).toBe(true);
    expect(identity(lower)).toBe(first);
    // From the cache on another connection, and with none.
    expect(identity(await answer(tw, bearer(token, {})))).toBe(first);
    expect(identity(await answer(tw, bearer(token)))).toBe(first);
  });

  it('never answers a token that differs in one character (same length) with the identity before it', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    const alice = identity(await answer(tw, bearer(token, socket)));
    for (let i = 0; i < token.length; i++) {
      const changed = replaceAt(token, i);
      // On the connection that just carried the genuine token (memo, then cache)…
      const onSocket = await answer(tw, bearer(changed, socket));
      expect(code(onSocket), `character ${i} changed, same connection`).not.toBe('ok');
      // …with no connection (cache only)…
      expect(code(await answer(tw, bearer(changed))), `character ${i}, no connection`).not.toBe(
        'ok',
      );
      // …and the genuine token still answers from the memo.
      expect(identity(await answer(tw, bearer(token, socket))), `after character ${i}`).toBe(alice);
    }
  });

  it('refuses another subject of the same length carrying the cached token’s signature', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    identity(await answer(tw, bearer(token, socket)));
    const mallory = withSubject(token, 'malle');
    expect(code(await answer(tw, bearer(mallory, socket)))).toBe('invalid_signature');
    expect(code(await answer(tw, bearer(mallory)))).toBe('invalid_signature');
  });

  it('refuses the same claims signed by a foreign key under the same kid', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    identity(await answer(tw, bearer(token, socket)));
    const forged = await mint(foreign, claims(clock, { sub: 'alice' }));
    expect(code(await answer(tw, bearer(forged, socket)))).toBe('invalid_signature');
  });

  it('tells the scheme apart when the header has the same length and ends with the token', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    identity(await answer(tw, bearer(token, socket)));
    const other = await answer(tw, { authorization: `Mutual ${token}`, connection: socket });
    expect(code(other)).toBe('missing_token');
    const tab = await answer(tw, { authorization: `Bearer\t${token}`, connection: socket });
    expect(code(tab)).toBe('malformed_credentials');
  });

  it('switches identity with the token: A, B, A, B on one connection, and on two interleaved', async () => {
    const { tw, clock } = setup();
    const [a, b] = await Promise.all([
      mint(key, claims(clock, { sub: 'alice' })),
      mint(key, claims(clock, { sub: 'bob', jti: 'token-2' })),
    ]);
    const one = {};
    const subjects: string[] = [];
    for (const token of [a, b, a, b, b, a]) {
      subjects.push(identity(await answer(tw, bearer(token, one))).subject ?? '');
    }
    expect(subjects).toEqual(['alice', 'bob', 'alice', 'bob', 'bob', 'alice']);
    const [x, y] = [{}, {}];
    expect(identity(await answer(tw, bearer(a, x))).subject).toBe('alice');
    expect(identity(await answer(tw, bearer(b, y))).subject).toBe('bob');
    expect(identity(await answer(tw, bearer(b, x))).subject).toBe('bob');
    expect(identity(await answer(tw, bearer(a, y))).subject).toBe('alice');
  });

  it('a refusal on a connection neither answers as nor forgets the identity before it', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    const alice = identity(await answer(tw, bearer(token, socket)));
    const expired = await mint(key, claims(clock, { sub: 'alice', exp: clock.seconds - 60 }));
    const otherAudience = await mint(key, claims(clock, { aud: 'https://other.example' }));
    expect(code(await answer(tw, bearer(expired, socket)))).toBe('token_expired');
    expect(code(await answer(tw, bearer(otherAudience, socket)))).toBe('audience_mismatch');
    expect(code(await answer(tw, { authorization: undefined, connection: socket }))).toBe(
      'missing_token',
    );
    const back = await answer(tw, bearer(token, socket));
    expect(back.sync).toBe(true);
    expect(identity(back)).toBe(alice);
  });
});
