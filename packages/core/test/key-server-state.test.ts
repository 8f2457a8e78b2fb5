/**
 * The key server's state as a remote key set sees it — healthy, failing, and the unknown-`kid`
 * cooldown — and what each state answers: the exact `Retry-After` of a 503 (the time until the
 * next allowed key-server attempt, on the controllable clock), and when an unknown `kid` is a 503
 * (the server is failing) or a 401 (the server answered without it). See SECURITY.md, "Key servers
 * under faults and denial of service".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthError,
  createTokenward,
  type KeySetOptions,
  type Tokenward,
  type TokenwardOptions,
} from '../src/index.js';
import { fakeFetch } from './helpers/key-server.js';
import { AUDIENCE, Clock, claims, createKey, ISSUER, mint, type TestKey } from './helpers/mint.js';

const KEYSET: KeySetOptions = {
  cacheMaxAge: 600_000,
  cooldown: 30_000,
  failureBackoff: 1_000,
  maxFailureBackoff: 8_000,
  maxStale: 3_600_000,
};

let key1: TestKey;
let key2: TestKey;

beforeAll(async () => {
  [key1, key2] = await Promise.all([
    createKey('ES256', { kid: 'key-1' }),
    createKey('ES256', { kid: 'key-2' }),
  ]);
});

/** What the fake key server does on its next request. */
type Mode =
  | { readonly kind: 'up'; readonly keys: readonly TestKey[] }
  | { readonly kind: 'down' }
  /** Fails after `ms` of the controllable clock (a slow server, e.g. a timeout). */
  | { readonly kind: 'slow-down'; readonly ms: number };

interface Lab {
  readonly tw: Tokenward;
  readonly clock: Clock;
  readonly fetches: () => number;
  mode: Mode;
}

function lab(options: Partial<TokenwardOptions> = {}): Lab {
  const clock = new Clock();
  const state: Lab = {
    tw: undefined as unknown as Tokenward,
    clock,
    fetches: () => fetch.calls.length,
    mode: { kind: 'up', keys: [key1] },
  };
  const fetch = fakeFetch(async () => {
    const mode = state.mode;
    if (mode.kind === 'up') return Response.json({ keys: mode.keys.map((k) => k.jwk) });
    if (mode.kind === 'slow-down') clock.advance(mode.ms);
    return new Response('down', { status: 500 });
  });
  const tw = createTokenward({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: 'https://keys.example/jwks',
    fetch,
    now: clock.now,
    cache: false,
    ...options,
    keySet: { ...KEYSET, ...options.keySet },
  } as TokenwardOptions);
  (state as { tw: Tokenward }).tw = tw;
  return state;
}

function token(l: Lab, key: TestKey = key1, kid: string = key.kid): Promise<string> {
  return mint(key, claims(l.clock, { exp: l.clock.seconds + 86_400 }), { kid });
}

/** A token naming a kid nobody published. */
let made = 0;
function madeUp(l: Lab): Promise<string> {
  return token(l, key1, `made-up-${++made}`);
}

/** `ok`, or the error code; for a 503 also the Retry-After header, as `503:<seconds>`. */
async function answer(l: Lab, t: string): Promise<string> {
  const outcome = await l.tw.authenticate({ authorization: `Bearer ${t}` });
  if (outcome.ok) return 'ok';
  if (outcome.response.status === 503) {
    expect(outcome.error.code).toBe('keys_unavailable');
    return `503:${outcome.response.headers['retry-after']}`;
  }
  return `${outcome.response.status}:${outcome.error.code}`;
}

describe('Retry-After: the time until the next allowed key-server attempt', () => {
  it('is counted from when the attempt failed, not from when the request arrived', async () => {
    const l = lab();
    // The key server takes 5 s (of the clock) to fail: the next attempt is allowed 1 s after that.
    l.mode = { kind: 'slow-down', ms: 5_000 };
    const t = await token(l);
    expect(await answer(l, t)).toBe('503:1');
    expect(l.fetches()).toBe(1);
    // Second failure, again slow: the backoff doubles to 2 s from the failure.
    l.clock.advance(1_000);
    expect(await answer(l, t)).toBe('503:2');
    expect(l.fetches()).toBe(2);
  });

  it('is the same for requests that waited on the failing attempt (single flight)', async () => {
    const l = lab();
    l.mode = { kind: 'slow-down', ms: 7_000 };
    const t = await token(l);
    const answers = await Promise.all([answer(l, t), answer(l, t), answer(l, t)]);
    expect(answers).toEqual(['503:1', '503:1', '503:1']);
    expect(l.fetches()).toBe(1);
  });

  it('counts down, rounded up to whole seconds, never below 1', async () => {
    const l = lab({ keySet: { failureBackoff: 4_000 } });
    l.mode = { kind: 'down' };
    const t = await token(l);
    expect(await answer(l, t)).toBe('503:4');
    l.clock.advance(1);
    expect(await answer(l, t)).toBe('503:4'); // 3.999 s → 4
    l.clock.advance(999);
    expect(await answer(l, t)).toBe('503:3'); // exactly 3 s
    l.clock.advance(2_999);
    expect(await answer(l, t)).toBe('503:1'); // 1 ms → 1
    expect(l.fetches()).toBe(1);
    l.clock.advance(1);
    expect(await answer(l, t)).toBe('503:8'); // the next attempt, now, failed: 8 s
    expect(l.fetches()).toBe(2);
  });

  it('is true: a retry one millisecond early makes no attempt, a retry on time does', async () => {
    const l = lab();
    l.mode = { kind: 'slow-down', ms: 3_000 };
    const t = await token(l);
    const first = await answer(l, t);
    expect(first).toBe('503:1');
    l.mode = { kind: 'up', keys: [key1] };
    l.clock.advance(999);
    expect(await answer(l, t)).toBe('503:1');
    expect(l.fetches()).toBe(1);
    l.clock.advance(1);
    expect(await answer(l, t)).toBe('ok');
    expect(l.fetches()).toBe(2);
  });

  it('with no backoff, says 1 (the smallest whole number of seconds)', async () => {
    const l = lab({ keySet: { failureBackoff: 0 } });
    l.mode = { kind: 'slow-down', ms: 4_000 };
    expect(await answer(l, await token(l))).toBe('503:1');
  });
});

describe('unknown kids: healthy, failing, cooldown', () => {
  /** A lab whose keys were fetched once (healthy). */
  async function warm(options: Partial<TokenwardOptions> = {}): Promise<Lab> {
    const l = lab(options);
    await l.tw.warmup();
    return l;
  }

  it('healthy: one refetch per cooldown; a successful refresh without the kid is a 401', async () => {
    const l = await warm();
    expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    expect(l.fetches()).toBe(2);
    l.clock.advance(KEYSET.cooldown! - 1);
    expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    expect(l.fetches()).toBe(2);
    l.clock.advance(1);
    expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    expect(l.fetches()).toBe(3);
  });

  it('failing: 503 only until the next allowed attempt, which is made; still failing → 503', async () => {
    const l = await warm();
    l.mode = { kind: 'down' };
    expect(await answer(l, await madeUp(l))).toBe('503:1');
    expect(l.fetches()).toBe(2);
    // Within the backoff: 503, no attempt, whatever the kid.
    l.clock.advance(500);
    expect(await answer(l, await madeUp(l))).toBe('503:1');
    expect(l.fetches()).toBe(2);
    // Backoff over (well within the cooldown): one attempt; it fails again → 503, wait doubled.
    l.clock.advance(500);
    const flood = await Promise.all(Array.from({ length: 20 }, async () => madeUp(l)));
    const answers = await Promise.all(flood.map((t) => answer(l, t)));
    expect(new Set(answers)).toEqual(new Set(['503:2']));
    expect(l.fetches()).toBe(3);
    // Known kids keep verifying from the cached keys throughout.
    expect(await answer(l, await token(l))).toBe('ok');
    expect(l.fetches()).toBe(3);
  });

  it('the key server answers again: the next unknown kid refetches (401), then the cooldown holds', async () => {
    const l = await warm();
    l.mode = { kind: 'down' };
    expect(await answer(l, await madeUp(l))).toBe('503:1');
    l.mode = { kind: 'up', keys: [key1] };
    l.clock.advance(1_000); // the Retry-After given, far less than the 30 s cooldown
    expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    expect(l.fetches()).toBe(3);
    // Healthy again: made-up kids are 401 without fetching, for a cooldown from that refetch.
    for (let i = 0; i < 5; i++) {
      expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    }
    l.clock.advance(KEYSET.cooldown! - 1);
    expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    expect(l.fetches()).toBe(3);
    l.clock.advance(1);
    expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    expect(l.fetches()).toBe(4);
  });

  it('a key published during the outage is accepted as soon as the server answers', async () => {
    const l = await warm();
    l.mode = { kind: 'down' };
    const t2 = await token(l, key2);
    expect(await answer(l, t2)).toBe('503:1');
    l.mode = { kind: 'up', keys: [key1, key2] };
    l.clock.advance(1_000);
    expect(await answer(l, t2)).toBe('ok');
    expect(l.fetches()).toBe(3);
  });

  it('recovery seen by a routine refresh: unknown kids within the cooldown are 401 at once', async () => {
    const l = await warm({ keySet: { cacheMaxAge: 5_000 } });
    l.mode = { kind: 'down' };
    expect(await answer(l, await madeUp(l))).toBe('503:1');
    l.mode = { kind: 'up', keys: [key1] };
    // The keys expire and a known-kid request refreshes them successfully.
    l.clock.advance(5_000);
    expect(await answer(l, await token(l))).toBe('ok');
    expect(l.fetches()).toBe(3);
    expect(l.tw.status()[ISSUER]).toMatchObject({ state: 'fresh', lastError: undefined });
    // Healthy, and within the cooldown of the last unknown-kid refetch: 401 without fetching.
    expect(await answer(l, await madeUp(l))).toBe('401:no_matching_key');
    expect(l.fetches()).toBe(3);
  });

  it('status() reports a failed unknown-kid refetch, and its end', async () => {
    const l = await warm();
    l.mode = { kind: 'down' };
    expect(await answer(l, await madeUp(l))).toBe('503:1');
    expect(l.tw.status()[ISSUER]?.lastError).toMatch(/status 500/);
    l.mode = { kind: 'up', keys: [key1] };
    l.clock.advance(1_000);
    await answer(l, await madeUp(l));
    expect(l.tw.status()[ISSUER]).toMatchObject({ state: 'fresh', lastError: undefined });
  });

  it('the verify() error carries the same retryAfter as the header', async () => {
    const l = await warm();
    l.mode = { kind: 'slow-down', ms: 2_500 };
    const error = await l.tw.verify(await madeUp(l)).catch((e: AuthError) => e);
    expect((error as AuthError).retryAfter).toBe(1);
  });
});
