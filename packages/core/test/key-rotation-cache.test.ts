/**
 * A refresh that removes a key, or changes what stands under an existing `kid` (the key material,
 * or the algorithm it is published for), ends every verification cached with the old key at that
 * refresh: in the verified-token cache, in the per-connection memo, with and without hooks (the
 * synchronous fast path is on only without), on both crypto backends (this file also runs in the
 * `core-webcrypto` project). And the key-set generation a verification is cached with is the one
 * its key was read with, even if a rotation lands while the key is being fetched or imported.
 */
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthError,
  createTokenward,
  type Tokenward,
  type TokenwardOptions,
  Verifier,
} from '../src/index.js';
import type { KeySource } from '../src/keys/key-source.js';
import { fakeFetch } from './helpers/key-server.js';
import { AUDIENCE, Clock, claims, createKey, ISSUER, mint, type TestKey } from './helpers/mint.js';

let key1: TestKey;
let key2: TestKey;
let rsa: TestKey;
/** Another key pair published under key1's kid (the material changes, the kid does not). */
let sameKid: TestKey;

beforeAll(async () => {
  [key1, key2, rsa, sameKid] = await Promise.all([
    createKey('ES256', { kid: 'key-1' }),
    createKey('ES256', { kid: 'key-2' }),
    createKey('RS256', { kid: 'rsa-1' }),
    createKey('ES256', { kid: 'key-1' }),
  ]);
});

/** A JWKS the test changes at will, served by an injected fetch, and the options around it. */
function keyServer(clock: Clock, initial: readonly JWK[]) {
  const served = { keys: [...initial] };
  const fetch = fakeFetch(() => Response.json({ keys: served.keys }));
  const options: TokenwardOptions = {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: 'https://keys.example/jwks',
    fetch,
    now: clock.now,
    keySet: { cooldown: 30_000 },
  };
  return { served, fetch, options };
}

function token(clock: Clock, key: TestKey, sub = 'alice'): Promise<string> {
  return mint(key, claims(clock, { sub, exp: clock.seconds + 3_600 }));
}

const HOOKS = {
  'no hooks (synchronous fast path on)': {},
  'validate and isRevoked hooks': { validate: () => true, isRevoked: () => false },
} as const;

/** `ok`, or the refusal's error code, through authenticate() on `connection` (if any). */
async function via(tw: Tokenward, t: string, connection?: object): Promise<string> {
  const outcome = await tw.authenticate({ authorization: `Bearer ${t}`, connection });
  return outcome.ok ? 'ok' : outcome.error.code;
}

async function verifyCode(tw: Tokenward | Verifier, t: string, connection?: object) {
  return (tw instanceof Verifier ? tw.verify(t, connection) : tw.verify(t)).then(
    () => 'ok',
    (error: AuthError) => error.code,
  );
}

/** A change to key1's published entry, and what a fresh verification of a key1 token says then. */
interface Change {
  readonly signer: () => TestKey;
  /** The key set after the change (the signer's entry replaced or removed), plus key2. */
  readonly after: () => JWK[];
  readonly refusal: string;
}

const CHANGES: Record<string, Change> = {
  'the key removed': {
    signer: () => key1,
    after: () => [key2.jwk],
    refusal: 'no_matching_key',
  },
  'another key under the same kid': {
    signer: () => key1,
    after: () => [sameKid.jwk, key2.jwk],
    refusal: 'invalid_signature',
  },
  'the same RSA modulus with another exponent': {
    signer: () => rsa,
    after: () => [{ ...rsa.jwk, e: 'Aw' }, key2.jwk],
    refusal: 'invalid_signature',
  },
  'the same key now published for another algorithm only': {
    signer: () => rsa,
    after: () => [{ ...rsa.jwk, alg: 'PS256' }, key2.jwk],
    refusal: 'no_matching_key',
  },
};

describe.each(Object.entries(HOOKS))('cached verifications end at the refresh (%s)', (_, hooks) => {
  it.each(Object.keys(CHANGES))('%s', async (name) => {
    const change = CHANGES[name] as Change;
    const clock = new Clock();
    const signer = change.signer();
    const server = keyServer(clock, [signer.jwk]);
    const tw = createTokenward({ ...server.options, ...hooks });
    const old = await token(clock, signer);
    const socket = {};
    // Verified, then answered from the connection memo and from the cache.
    expect(await via(tw, old, socket)).toBe('ok');
    expect(await via(tw, old, socket)).toBe('ok');
    expect(await via(tw, old, {})).toBe('ok');
    expect(await verifyCode(tw, old)).toBe('ok');
    expect(tw.cachedTokens).toBe(1);

    // The issuer changes its keys; a token of the new key2 makes the key set refresh now.
    server.served.keys = change.after();
    expect(await via(tw, await token(clock, key2, 'bob'))).toBe('ok');
    expect(server.fetch.calls).toHaveLength(2);

    // From that refresh on, the old token is refused on every path, at the same clock time.
    expect(await via(tw, old, socket)).toBe(change.refusal); // same connection, same header
    expect(await via(tw, old, {})).toBe(change.refusal); // cache lookup
    expect(await verifyCode(tw, old)).toBe(change.refusal);
    expect(await via(tw, old, socket)).toBe(change.refusal);
    expect(server.fetch.calls).toHaveLength(2); // within the cooldown: no refetch for it
  });

  it('a refresh that changes nothing keeps cached verifications', async () => {
    const clock = new Clock();
    const server = keyServer(clock, [key1.jwk]);
    const tw = createTokenward({ ...server.options, ...hooks });
    const t = await token(clock, key1);
    const socket = {};
    const first = await tw.authenticate({ authorization: `Bearer ${t}`, connection: socket });
    server.served.keys = [key1.jwk, key2.jwk]; // a key added, none removed or changed
    expect(await via(tw, await token(clock, key2, 'bob'))).toBe('ok');
    expect(server.fetch.calls).toHaveLength(2);
    const again = await tw.authenticate({ authorization: `Bearer ${t}`, connection: socket });
    expect(first.ok && again.ok && again.auth === first.auth).toBe(true);
  });
});

describe('the generation is read with the key', () => {
  /**
   * A verifier whose issuer key source is the real remote key set, except that `rotate` runs
   * inside `getKey`, after the key was found and before the verifier has it back: a refresh
   * that removes the key lands at exactly that await.
   */
  function interleaved(hooks: Partial<TokenwardOptions>) {
    const clock = new Clock();
    const server = keyServer(clock, [key1.jwk, key2.jwk]);
    const verifier = new Verifier({ ...server.options, ...hooks });
    const entry = verifier.options.issuers.get(ISSUER) as { keys: KeySource };
    const real = entry.keys;
    const pending: (() => Promise<void>)[] = [];
    entry.keys = new Proxy(real, {
      get(target, property) {
        if (property === 'getKey') {
          return async (query: Parameters<KeySource['getKey']>[0]) => {
            const found = await target.getKey(query);
            for (const rotate of pending.splice(0)) await rotate();
            return found;
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const rotateAtNextGetKey = (keys: JWK[]) =>
      pending.push(async () => {
        server.served.keys = keys;
        await real.reload();
      });
    return { clock, server, verifier, real, rotateAtNextGetKey };
  }

  it.each(Object.entries(HOOKS))(
    'a key removed while it was being read does not vouch for its token later (%s)',
    async (_, hooks) => {
      const { clock, server, verifier, real, rotateAtNextGetKey } = interleaved(hooks);
      const old = await token(clock, key1);
      const before = real.generation();
      rotateAtNextGetKey([key2.jwk]);
      const socket = {};
      // Read before the rotation: this one verification stands (it raced with the refresh).
      expect(await verifyCode(verifier, old, socket)).toBe('ok');
      expect(real.generation()).not.toBe(before);
      expect(server.fetch.calls).toHaveLength(2);
      // But nothing cached from it outlives the rotation: refused on the connection and anew.
      expect(await verifyCode(verifier, old, socket)).toBe('no_matching_key');
      expect(await verifyCode(verifier, old)).toBe('no_matching_key');
      // A key that stayed keeps verifying, and is cached with the new generation.
      const kept = await token(clock, key2, 'bob');
      expect(await verifyCode(verifier, kept, socket)).toBe('ok');
      expect(await verifyCode(verifier, kept, socket)).toBe('ok');
      expect(verifier.cachedTokens).toBe(1);
    },
  );
});

/** Whether this run verifies with WebCrypto (the `core-webcrypto` project), not node:crypto. */
const WEBCRYPTO = typeof process.getBuiltinModule !== 'function';

describe.runIf(WEBCRYPTO)('WebCrypto: a rotation while the key is being imported', () => {
  it.each(Object.entries(HOOKS))(
    'the verification is cached with the generation the key was found in (%s)',
    async (_, hooks) => {
      const clock = new Clock();
      const server = keyServer(clock, [key1.jwk, key2.jwk]);
      const verifier = new Verifier({ ...server.options, ...hooks });
      const keys = (verifier.options.issuers.get(ISSUER) as { keys: KeySource }).keys;
      await verifier.warmup(); // fetched, not yet imported
      const before = keys.generation();
      // The first key import (key1's, for the token below) waits for a refresh that removes key1:
      // the rotation lands inside the key source's own await on the import.
      const subtle = crypto.subtle;
      const importKey = subtle.importKey;
      let rotated = false;
      Object.defineProperty(subtle, 'importKey', {
        configurable: true,
        value: async (...args: Parameters<SubtleCrypto['importKey']>) => {
          if (!rotated) {
            rotated = true;
            server.served.keys = [key2.jwk];
            await keys.reload();
          }
          return importKey.apply(subtle, args);
        },
      });
      const old = await token(clock, key1);
      const socket = {};
      try {
        expect(await verifyCode(verifier, old, socket)).toBe('ok');
      } finally {
        delete (subtle as { importKey?: unknown }).importKey;
      }
      expect(rotated).toBe(true);
      expect(keys.generation()).not.toBe(before);
      expect(await verifyCode(verifier, old, socket)).toBe('no_matching_key');
      expect(await verifyCode(verifier, old)).toBe('no_matching_key');
    },
  );
});
