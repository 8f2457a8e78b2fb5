/**
 * The fast path with NO hooks installed: the verified-token cache (keyed by the SHA-256 of the
 * exact token) and the per-connection memo (the last token verified on a socket, recognised by
 * string comparison, answered synchronously). `validate` and `isRevoked` turn the memo and the
 * synchronous answers off, so these tests install neither — except where they show exactly that.
 *
 * Every test here must fail if the memo compared only the length or skipped the comparison, if
 * the cache were keyed on less than the whole token, or if either outlived `exp`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthContext,
  createTokenward,
  type DecisionEvent,
  type Outcome,
  type TokenRequest,
  type Tokenward,
  type TokenwardOptions,
} from '../src/index.js';
import {
  AUDIENCE,
  b64url,
  Clock,
  claims,
  createKey,
  fromB64url,
  ISSUER,
  mint,
  type TestKey,
} from './helpers/mint.js';

let key: TestKey;
let foreign: TestKey;

beforeAll(async () => {
  key = await createKey('ES256');
  foreign = await createKey('ES256', { kid: key.kid });
});

/** A verifier over local keys, with the cache on (the default) and no hook. */
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

/** An answer of `authenticateNow`, and whether it came synchronously. */
interface Answer {
  readonly outcome: Outcome;
  readonly sync: boolean;
}

async function answer(tw: Tokenward, request: TokenRequest): Promise<Answer> {
  const now = tw.authenticateNow(request) as Outcome | Promise<Outcome>;
  const sync = !(now instanceof Promise);
  return { outcome: await now, sync };
}

/** The identity of an accepted answer (fails the test on a refusal). */
function identity({ outcome }: Answer): AuthContext {
  if (!outcome.ok) throw new Error(`refused: ${outcome.error.code}`);
  return outcome.auth;
}

/** The refusal code of an answer, or `ok`. */
function code({ outcome }: Answer): string {
  return outcome.ok ? 'ok' : outcome.error.code;
}

const bearer = (token: string, connection?: object): TokenRequest => ({
  authorization: `Bearer ${token}`,
  ...(connection === undefined ? {} : { connection }),
});

/** `token` with the character at `i` replaced by another one (same length). */
function replaceAt(token: string, i: number): string {
  const swapped = token[i] === 'A' ? 'B' : 'A';
  return `${token.slice(0, i)}${swapped}${token.slice(i + 1)}`;
}

/** `token` with its payload's `sub` replaced by `to` (same length), its signature kept. */
function withSubject(token: string, to: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(new TextDecoder().decode(fromB64url(payload)));
  const forged = `${header}.${b64url(JSON.stringify({ ...decoded, sub: to }))}.${signature}`;
  expect(forged.length, 'a same-length forgery').toBe(token.length);
  return forged;
}

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

describe('the fast path ends at exp (no hooks)', () => {
  it('with no clock tolerance: the memo, the cache and the header shortcut refuse at exp', async () => {
    const { tw, clock } = setup({ clockTolerance: 0 });
    const socket = {};
    const token = await mint(key, claims(clock, { exp: clock.seconds + 30 }));
    const first = identity(await answer(tw, bearer(token, socket)));
    clock.advance(29_999);
    expect(identity(await answer(tw, bearer(token, socket)))).toBe(first);
    expect(identity(await answer(tw, bearer(token)))).toBe(first);
    clock.advance(1);
    expect(code(await answer(tw, bearer(token, socket))), 'same header, same socket').toBe(
      'token_expired',
    );
    const lower = { authorization: `bearer ${token}`, connection: socket };
    expect(code(await answer(tw, lower)), 'memo').toBe('token_expired');
    expect(code(await answer(tw, bearer(token))), 'cache').toBe('token_expired');
  });

  it('with the default tolerance: verified again after exp, refused once past the tolerance', async () => {
    const { tw, clock } = setup();
    const socket = {};
    const token = await mint(key, claims(clock, { exp: clock.seconds + 30 }));
    const first = identity(await answer(tw, bearer(token, socket)));
    clock.advance(30_000);
    const within = identity(await answer(tw, bearer(token, socket)));
    expect(within, 'not the cached identity past exp').not.toBe(first);
    expect(within.subject).toBe(first.subject);
    clock.advance(5_000);
    expect(code(await answer(tw, bearer(token, socket)))).toBe('token_expired');
    expect(code(await answer(tw, bearer(token)))).toBe('token_expired');
  });

  it('refuses at maxTokenAge on a connection that keeps sending the token', async () => {
    const { tw, clock } = setup({ maxTokenAge: 60, clockTolerance: 0 });
    const socket = {};
    const token = await mint(key, claims(clock, { exp: clock.seconds + 3600 }));
    identity(await answer(tw, bearer(token, socket)));
    clock.advance(60_999);
    expect(code(await answer(tw, bearer(token, socket)))).toBe('ok');
    clock.advance(1);
    expect(code(await answer(tw, bearer(token, socket)))).toBe('token_too_old');
  });

  it('ends at cache.maxAge: the token is verified again on its connection', async () => {
    const { tw, clock } = setup({ cache: { maxAge: 1_000 } });
    const socket = {};
    const token = await mint(key, claims(clock));
    const first = identity(await answer(tw, bearer(token, socket)));
    clock.advance(999);
    expect(identity(await answer(tw, bearer(token, socket)))).toBe(first);
    clock.advance(1);
    expect(identity(await answer(tw, bearer(token, socket)))).not.toBe(first);
  });
});

describe('hooks turn the fast path off', () => {
  it('isRevoked runs on every request on the connection (no synchronous answer)', async () => {
    let revoked = false;
    let calls = 0;
    const { tw, clock } = setup({
      isRevoked: () => {
        calls++;
        return revoked;
      },
    });
    const socket = {};
    const token = await mint(key, claims(clock));
    expect(code(await answer(tw, bearer(token, socket)))).toBe('ok');
    const again = await answer(tw, bearer(token, socket));
    expect(again.sync, 'no synchronous answer with a hook').toBe(false);
    expect(code(again)).toBe('ok');
    revoked = true;
    expect(code(await answer(tw, bearer(token, socket)))).toBe('token_revoked');
    expect(code(await answer(tw, bearer(token)))).toBe('token_revoked');
    expect(calls).toBe(4);
  });

  it('validate runs on every request on the connection (no synchronous answer)', async () => {
    let accept = true;
    let calls = 0;
    const { tw, clock } = setup({
      validate: () => {
        calls++;
        return accept;
      },
    });
    const socket = {};
    const token = await mint(key, claims(clock));
    expect(code(await answer(tw, bearer(token, socket)))).toBe('ok');
    const again = await answer(tw, bearer(token, socket));
    expect(again.sync).toBe(false);
    accept = false;
    expect(code(await answer(tw, bearer(token, socket)))).toBe('token_rejected');
    expect(calls).toBe(3);
  });

  it('with hooks, another token of the same length on the connection is verified, never the identity before it', async () => {
    const { tw, clock } = setup({ isRevoked: () => false, validate: () => true });
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    expect(identity(await answer(tw, bearer(token, socket))).subject).toBe('alice');
    expect(identity(await answer(tw, bearer(token, socket))).subject).toBe('alice');
    const changed = replaceAt(token, token.length - 20);
    expect(code(await answer(tw, bearer(changed, socket)))).toBe('invalid_signature');
    const mallory = withSubject(token, 'malle');
    expect(code(await answer(tw, bearer(mallory, socket)))).toBe('invalid_signature');
    const bob = await mint(key, claims(clock, { sub: 'bob', jti: 'token-2' }));
    expect(identity(await answer(tw, bearer(bob, socket))).subject).toBe('bob');
  });

  it('onDecision leaves it on, and sees every answer the fast path gives', async () => {
    const events: DecisionEvent[] = [];
    const { tw, clock } = setup({ onDecision: (event) => events.push(event) });
    const socket = {};
    const token = await mint(key, claims(clock, { sub: 'alice' }));
    const first = identity(await answer(tw, bearer(token, socket)));
    const again = await answer(tw, bearer(token, socket));
    expect(again.sync).toBe(true);
    expect(identity(again)).toBe(first);
    expect(events.map((e) => [e.outcome, e.subject])).toEqual([
      ['allowed', 'alice'],
      ['allowed', 'alice'],
    ]);
  });
});
