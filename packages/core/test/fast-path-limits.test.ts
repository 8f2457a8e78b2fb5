/**
 * Where the fast path (the verified-token cache and the per-connection memo) ends: at `exp`, at
 * `maxTokenAge` and at `cache.maxAge`, with no hook installed; and the hooks that turn it off
 * (`validate`, `isRevoked`) or leave it on (`onDecision`, which still sees every answer).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { DecisionEvent, TokenwardOptions } from '../src/index.js';
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

beforeAll(async () => {
  key = await createKey('ES256');
});

/** A verifier over the local key, with the cache on (the default). */
const setup = (options: Partial<TokenwardOptions> = {}) => setupWith(key, options);

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
