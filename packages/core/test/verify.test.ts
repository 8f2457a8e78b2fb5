import { createHmac, KeyObject, verify as nodeVerify } from 'node:crypto';
import { exportJWK, exportSPKI, FlattenedSign, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthContext,
  type AuthError,
  type AuthErrorCode,
  ConfigurationError,
  createTokenward,
  type DecisionEvent,
  type HttpResponse,
  isAuthError,
  type Tokenward,
  type TokenwardOptions,
} from '../src/index.js';
import { countingFetch, KeyServer } from './helpers/key-server.js';
import {
  AUDIENCE,
  b64url,
  Clock,
  claims,
  createKey,
  fromB64url,
  hmacKey,
  ISSUER,
  leaksToken,
  mint,
  randomId,
  signRaw,
  signSegments,
  type TestKey,
  weakRsaKey,
} from './helpers/mint.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

let rsa: TestKey;
let rsa2: TestKey;
let ps: TestKey;
let es256: TestKey;
let es384: TestKey;
let ed: TestKey;
let attackerRsa: TestKey;
let attackerEc: TestKey;
let server: KeyServer;

const SECRET = 'a-shared-secret-of-at-least-32-bytes!!';

beforeAll(async () => {
  [rsa, rsa2, ps, es256, es384, ed, attackerRsa, attackerEc] = await Promise.all([
    createKey('RS256', { kid: 'rsa-1' }),
    createKey('RS256', { kid: 'rsa-2' }),
    createKey('PS256', { kid: 'ps-1' }),
    createKey('ES256', { kid: 'es256-1' }),
    createKey('ES384', { kid: 'es384-1' }),
    createKey('EdDSA', { kid: 'ed-1' }),
    createKey('RS256', { kid: 'attacker-rsa' }),
    createKey('ES256', { kid: 'attacker-ec' }),
  ]);
  server = await KeyServer.start();
  server.jwks([rsa.jwk], '/issuer-jwks');
  server.jwks([rsa.jwk], '/iss-test-jwks');
  server.jwks([attackerRsa.jwk, attackerEc.jwk], '/attacker-jwks');
  server.route('/attacker-cert', { body: 'not really a certificate' });
});

afterAll(async () => {
  await server?.close();
});

/** A tokenward trusting ISSUER/AUDIENCE with the RSA key locally (overridable). */
function tokenward(overrides: Partial<TokenwardOptions> = {}, clock = new Clock()): Tokenward {
  return createTokenward({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: { keys: [rsa.jwk] },
    now: clock.now,
    ...overrides,
  } as TokenwardOptions);
}

// ---------------------------------------------------------------------------------------------
// Assertion helpers

/** RFC 6750 b64token, as the extractor accepts it from the Authorization header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** A header value Node accepts and that cannot split a response. */
const SAFE_HEADER = /^[\x20-\x7E]*$/;

function expectNoLeakInError(error: unknown, token: string): void {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    expect(leaksToken(current.message, token), 'error message leaks the token').toBe(false);
    expect(leaksToken(String(current.stack ?? ''), token), 'stack leaks the token').toBe(false);
    current = current.cause;
  }
}

function expectSafeResponse(response: HttpResponse, token: string): void {
  expect(leaksToken(response.body, token), 'body leaks the token').toBe(false);
  for (const [name, value] of Object.entries(response.headers)) {
    expect(value, `header ${name}`).toMatch(SAFE_HEADER);
    expect(leaksToken(value, token), `header ${name} leaks the token`).toBe(false);
  }
}

/**
 * Assert that `token` is refused with 401 `invalid_token` and one of `codes`, both through
 * `verify()` and through `authenticate()` (where a token the Authorization header grammar refuses
 * is a 400 instead), and that neither the error nor the rendered response contains the token.
 */
async function refuse(
  tw: Tokenward,
  token: string,
  codes: AuthErrorCode | readonly AuthErrorCode[],
): Promise<AuthError> {
  const expected: readonly AuthErrorCode[] = typeof codes === 'string' ? [codes] : codes;
  const caught = await tw.verify(token).then(
    () => new Error('the token was accepted'),
    (error: unknown) => error,
  );
  if (!isAuthError(caught)) throw caught;
  const error = caught;
  expect(expected, `code ${error.code}`).toContain(error.code);
  expect(error.status).toBe(401);
  expect(error.phase).toBe('token');
  expect(error.bearerError).toBe('invalid_token');
  expectNoLeakInError(error, token);

  const outcome = await tw.authenticate({ authorization: `Bearer ${token}` });
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return error;
  expectNoLeakInError(outcome.error, token);
  expectSafeResponse(outcome.response, token);
  if (B64TOKEN.test(token)) {
    expect(outcome.error.code).toBe(error.code);
    expect(outcome.response.status).toBe(401);
    expect(outcome.response.headers['www-authenticate']).toMatch(
      /^Bearer error="invalid_token", error_description="[^"\r\n]*"$/,
    );
    expect(JSON.parse(outcome.response.body)).toEqual({
      error: 'invalid_token',
      error_description: error.message,
    });
  } else {
    expect(outcome.response.status).toBe(400);
    expect(outcome.error.code).toBe('malformed_credentials');
  }
  return error;
}

/** Assert that `token` verifies, through `verify()` and `authenticate()`; returns the context. */
async function accept(tw: Tokenward, token: string): Promise<AuthContext> {
  const auth = await tw.verify(token);
  const outcome = await tw.authenticate({ authorization: `Bearer ${token}` });
  if (!outcome.ok) throw outcome.error;
  expect(outcome.auth).toEqual(auth);
  return auth;
}

// ---------------------------------------------------------------------------------------------
// Token surgery

function parts(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h as string, p as string, s as string];
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Set a spare (unused) bit in the last character of a base64url segment (same bytes for lenient decoders). */
function setSpareBits(segment: string): string {
  const rest = segment.length % 4;
  if (rest !== 2 && rest !== 3) throw new Error('segment has no spare bits');
  const last = ALPHABET.indexOf(segment.at(-1) as string);
  return segment.slice(0, -1) + ALPHABET[last | 1];
}

/** Flip one bit of the decoded bytes and re-encode canonically. */
function flipBit(segment: string, byteIndex: number, bit = 0): string {
  const bytes = fromB64url(segment);
  bytes[byteIndex] = (bytes[byteIndex] as number) ^ (1 << bit);
  return b64url(bytes);
}

/** DER-encode an ECDSA r||s signature (what OpenSSL produces, not what JWS uses). */
function derFromRaw(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const body = [...bytes.slice(start)];
    if ((body[0] as number) & 0x80) body.unshift(0);
    return [0x02, body.length, ...body];
  };
  const seq = [...integer(raw.slice(0, half)), ...integer(raw.slice(half))];
  return new Uint8Array([0x30, seq.length, ...seq]);
}

// ---------------------------------------------------------------------------------------------

describe('supported algorithms', () => {
  it.each([
    ['RS256', () => rsa],
    ['PS256', () => ps],
    ['ES256', () => es256],
    ['ES384', () => es384],
    ['EdDSA', () => ed],
  ])('%s tokens verify with a local jwks', async (_alg, key) => {
    const clock = new Clock();
    const tw = tokenward({ jwks: { keys: [key().jwk] } }, clock);
    const auth = await accept(tw, await mint(key(), claims(clock)));
    expect(auth.subject).toBe('user-1');
    expect(auth.issuer).toBe(ISSUER);
    expect(auth.header.alg).toBe(key().alg);
  });

  it('Ed25519 (the fully-specified name) verifies with an Ed25519 key published as EdDSA', async () => {
    const clock = new Clock();
    const tw = tokenward({ jwks: [ed.jwk] }, clock);
    const token = await mint({ ...ed, alg: 'Ed25519' }, claims(clock));
    await accept(tw, token);
  });

  it('a key without "alg" verifies tokens of the algorithms its type fits', async () => {
    const clock = new Clock();
    const { alg: _alg, ...noAlg } = es256.jwk;
    const tw = tokenward({ jwks: [noAlg] }, clock);
    await accept(tw, await mint(es256, claims(clock)));
  });

  it('verifies among several keys by kid', async () => {
    const clock = new Clock();
    const tw = tokenward({ jwks: [rsa.jwk, rsa2.jwk, es256.jwk, ed.jwk] }, clock);
    for (const key of [rsa, rsa2, es256, ed]) {
      const auth = await accept(tw, await mint(key, claims(clock)));
      expect(auth.header.kid).toBe(key.kid);
    }
  });

  it.each(['HS256', 'HS384', 'HS512'])('%s tokens verify with a secret', async (alg) => {
    const clock = new Clock();
    for (const secret of [SECRET, new TextEncoder().encode(SECRET)]) {
      const tw = createTokenward({ issuer: ISSUER, audience: AUDIENCE, secret, now: clock.now });
      const key = { alg, kid: 'ignored', privateKey: await hmacKey(SECRET, alg) };
      await accept(tw, await mint(key, claims(clock)));
      await accept(tw, await mint(key, claims(clock), { kid: undefined }));
    }
  });

  it('HS256 signed with another secret is invalid_signature', async () => {
    const clock = new Clock();
    const tw = createTokenward({
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: SECRET,
      now: clock.now,
    });
    const key = { alg: 'HS256', kid: 'k', privateKey: await hmacKey(`${SECRET}x`, 'HS256') };
    await refuse(tw, await mint(key, claims(clock)), 'invalid_signature');
  });

  it('an asymmetric token is refused by a secret-configured issuer', async () => {
    const clock = new Clock();
    const tw = createTokenward({
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: SECRET,
      now: clock.now,
    });
    await refuse(tw, await mint(rsa, claims(clock)), 'algorithm_not_allowed');
    await refuse(tw, await mint(es256, claims(clock)), 'algorithm_not_allowed');
  });

  it('secrets shorter than 32 bytes and HS algorithms with key sets are configuration errors', () => {
    expect(() =>
      createTokenward({ issuer: ISSUER, audience: AUDIENCE, secret: 'x'.repeat(31) }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createTokenward({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: [rsa.jwk],
        algorithms: ['HS256'],
      }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createTokenward({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: [rsa.jwk],
        algorithms: ['none'],
      }),
    ).toThrow(ConfigurationError);
  });
});

describe('JOSE header attacks', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'alg "%s" with an empty signature is algorithm_not_allowed',
    async (alg) => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const token = `${b64url(JSON.stringify({ alg, typ: 'at+jwt' }))}.${b64url(JSON.stringify(claims(clock)))}.`;
      await refuse(tw, token, 'algorithm_not_allowed');
    },
  );

  it('alg "none" with a (non-empty) signature is algorithm_not_allowed', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    // A real RS256 signature over a header that says "none".
    const token = await signRaw(
      rsa,
      JSON.stringify({ alg: 'none', kid: rsa.kid }),
      JSON.stringify(claims(clock)),
    );
    await refuse(tw, token, 'algorithm_not_allowed');
  });

  it('an empty signature is refused whatever alg the header names', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    const [h, p] = parts(await mint(rsa, claims(clock)));
    await refuse(tw, `${h}.${p}.`, 'algorithm_not_allowed');
  });

  it.each([
    ['missing', {}],
    ['empty', { alg: '' }],
    ['a number', { alg: 256 }],
    ['null', { alg: null }],
    ['an array', { alg: ['RS256'] }],
  ])('alg %s (real RS256 signature) is refused as token_malformed', async (_label, extra) => {
    // Note: the brief lists missing/empty alg under algorithm_not_allowed; the core reports a
    // header without a string alg as malformed (RFC 7515 makes alg mandatory). See the report.
    const clock = new Clock();
    const tw = tokenward({}, clock);
    const token = await signRaw(
      rsa,
      JSON.stringify({ kid: rsa.kid, typ: 'at+jwt', ...extra }),
      JSON.stringify(claims(clock)),
    );
    await refuse(tw, token, 'token_malformed');
  });

  it('alg outside the allowlist is algorithm_not_allowed (even with a valid signature)', async () => {
    const clock = new Clock();
    const tw = tokenward({ jwks: [rsa.jwk, es256.jwk], algorithms: ['ES256'] }, clock);
    await refuse(tw, await mint(rsa, claims(clock)), 'algorithm_not_allowed');
    await accept(tw, await mint(es256, claims(clock)));
  });

  it.each(['HS256', 'RS1', 'ES256K', 'RSA-OAEP', 'ECDH-ES', 'dir', 'A128KW', 'rs256', 'Rs256'])(
    'alg "%s" is algorithm_not_allowed for a key set',
    async (alg) => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const token = await signRaw(
        rsa,
        JSON.stringify({ alg, kid: rsa.kid, typ: 'at+jwt' }),
        JSON.stringify(claims(clock)),
      );
      await refuse(tw, token, 'algorithm_not_allowed');
    },
  );

  describe('key confusion: HMAC signed with the issuer public key', () => {
    const encodings: [string, () => Promise<Uint8Array | string>][] = [
      ['PEM (SPKI)', () => exportSPKI(rsa.publicKey)],
      ['PEM without trailing newline', async () => (await exportSPKI(rsa.publicKey)).trim()],
      [
        'PEM body without whitespace',
        async () =>
          (await exportSPKI(rsa.publicKey)).replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''),
      ],
      [
        'DER bytes',
        async () =>
          new Uint8Array(
            Buffer.from(
              (await exportSPKI(rsa.publicKey)).replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''),
              'base64',
            ),
          ),
      ],
      ['JWK JSON', async () => JSON.stringify(rsa.jwk)],
      [
        'JWK JSON (n, e only)',
        async () => JSON.stringify({ kty: 'RSA', n: rsa.jwk.n, e: rsa.jwk.e }),
      ],
      ['modulus bytes', async () => fromB64url(rsa.jwk.n as string)],
    ];

    for (const [label, secret] of encodings) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        it(`${alg} with the public key as ${label} is algorithm_not_allowed`, async () => {
          const clock = new Clock();
          const tw = tokenward({}, clock);
          const key = { alg, kid: rsa.kid, privateKey: await hmacKey(await secret(), alg) };
          await refuse(tw, await mint(key, claims(clock)), 'algorithm_not_allowed');
          await refuse(
            tw,
            await mint(key, claims(clock), { kid: undefined }),
            'algorithm_not_allowed',
          );
        });
      }
    }

    it('HS256 with a blank secret is algorithm_not_allowed', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const h = b64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' }));
      const p = b64url(JSON.stringify(claims(clock)));
      const sig = createHmac('sha256', '').update(`${h}.${p}`).digest('base64url');
      await refuse(tw, `${h}.${p}.${sig}`, 'algorithm_not_allowed');
    });
  });

  it('an alg that does not fit the key type is refused (ES256 header, RSA key)', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    // Signed by an EC key, claiming the RSA key's kid.
    await refuse(tw, await mint({ ...attackerEc, kid: rsa.kid }, claims(clock)), [
      'no_matching_key',
      'invalid_signature',
    ]);
    // An RS256 signature by the issuer's own key, with a header that says ES256.
    const token = await signSegments(
      rsa.privateKey,
      'RS256',
      b64url(JSON.stringify({ alg: 'ES256', kid: rsa.kid, typ: 'at+jwt' })),
      b64url(JSON.stringify(claims(clock))),
    );
    await refuse(tw, token, ['no_matching_key', 'invalid_signature']);
  });

  it('an RS256 header naming an EC key is no_matching_key', async () => {
    const clock = new Clock();
    const tw = tokenward({ jwks: [rsa.jwk, es256.jwk] }, clock);
    await refuse(
      tw,
      await mint({ ...attackerRsa, kid: es256.kid }, claims(clock)),
      'no_matching_key',
    );
  });

  it('a key that names its alg (RS256) is not used for PS256, even by its own private key', async () => {
    const clock = new Clock();
    const privateJwk = await exportJWK(rsa.privateKey);
    const pssKey = (await importJWK({ ...privateJwk, alg: 'PS256' }, 'PS256')) as CryptoKey;
    const token = await mint({ alg: 'PS256', kid: rsa.kid, privateKey: pssKey }, claims(clock));
    await refuse(tokenward({}, clock), token, 'no_matching_key');
    // Control: the same token verifies against the same key published without "alg".
    const { alg: _alg, ...noAlg } = rsa.jwk;
    await accept(tokenward({ jwks: [noAlg] }, clock), token);
  });

  describe('keys are never taken from the token', () => {
    it('an embedded "jwk" header does not make an attacker token valid', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const jwk = attackerRsa.jwk;
      await refuse(
        tw,
        await mint({ ...attackerRsa, kid: rsa.kid }, claims(clock), { jwk }),
        'invalid_signature',
      );
      await refuse(
        tw,
        await mint(attackerRsa, claims(clock), { jwk, kid: undefined }),
        'invalid_signature',
      );
      await refuse(tw, await mint(attackerRsa, claims(clock), { jwk }), 'no_matching_key');
    });

    it('an embedded "x5c" header does not make an attacker token valid', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const x5c = [b64url('certificate bytes').replace(/-/g, '+')];
      await refuse(
        tw,
        await mint({ ...attackerRsa, kid: rsa.kid }, claims(clock), { x5c }),
        'invalid_signature',
      );
    });

    it('"jku" and "x5u" are never fetched (local keys)', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const before = server.total;
      for (const header of [
        { jku: server.url('/attacker-jwks') },
        { x5u: server.url('/attacker-cert') },
        { jku: server.url('/attacker-jwks'), x5u: server.url('/attacker-cert') },
      ]) {
        await refuse(tw, await mint(attackerRsa, claims(clock), header), 'no_matching_key');
        await refuse(
          tw,
          await mint({ ...attackerRsa, kid: rsa.kid }, claims(clock), header),
          'invalid_signature',
        );
        await refuse(
          tw,
          await mint(attackerRsa, claims(clock), { ...header, kid: undefined }),
          'invalid_signature',
        );
      }
      expect(server.total).toBe(before);
      expect(server.count('/attacker-jwks')).toBe(0);
      expect(server.count('/attacker-cert')).toBe(0);
    });

    it('"jku" and "x5u" are never fetched (remote key set): only the configured jwksUri is', async () => {
      const clock = new Clock();
      const fetch = countingFetch();
      const tw = tokenward({ jwks: undefined, jwksUri: server.url('/issuer-jwks'), fetch }, clock);
      const header = { jku: server.url('/attacker-jwks'), x5u: server.url('/attacker-cert') };
      await refuse(
        tw,
        await mint({ ...attackerRsa, kid: rsa.kid }, claims(clock), header),
        'invalid_signature',
      );
      await refuse(tw, await mint(attackerRsa, claims(clock), header), 'no_matching_key');
      // The legitimate token verifies even with those headers present.
      await accept(tw, await mint(rsa, claims(clock), header));
      expect(server.count('/attacker-jwks')).toBe(0);
      expect(server.count('/attacker-cert')).toBe(0);
      expect(fetch.calls.every((url) => url === server.url('/issuer-jwks'))).toBe(true);
      // The initial fetch, and one refetch for the attacker's unknown kid — of the issuer's URL.
      expect(fetch.calls.length).toBe(2);
    });
  });

  describe('kid', () => {
    it.each([
      ['a number', 1],
      ['an object', { id: 'rsa-1' }],
      ['an array', ['rsa-1']],
      ['null', null],
      ['true', true],
    ])('kid as %s is token_malformed', async (_label, kid) => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      await refuse(tw, await mint(rsa, claims(clock), { kid }), 'token_malformed');
    });

    it.each([
      'rsa-1\r\nX-Injected: yes',
      'rsa-1"',
      '" , error="none',
      '\u0000rsa-1',
      '../../../../etc/passwd',
      "' OR '1'='1",
      'rsa-1\u2028',
      'ключ',
    ])('kid %j is refused and the challenge stays safe', async (kid) => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const token = await mint(rsa, claims(clock), { kid });
      const error = await refuse(tw, token, 'no_matching_key');
      const response = tw.render(error);
      expect(response.headers['www-authenticate']).toMatch(SAFE_HEADER);
      expect(response.headers['www-authenticate']).not.toContain('X-Injected');
      expect(response.body).not.toContain(kid);
    });

    it('a kid longer than 256 characters is token_malformed; 256 is merely unknown', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      await refuse(tw, await mint(rsa, claims(clock), { kid: 'k'.repeat(257) }), 'token_malformed');
      await refuse(tw, await mint(rsa, claims(clock), { kid: 'k'.repeat(256) }), 'no_matching_key');
    });

    it('an unknown kid with local keys is no_matching_key (and the valid signature does not help)', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      await refuse(tw, await mint(rsa, claims(clock), { kid: 'rsa-unknown' }), 'no_matching_key');
      await refuse(tw, await mint(rsa, claims(clock), { kid: '' }), 'no_matching_key');
    });

    it('no kid with two candidate keys is no_matching_key (never guess)', async () => {
      const clock = new Clock();
      const tw = tokenward({ jwks: [rsa.jwk, rsa2.jwk] }, clock);
      const error = await refuse(
        tw,
        await mint(rsa, claims(clock), { kid: undefined }),
        'no_matching_key',
      );
      expect(error.message).toMatch(/several keys/);
      // With the kid, the same key set verifies it.
      await accept(tw, await mint(rsa, claims(clock)));
    });

    it('no kid with one key (or one key of the right type) verifies', async () => {
      const clock = new Clock();
      await accept(tokenward({}, clock), await mint(rsa, claims(clock), { kid: undefined }));
      await accept(
        tokenward({ jwks: [rsa.jwk, es256.jwk, ed.jwk] }, clock),
        await mint(es256, claims(clock), { kid: undefined }),
      );
    });
  });

  describe('unsupported JWS features', () => {
    it('"crit" is token_unsupported', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      for (const header of [
        { crit: ['urn:example:critical'], 'urn:example:critical': 1 },
        { crit: ['exp'], exp: clock.seconds + 60 },
        { crit: [] },
      ]) {
        const token = await signRaw(
          rsa,
          JSON.stringify({ alg: 'RS256', kid: rsa.kid, typ: 'at+jwt', ...header }),
          JSON.stringify(claims(clock)),
        );
        await refuse(tw, token, 'token_unsupported');
      }
    });

    it('"b64": false is token_unsupported (with or without crit)', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      // Produced by jose itself (RFC 7797 unencoded payload).
      const jws = await new FlattenedSign(new TextEncoder().encode('payload'))
        .setProtectedHeader({ alg: 'RS256', kid: rsa.kid, b64: false, crit: ['b64'] })
        .sign(rsa.privateKey);
      const unencoded = `${jws.protected}.${jws.payload}.${jws.signature}`;
      await refuse(tw, unencoded, 'token_unsupported');
      const token = await signRaw(
        rsa,
        JSON.stringify({ alg: 'RS256', kid: rsa.kid, b64: false }),
        JSON.stringify(claims(clock)),
      );
      await refuse(tw, token, 'token_unsupported');
    });

    it('a five-segment (JWE-looking) token is token_unsupported', async () => {
      const tw = tokenward();
      const header = b64url(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', zip: 'DEF' }));
      const token = [header, randomId(256), randomId(12), randomId(300), randomId(16)].join('.');
      await refuse(tw, token, 'token_unsupported');
    });

    it('a three-segment token with a JWE header ("enc") is token_unsupported', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const token = await signRaw(
        rsa,
        JSON.stringify({ alg: 'RS256', kid: rsa.kid, enc: 'A256GCM' }),
        JSON.stringify(claims(clock)),
      );
      await refuse(tw, token, 'token_unsupported');
    });

    it('a nested JWT (payload is a JWT, cty JWT) is token_malformed', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const inner = await mint(rsa, claims(clock));
      const token = await signRaw(
        rsa,
        JSON.stringify({ alg: 'RS256', kid: rsa.kid, cty: 'JWT' }),
        inner,
      );
      await refuse(tw, token, 'token_malformed');
      const quoted = await signRaw(
        rsa,
        JSON.stringify({ alg: 'RS256', kid: rsa.kid }),
        JSON.stringify(inner),
      );
      await refuse(tw, quoted, 'token_malformed');
    });
  });

  describe('compact serialization grammar', () => {
    let valid: string;
    let tw: Tokenward;

    beforeAll(async () => {
      const clock = new Clock();
      tw = tokenward({}, clock);
      valid = await mint(rsa, claims(clock));
      await accept(tw, valid); // the base token is valid: every refusal below is the change's
    });

    it('fewer than three segments is token_malformed', async () => {
      const [h, p, s] = parts(valid);
      await refuse(tw, `${h}.${p}`, 'token_malformed');
      await refuse(tw, `${h}${p}${s}`, 'token_malformed');
      await refuse(tw, `${h}.${p}${s}`, 'token_malformed');
      await refuse(tw, '', 'token_malformed');
      await refuse(tw, '..', 'token_malformed');
    });

    // parse-token.ts treats every token with more than two dots as "encrypted or nested"
    // (token_unsupported); a four-segment token is neither a JWS nor a JWE: it is malformed.
    it('four segments is token_malformed', async () => {
      const [h, p, s] = parts(valid);
      await refuse(tw, `${h}.${p}.${s}.${s}`, 'token_malformed');
    });

    it('four segments is refused with 401 invalid_token in any case', async () => {
      const [h, p, s] = parts(valid);
      await refuse(tw, `${h}.${p}.${s}.${s}`, ['token_malformed', 'token_unsupported']);
      await refuse(tw, `${h}.${p}.${s}.`, ['token_malformed', 'token_unsupported']);
    });

    it('base64 padding is token_malformed', async () => {
      const [h, p, s] = parts(valid);
      await refuse(tw, `${h}.${p}.${s}=`, 'token_malformed');
      await refuse(tw, `${h}.${p}.${s}==`, 'token_malformed');
      await refuse(tw, `${h}=.${p}.${s}`, 'token_malformed');
      await refuse(tw, `${h}.${p}==.${s}`, 'token_malformed');
    });

    it('"+" and "/" (base64, not base64url) are token_malformed', async () => {
      const [h, p, s] = parts(valid);
      await refuse(tw, `${h}.${p}.+${s.slice(1)}`, 'token_malformed');
      await refuse(tw, `${h}.${p}./${s.slice(1)}`, 'token_malformed');
      await refuse(
        tw,
        `${h}.${p.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/'))}+.${s}`,
        'token_malformed',
      );
      await refuse(tw, `${h}.${p}.${s.slice(0, -1)}~`, 'token_malformed');
    });

    it('a segment with spare bits set (non-canonical base64url) is token_malformed', async () => {
      const [h, p, s] = parts(valid);
      // Lenient decoders (Buffer, jose) read the same bytes: the signature would still verify.
      expect(fromB64url(setSpareBits(s))).toEqual(fromB64url(s));
      await refuse(tw, `${h}.${p}.${setSpareBits(s)}`, 'token_malformed');
    });

    it('a non-canonical header or payload segment under a valid signature is token_malformed', async () => {
      const clock = new Clock();
      // Pad the JSON so that the segment length leaves spare bits.
      let headerJson = JSON.stringify({ alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' });
      while (b64url(headerJson).length % 4 === 0) headerJson += ' ';
      let payloadJson = JSON.stringify(claims(clock));
      while (b64url(payloadJson).length % 4 === 0) payloadJson += ' ';
      const h = b64url(headerJson);
      const p = b64url(payloadJson);
      await accept(tw, await signSegments(rsa.privateKey, 'RS256', h, p));
      await refuse(
        tw,
        await signSegments(rsa.privateKey, 'RS256', setSpareBits(h), p),
        'token_malformed',
      );
      await refuse(
        tw,
        await signSegments(rsa.privateKey, 'RS256', h, setSpareBits(p)),
        'token_malformed',
      );
    });

    it('a segment of length 1 (mod 4) is token_malformed', async () => {
      const [h, p, s] = parts(valid);
      const cut = s.length % 4 === 1 ? s : s.slice(0, s.length - (((s.length % 4) + 3) % 4));
      expect(cut.length % 4).toBe(1);
      await refuse(tw, `${h}.${p}.${cut}`, 'token_malformed');
    });

    it('whitespace and non-ASCII characters anywhere are token_malformed', async () => {
      const [h, p, s] = parts(valid);
      for (const token of [
        ` ${valid}`,
        `${valid} `,
        `${valid}\n`,
        `${h}. ${p}.${s}`,
        `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`,
        `${h}.${p}\t.${s}`,
        `${h}.${p}.${s}\r\n`,
        `${h}.${p}.${s.slice(0, 10)}é${s.slice(11)}`,
        `${h}.${p}.${s.slice(0, -1)}\u0000`,
      ]) {
        await refuse(tw, token, 'token_malformed');
      }
    });

    it.each([
      ['an array', '[1,2]'],
      ['a number', '42'],
      ['a string', '"claims"'],
      ['null', 'null'],
      ['true', 'true'],
      ['not JSON', 'iss=x'],
      ['empty', ''],
    ])('a payload that is %s is token_malformed (valid signature)', async (_label, payload) => {
      const token = await signRaw(rsa, JSON.stringify({ alg: 'RS256', kid: rsa.kid }), payload);
      await refuse(tw, token, 'token_malformed');
    });

    it('a header that is not a JSON object is token_malformed', async () => {
      const clock = new Clock();
      for (const header of ['[{"alg":"RS256"}]', '"RS256"', 'null', '{"alg":"RS256"', '']) {
        const token = await signRaw(rsa, header, JSON.stringify(claims(clock)));
        await refuse(tw, token, 'token_malformed');
      }
    });

    it('invalid UTF-8 in the payload or header is token_malformed', async () => {
      const clock = new Clock();
      const json = JSON.stringify(claims(clock, { name: 'X' }));
      const at = json.indexOf('"X"') + 1;
      for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
        const bytes = new Uint8Array([
          ...new TextEncoder().encode(json.slice(0, at)),
          ...bad,
          ...new TextEncoder().encode(json.slice(at + 1)),
        ]);
        await refuse(
          tw,
          await signRaw(rsa, JSON.stringify({ alg: 'RS256', kid: rsa.kid }), bytes),
          'token_malformed',
        );
      }
      const header = new Uint8Array([
        ...new TextEncoder().encode(`{"alg":"RS256","kid":"${rsa.kid}","x":"`),
        0xff,
        ...new TextEncoder().encode('"}'),
      ]);
      const token = await signSegments(rsa.privateKey, 'RS256', b64url(header), b64url(json));
      await refuse(tw, token, 'token_malformed');
    });

    it('"typ" that is not a string is token_malformed', async () => {
      const clock = new Clock();
      await refuse(tw, await mint(rsa, claims(clock), { typ: ['at+jwt'] }), 'token_malformed');
      await refuse(tw, await mint(rsa, claims(clock), { typ: 1 }), 'token_malformed');
    });

    it('a token longer than maxTokenLength is token_too_large', async () => {
      const clock = new Clock();
      const small = tokenward({ maxTokenLength: 1024 }, clock);
      const token = await mint(rsa, claims(clock, { padding: 'x'.repeat(1200) }));
      expect(token.length).toBeGreaterThan(1024);
      await refuse(small, token, 'token_too_large');
      await refuse(tokenward({}, clock), `${'a'.repeat(9000)}.b.c`, 'token_too_large');
    });
  });
});

describe('signatures and keys', () => {
  it('a modified payload or header under the old signature is invalid_signature', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    const [h, , s] = parts(await mint(rsa, claims(clock)));
    const forged = b64url(JSON.stringify(claims(clock, { sub: 'admin', scope: 'admin' })));
    await refuse(tw, `${h}.${forged}.${s}`, 'invalid_signature');
    const [, p2, s2] = parts(await mint(rsa, claims(clock)));
    const otherHeader = b64url(JSON.stringify({ alg: 'RS256', kid: rsa.kid, typ: 'JWT' }));
    await refuse(tw, `${otherHeader}.${p2}.${s2}`, 'invalid_signature');
  });

  it.each([
    ['RS256', () => rsa],
    ['PS256', () => ps],
    ['ES256', () => es256],
    ['ES384', () => es384],
    ['EdDSA', () => ed],
  ])('%s: truncated, extended and bit-flipped signatures are refused', async (_alg, key) => {
    const clock = new Clock();
    const tw = tokenward({ jwks: [key().jwk] }, clock);
    const [h, p, s] = parts(await mint(key(), claims(clock)));
    const sigBytes = fromB64url(s);
    const either: AuthErrorCode[] = ['invalid_signature', 'token_malformed'];
    // bit flips, canonically re-encoded: the signature is well-formed but wrong
    for (const index of [0, Math.floor(sigBytes.length / 2), sigBytes.length - 1]) {
      await refuse(tw, `${h}.${p}.${flipBit(s, index, 3)}`, 'invalid_signature');
    }
    // truncated / extended, canonically re-encoded
    await refuse(tw, `${h}.${p}.${b64url(sigBytes.slice(0, -1))}`, 'invalid_signature');
    await refuse(
      tw,
      `${h}.${p}.${b64url(sigBytes.slice(0, sigBytes.length / 2))}`,
      'invalid_signature',
    );
    await refuse(tw, `${h}.${p}.${b64url(new Uint8Array([...sigBytes, 0]))}`, 'invalid_signature');
    await refuse(
      tw,
      `${h}.${p}.${b64url(new Uint8Array([...sigBytes, ...sigBytes]))}`,
      'invalid_signature',
    );
    // truncated as text (may leave an impossible base64url length)
    await refuse(tw, `${h}.${p}.${s.slice(0, -1)}`, either);
    await refuse(tw, `${h}.${p}.${s.slice(0, -3)}`, either);
    await refuse(tw, `${h}.${p}.${s}AAAA`, either);
    await refuse(tw, `${h}.${p}.A`, either);
    await refuse(tw, `${h}.${p}.AA`, either);
  });

  it('HS256: a bit-flipped signature is invalid_signature', async () => {
    const clock = new Clock();
    const tw = createTokenward({
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: SECRET,
      now: clock.now,
    });
    const key = { alg: 'HS256', kid: 'k', privateKey: await hmacKey(SECRET, 'HS256') };
    const [h, p, s] = parts(await mint(key, claims(clock)));
    await refuse(tw, `${h}.${p}.${flipBit(s, 5)}`, 'invalid_signature');
    await refuse(tw, `${h}.${p}.${b64url(fromB64url(s).slice(0, 16))}`, 'invalid_signature');
  });

  it('an ECDSA signature in DER form (a genuine signature, wrong encoding) is refused', async () => {
    const clock = new Clock();
    const tw = tokenward({ jwks: [es256.jwk] }, clock);
    const [h, p, s] = parts(await mint(es256, claims(clock)));
    const der = derFromRaw(fromB64url(s));
    // Sanity: the DER form really is a valid signature of the same input.
    const publicKey = KeyObject.from(es256.publicKey);
    expect(
      nodeVerify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'der' }, der),
    ).toBe(true);
    const error = await refuse(tw, `${h}.${p}.${b64url(der)}`, [
      'invalid_signature',
      'token_malformed',
    ]);
    expect(error.code).toBe('invalid_signature');
  });

  it('all-zero and wrong-length ECDSA signatures are refused', async () => {
    const clock = new Clock();
    const tw = tokenward({ jwks: [es256.jwk, es384.jwk] }, clock);
    const either: AuthErrorCode[] = ['invalid_signature', 'token_malformed'];
    const [h, p] = parts(await mint(es256, claims(clock)));
    await refuse(tw, `${h}.${p}.${b64url(new Uint8Array(64))}`, either);
    await refuse(tw, `${h}.${p}.${b64url(derFromRaw(new Uint8Array(64)))}`, either);
    await refuse(tw, `${h}.${p}.${b64url(new Uint8Array(63).fill(1))}`, either);
    await refuse(tw, `${h}.${p}.${b64url(new Uint8Array(65).fill(1))}`, either);
    const [h384, p384] = parts(await mint(es384, claims(clock)));
    await refuse(tw, `${h384}.${p384}.${b64url(new Uint8Array(96))}`, either);
    // r = s = n (the P-256 group order): a classic edge case
    const n = Buffer.from(
      'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
      'hex',
    );
    await refuse(tw, `${h}.${p}.${b64url(new Uint8Array([...n, ...n]))}`, either);
  });

  it("a real key that is not the issuer's is invalid_signature", async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    await refuse(
      tw,
      await mint({ ...attackerRsa, kid: rsa.kid }, claims(clock)),
      'invalid_signature',
    );
    await refuse(
      tw,
      await mint({ ...attackerRsa, kid: undefined as unknown as string }, claims(clock)),
      'invalid_signature',
    );
    await refuse(tw, await mint(rsa2, claims(clock), { kid: rsa.kid }), 'invalid_signature');
  });

  it('a 1024-bit RSA key in the jwks is refused at creation', async () => {
    const clock = new Clock();
    const weak = await weakRsaKey(1024, 'weak-1');
    expect(() => tokenward({ jwks: [weak.jwk] }, clock)).toThrow(ConfigurationError);
    expect(() => tokenward({ jwks: [weak.jwk] }, clock)).toThrow(/2048 bits/);
  });

  it('unusable keys in a configured jwks are configuration errors', () => {
    const base = { issuer: ISSUER, audience: AUDIENCE };
    const { kid: _kid, ...publicRsa } = rsa.jwk;
    expect(() => createTokenward({ ...base, jwks: [] })).toThrow(ConfigurationError);
    expect(() => createTokenward({ ...base, jwks: [{ kty: 'oct', k: b64url(SECRET) }] })).toThrow(
      ConfigurationError,
    );
    expect(() => createTokenward({ ...base, jwks: [{ ...publicRsa, d: 'AQAB' }] })).toThrow(
      ConfigurationError,
    );
    expect(() => createTokenward({ ...base, jwks: [{ ...publicRsa, use: 'enc' }] })).toThrow(
      ConfigurationError,
    );
    expect(() => createTokenward({ ...base, jwks: [{ ...publicRsa, alg: 'RSA-OAEP' }] })).toThrow(
      ConfigurationError,
    );
    expect(() => createTokenward({ ...base, jwks: [rsa.jwk], secret: SECRET })).toThrow(
      ConfigurationError,
    );
  });
});

describe('claims', () => {
  describe('iss (checked before any key is fetched)', () => {
    let remoteFetch: ReturnType<typeof countingFetch>;
    let remote: Tokenward;
    const clock = new Clock();

    beforeAll(() => {
      remoteFetch = countingFetch();
      remote = createTokenward({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUri: server.url('/iss-test-jwks'),
        fetch: remoteFetch,
        now: clock.now,
      });
    });

    it.each([
      ['missing', undefined, 'missing_claim'],
      ['a number', 42, 'invalid_claim'],
      ['null', null, 'invalid_claim'],
      ['an object', { iss: ISSUER }, 'invalid_claim'],
      ['an array', [ISSUER], 'invalid_claim'],
      ['with a trailing slash', `${ISSUER}/`, 'unknown_issuer'],
      ['in another case', ISSUER.toUpperCase(), 'unknown_issuer'],
      ['with another host case', 'https://Issuer.example', 'unknown_issuer'],
      ['with another scheme', 'http://issuer.example', 'unknown_issuer'],
      ['with a homoglyph', 'https://іssuer.example', 'unknown_issuer'],
      ['with whitespace', ` ${ISSUER}`, 'unknown_issuer'],
      ['as a prefix', `${ISSUER}.evil.example`, 'unknown_issuer'],
      ['with a path', `${ISSUER}/tenant`, 'unknown_issuer'],
      ['empty', '', 'unknown_issuer'],
    ] as const)('iss %s is refused and nothing is fetched', async (_label, iss, code) => {
      const token = await mint(rsa, claims(clock, { iss }));
      await refuse(remote, token, code);
      expect(remoteFetch.calls).toEqual([]);
      expect(server.count('/iss-test-jwks')).toBe(0);
    });

    it('an iss only on the prototype (__proto__ member) is missing_claim', async () => {
      const json = JSON.stringify(claims(clock, { iss: undefined })).replace(
        /^\{/,
        `{"__proto__":{"iss":${JSON.stringify(ISSUER)}},`,
      );
      await refuse(remote, await mint(rsa, json), 'missing_claim');
      expect(remoteFetch.calls).toEqual([]);
    });

    it('control: the exact issuer fetches the configured keys once and verifies', async () => {
      await accept(remote, await mint(rsa, claims(clock)));
      expect(remoteFetch.calls).toEqual([server.url('/iss-test-jwks')]);
      expect(server.count('/iss-test-jwks')).toBe(1);
    });
  });

  describe('aud', () => {
    const clock = new Clock();
    let tw: Tokenward;
    beforeAll(() => {
      tw = tokenward({}, clock);
    });

    it('missing aud is missing_claim', async () => {
      await refuse(tw, await mint(rsa, claims(clock, { aud: undefined })), 'missing_claim');
    });

    it.each([
      'https://api.other.example',
      `${AUDIENCE}/`,
      AUDIENCE.toUpperCase(),
      'http://api.reports.example',
      `${AUDIENCE}.evil.example`,
      AUDIENCE.slice(0, -1),
      ` ${AUDIENCE}`,
      `${AUDIENCE}#`,
      '',
      'urn:logto:organization:42',
    ])('aud %j is audience_mismatch', async (aud) => {
      await refuse(tw, await mint(rsa, claims(clock, { aud })), 'audience_mismatch');
      await refuse(
        tw,
        await mint(rsa, claims(clock, { aud: [aud, 'https://x.example'] })),
        'audience_mismatch',
      );
    });

    it('an empty aud array is audience_mismatch', async () => {
      await refuse(tw, await mint(rsa, claims(clock, { aud: [] })), 'audience_mismatch');
    });

    it.each([
      ['a number', 42],
      ['null', null],
      ['an object', { aud: AUDIENCE }],
      ['true', true],
      ['an array of numbers', [42]],
      ['an array with ours and a number', [AUDIENCE, 42]],
      ['a nested array', [[AUDIENCE]]],
    ])('aud as %s is refused', async (_label, aud) => {
      await refuse(tw, await mint(rsa, claims(clock, { aud })), [
        'invalid_claim',
        'audience_mismatch',
      ]);
    });

    it('an aud array containing ours verifies, and the context lists every audience', async () => {
      const aud = ['https://api.other.example', AUDIENCE];
      const auth = await accept(tw, await mint(rsa, claims(clock, { aud })));
      expect(auth.audiences).toEqual(aud);
    });

    it('any of several configured audiences is accepted', async () => {
      const multi = tokenward({ audience: [AUDIENCE, 'https://api.second.example'] }, clock);
      await accept(multi, await mint(rsa, claims(clock, { aud: 'https://api.second.example' })));
      await refuse(
        multi,
        await mint(rsa, claims(clock, { aud: 'https://api.third.example' })),
        'audience_mismatch',
      );
    });
  });

  describe('exp, nbf, iat', () => {
    it('missing exp is missing_claim', async () => {
      const clock = new Clock();
      await refuse(
        tokenward({}, clock),
        await mint(rsa, claims(clock, { exp: undefined })),
        'missing_claim',
      );
    });

    it.each([
      ['a string', JSON.stringify(String(new Clock().seconds + 600))],
      ['null', 'null'],
      ['1e400 (Infinity after parse)', '1e400'],
      ['-1e400', '-1e400'],
      ['an array', '[1]'],
      ['an object', '{}'],
      ['true', 'true'],
    ])('exp as %s is invalid_claim', async (_label, raw) => {
      const clock = new Clock();
      // Hand-crafted JSON, signed byte for byte.
      const json = JSON.stringify(claims(clock, { exp: undefined })).replace(
        /\}$/,
        `,"exp":${raw}}`,
      );
      await refuse(tokenward({}, clock), await mint(rsa, json), 'invalid_claim');
    });

    it('nbf and iat of the wrong type are invalid_claim', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      for (const name of ['nbf', 'iat']) {
        for (const raw of ['"1"', 'null', '1e400', '[]']) {
          const json = JSON.stringify(claims(clock, { [name]: undefined })).replace(
            /\}$/,
            `,"${name}":${raw}}`,
          );
          await refuse(tw, await mint(rsa, json), 'invalid_claim');
        }
      }
    });

    it('exp boundaries with the default 5 s tolerance', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const now = clock.seconds;
      await refuse(
        tw,
        await mint(rsa, claims(clock, { exp: now - 5, iat: now - 60 })),
        'token_expired',
      );
      await refuse(
        tw,
        await mint(rsa, claims(clock, { exp: now - 3600, iat: now - 7200 })),
        'token_expired',
      );
      await accept(tw, await mint(rsa, claims(clock, { exp: now - 4, iat: now - 60 })));
      await accept(tw, await mint(rsa, claims(clock, { exp: now, iat: now - 60 })));
    });

    it('exp is compared with the controllable clock (ms → s)', async () => {
      const clock = new Clock();
      const tw = tokenward({ clockTolerance: 0 }, clock);
      const token = await mint(rsa, claims(clock, { exp: clock.seconds + 10 }));
      await accept(tw, token);
      clock.advance(9_999);
      await accept(tw, token);
      clock.advance(1);
      await refuse(tw, token, 'token_expired');
    });

    it('custom clockTolerance', async () => {
      const clock = new Clock();
      const now = clock.seconds;
      const zero = tokenward({ clockTolerance: 0 }, clock);
      await refuse(
        zero,
        await mint(rsa, claims(clock, { exp: now, iat: now - 60 })),
        'token_expired',
      );
      await accept(zero, await mint(rsa, claims(clock, { exp: now + 1, iat: now - 60 })));
      await refuse(zero, await mint(rsa, claims(clock, { nbf: now + 1 })), 'token_not_yet_valid');
      const minute = tokenward({ clockTolerance: 60 }, clock);
      await accept(minute, await mint(rsa, claims(clock, { exp: now - 59, iat: now - 120 })));
      await refuse(
        minute,
        await mint(rsa, claims(clock, { exp: now - 60, iat: now - 120 })),
        'token_expired',
      );
      await accept(minute, await mint(rsa, claims(clock, { nbf: now + 60 })));
      await refuse(
        minute,
        await mint(rsa, claims(clock, { nbf: now + 61 })),
        'token_not_yet_valid',
      );
      expect(() => tokenward({ clockTolerance: 301 }, clock)).toThrow(ConfigurationError);
      expect(() => tokenward({ clockTolerance: -1 }, clock)).toThrow(ConfigurationError);
    });

    it('nbf in the future beyond the tolerance is token_not_yet_valid', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const now = clock.seconds;
      await refuse(tw, await mint(rsa, claims(clock, { nbf: now + 6 })), 'token_not_yet_valid');
      await refuse(tw, await mint(rsa, claims(clock, { nbf: now + 3600 })), 'token_not_yet_valid');
      await accept(tw, await mint(rsa, claims(clock, { nbf: now + 5 })));
      await accept(tw, await mint(rsa, claims(clock, { nbf: now - 100 })));
    });

    it('iat in the future beyond the tolerance is token_issued_in_future', async () => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      const now = clock.seconds;
      await refuse(tw, await mint(rsa, claims(clock, { iat: now + 6 })), 'token_issued_in_future');
      await refuse(
        tw,
        await mint(rsa, claims(clock, { iat: now + 86_400 })),
        'token_issued_in_future',
      );
      await accept(tw, await mint(rsa, claims(clock, { iat: now + 5 })));
    });

    it('maxTokenAge: token_too_old past the age (with tolerance), and iat is required', async () => {
      const clock = new Clock();
      const tw = tokenward({ maxTokenAge: 60 }, clock);
      const now = clock.seconds;
      await accept(tw, await mint(rsa, claims(clock, { iat: now - 65 })));
      await refuse(tw, await mint(rsa, claims(clock, { iat: now - 66 })), 'token_too_old');
      await refuse(tw, await mint(rsa, claims(clock, { iat: now - 86_400 })), 'token_too_old');
      await refuse(tw, await mint(rsa, claims(clock, { iat: undefined })), 'missing_claim');
      expect(() => tokenward({ maxTokenAge: 0 }, clock)).toThrow(ConfigurationError);
    });

    it('maxTokenLifetime: lifetime_too_long (exp − iat, or exp − now without iat)', async () => {
      const clock = new Clock();
      const tw = tokenward({ maxTokenLifetime: 3600 }, clock);
      const now = clock.seconds;
      await accept(tw, await mint(rsa, claims(clock, { iat: now, exp: now + 3600 })));
      await refuse(
        tw,
        await mint(rsa, claims(clock, { iat: now, exp: now + 3601 })),
        'lifetime_too_long',
      );
      await refuse(
        tw,
        await mint(rsa, claims(clock, { iat: now - 100, exp: now + 3501 })),
        'lifetime_too_long',
      );
      await accept(tw, await mint(rsa, claims(clock, { iat: undefined, exp: now + 3600 })));
      await refuse(
        tw,
        await mint(rsa, claims(clock, { iat: undefined, exp: now + 3601 })),
        'lifetime_too_long',
      );
      // absurd but finite expiry
      await refuse(tw, await mint(rsa, claims(clock, { exp: 1e308 })), 'lifetime_too_long');
    });
  });

  it.each(['sub', 'client_id', 'jti', 'azp'])(
    '%s that is not a string is invalid_claim',
    async (name) => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      for (const value of [42, null, { id: 'x' }, ['user-1'], true]) {
        await refuse(tw, await mint(rsa, claims(clock, { [name]: value })), 'invalid_claim');
      }
    },
  );

  it('__proto__ and constructor members do not pollute and appear only as own claims', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    const json = JSON.stringify(claims(clock, { scope: 'read:report' })).replace(
      /^\{/,
      '{"__proto__":{"polluted":"yes","scope":"admin","isAdmin":true},' +
        '"constructor":{"prototype":{"polluted":"yes"}},',
    );
    const auth = await accept(tw, await mint(rsa, json));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(auth.claims)).toBe(Object.prototype);
    expect(Object.hasOwn(auth.claims, '__proto__')).toBe(true);
    expect(Object.hasOwn(auth.claims, 'constructor')).toBe(true);
    expect((auth.claims as Record<string, unknown>).polluted).toBeUndefined();
    expect((auth.claims as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(auth.scopes).toEqual(['read:report']);
  });

  it('claims inherited through a __proto__ member never count (aud, exp)', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    for (const name of ['aud', 'exp']) {
      const own = claims(clock, { [name]: undefined });
      const inherited = { [name]: claims(clock)[name] };
      const json = JSON.stringify(own).replace(/^\{/, `{"__proto__":${JSON.stringify(inherited)},`);
      await refuse(tw, await mint(rsa, json), 'missing_claim');
    }
  });
});

describe('typ policy', () => {
  it.each([
    'at+jwt',
    'AT+JWT',
    'application/at+jwt',
    'Application/AT+JWT',
    'JWT',
    'jwt',
    'application/jwt',
    undefined,
  ])('typ %j is accepted by default', async (typ) => {
    const clock = new Clock();
    await accept(tokenward({}, clock), await mint(rsa, claims(clock), { typ }));
  });

  it.each([
    'dpop+jwt',
    'id+jwt',
    'logout+jwt',
    'secevent+jwt',
    'JOSE',
    'JOSE+JSON',
    '',
    'at+jwt ',
    'at-jwt',
    'jwt+at',
  ])('typ %j is invalid_token_type', async (typ) => {
    const clock = new Clock();
    await refuse(
      tokenward({}, clock),
      await mint(rsa, claims(clock), { typ }),
      'invalid_token_type',
    );
  });

  it.each([
    ['nonce', { nonce: 'n-0S6_WzA2Mj' }],
    ['at_hash', { at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' }],
    ['c_hash', { c_hash: 'LDktKdoQak3Pk0cnXxCltA' }],
  ])(
    'an ID-token-shaped token (typ JWT or none, with %s) is invalid_token_type',
    async (_label, extra) => {
      const clock = new Clock();
      const tw = tokenward({}, clock);
      await refuse(tw, await mint(rsa, claims(clock, extra), { typ: 'JWT' }), 'invalid_token_type');
      await refuse(
        tw,
        await mint(rsa, claims(clock, extra), { typ: undefined }),
        'invalid_token_type',
      );
      // An explicit access token may carry auth_time and friends (RFC 9068 §2.2.1).
      await accept(tw, await mint(rsa, claims(clock, extra), { typ: 'at+jwt' }));
    },
  );

  it('auth_time alone does not make an ID token: access tokens may carry it (RFC 9068 §2.2.1)', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    for (const typ of ['JWT', undefined, 'at+jwt']) {
      await accept(tw, await mint(rsa, claims(clock, { auth_time: clock.seconds - 60 }), { typ }));
    }
  });

  describe("tokenType: 'rfc9068'", () => {
    it('requires typ at+jwt', async () => {
      const clock = new Clock();
      const tw = tokenward({ tokenType: 'rfc9068' }, clock);
      await accept(tw, await mint(rsa, claims(clock), { typ: 'at+jwt' }));
      await accept(tw, await mint(rsa, claims(clock), { typ: 'application/at+jwt' }));
      for (const typ of ['JWT', undefined, 'dpop+jwt']) {
        await refuse(tw, await mint(rsa, claims(clock), { typ }), 'invalid_token_type');
      }
    });

    it.each(['sub', 'client_id', 'iat', 'jti'])('requires %s', async (name) => {
      const clock = new Clock();
      const tw = tokenward({ tokenType: 'rfc9068' }, clock);
      await refuse(tw, await mint(rsa, claims(clock, { [name]: undefined })), 'missing_claim');
      // the default policy does not require it
      await accept(tokenward({}, clock), await mint(rsa, claims(clock, { [name]: undefined })));
    });

    it('an unknown tokenType is a configuration error', () => {
      expect(() => tokenward({ tokenType: 'strict' as 'rfc9068' })).toThrow(ConfigurationError);
    });
  });
});

describe('requiredClaims, validate, isRevoked', () => {
  it('requiredClaims: a missing claim is missing_claim; present (any value) passes', async () => {
    const clock = new Clock();
    const tw = tokenward({ requiredClaims: ['tenant', 'sid'] }, clock);
    await refuse(tw, await mint(rsa, claims(clock, { tenant: 't' })), 'missing_claim');
    await accept(tw, await mint(rsa, claims(clock, { tenant: 't', sid: null })));
  });

  it.each([
    ['returns false', () => false],
    ['resolves false', async () => false],
    [
      'throws',
      () => {
        throw new Error('nope');
      },
    ],
    ['rejects', async () => Promise.reject(new Error('nope'))],
  ])('validate that %s is token_rejected', async (_label, validate) => {
    const clock = new Clock();
    const tw = tokenward({ validate: validate as TokenwardOptions['validate'] }, clock);
    await refuse(tw, await mint(rsa, claims(clock)), 'token_rejected');
  });

  it('validate returning true/undefined (sync or async) accepts, and sees claims, header and issuer', async () => {
    const clock = new Clock();
    const seen: unknown[] = [];
    for (const result of [true, undefined]) {
      for (const async of [false, true]) {
        const tw = tokenward(
          {
            validate: (c, context) => {
              seen.push([c.sub, context.header.kid, context.issuer]);
              return async ? Promise.resolve(result) : result;
            },
          },
          clock,
        );
        await tw.verify(await mint(rsa, claims(clock)));
      }
    }
    expect(seen).toEqual(Array(4).fill(['user-1', rsa.kid, ISSUER]));
  });

  it('isRevoked true is token_revoked; false passes; throwing is token_rejected', async () => {
    const clock = new Clock();
    const token = await mint(rsa, claims(clock));
    await refuse(tokenward({ isRevoked: () => true }, clock), token, 'token_revoked');
    await refuse(tokenward({ isRevoked: async () => true }, clock), token, 'token_revoked');
    await accept(tokenward({ isRevoked: async () => false }, clock), token);
    await refuse(
      tokenward(
        {
          isRevoked: () => {
            throw new Error('db down');
          },
        },
        clock,
      ),
      token,
      'token_rejected',
    );
  });

  it('isRevoked receives the AuthContext and is not called when the signature or claims fail', async () => {
    const clock = new Clock();
    const calls: AuthContext[] = [];
    let validateCalls = 0;
    const tw = tokenward(
      {
        isRevoked: (auth) => {
          calls.push(auth);
          return false;
        },
        validate: (c) => {
          validateCalls++;
          return c.sub !== 'blocked';
        },
      },
      clock,
    );
    const [h, , s] = parts(await mint(rsa, claims(clock)));
    const failing: [string, AuthErrorCode][] = [
      [`${h}.${b64url(JSON.stringify(claims(clock, { sub: 'x' })))}.${s}`, 'invalid_signature'],
      [await mint(attackerRsa, claims(clock), { kid: rsa.kid }), 'invalid_signature'],
      [await mint(rsa, claims(clock, { exp: clock.seconds - 60 })), 'token_expired'],
      [await mint(rsa, claims(clock, { aud: 'https://other.example' })), 'audience_mismatch'],
      [await mint(rsa, claims(clock, { iss: 'https://other.example' })), 'unknown_issuer'],
      [await mint(rsa, claims(clock), { typ: 'dpop+jwt' }), 'invalid_token_type'],
      [await mint(rsa, claims(clock), { kid: 'nope' }), 'no_matching_key'],
      ['a.b.c', 'token_malformed'],
    ];
    for (const [token, code] of failing) await refuse(tw, token, code);
    expect(calls).toEqual([]);
    expect(validateCalls).toBe(0);
    // validate refusing: isRevoked not called either
    await refuse(tw, await mint(rsa, claims(clock, { sub: 'blocked' })), 'token_rejected');
    expect(validateCalls).toBe(2);
    expect(calls).toEqual([]);
    const auth = await tw.verify(await mint(rsa, claims(clock)));
    expect(calls).toEqual([auth]);
  });
});

describe('AuthContext', () => {
  it('is built from the claims and frozen', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    const payload = claims(clock, { roles: ['admin', 'viewer'] });
    const token = await mint(rsa, payload);
    const auth = await accept(tw, token);
    expect(auth).toEqual({
      subject: 'user-1',
      clientId: 'client-1',
      issuer: ISSUER,
      audiences: [AUDIENCE],
      scopes: ['read:report'],
      roles: ['admin', 'viewer'],
      organizationId: undefined,
      organizationToken: false,
      isMachine: false,
      expiresAt: clock.seconds + 600,
      tokenId: 'token-1',
      claims: payload,
      header: { alg: 'RS256', kid: rsa.kid, typ: 'at+jwt' },
    });
    for (const value of [auth, auth.claims, auth.header, auth.audiences, auth.scopes, auth.roles]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => {
      (auth.claims as Record<string, unknown>).sub = 'admin';
    }).toThrow(TypeError);
    expect(() => {
      (auth.scopes as string[]).push('admin');
    }).toThrow(TypeError);
    expect(() => {
      (auth as { subject: string }).subject = 'admin';
    }).toThrow(TypeError);
    expect(JSON.stringify(auth)).not.toContain(token);
  });

  it('clientId: client_id first, then azp', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    expect(
      (await tw.verify(await mint(rsa, claims(clock, { client_id: 'c1', azp: 'a1' })))).clientId,
    ).toBe('c1');
    expect(
      (await tw.verify(await mint(rsa, claims(clock, { client_id: undefined, azp: 'a1' }))))
        .clientId,
    ).toBe('a1');
    expect(
      (await tw.verify(await mint(rsa, claims(clock, { client_id: undefined })))).clientId,
    ).toBeUndefined();
  });

  it('scopes are normalized from scope, scp and permissions and de-duplicated in token order', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    const auth = await tw.verify(
      await mint(
        rsa,
        claims(clock, {
          scope: 'read:report  write:report read:report',
          scp: ['write:report', 'delete:report', 42, ''],
          permissions: ['admin', 'read:report'],
        }),
      ),
    );
    expect(auth.scopes).toEqual(['read:report', 'write:report', 'delete:report', 'admin']);
    const scpString = await tw.verify(
      await mint(rsa, claims(clock, { scope: undefined, scp: 'a b' })),
    );
    expect(scpString.scopes).toEqual(['a', 'b']);
    const none = await tw.verify(await mint(rsa, claims(clock, { scope: undefined })));
    expect(none.scopes).toEqual([]);
    const wrongShape = await tw.verify(await mint(rsa, claims(clock, { scope: { read: true } })));
    expect(wrongShape.scopes).toEqual([]);
  });

  it('roles from an array or a space-delimited string; other shapes give none', async () => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    expect((await tw.verify(await mint(rsa, claims(clock, { roles: 'a b' })))).roles).toEqual([
      'a',
      'b',
    ]);
    expect(
      (await tw.verify(await mint(rsa, claims(clock, { roles: ['a', 1, 'b'] })))).roles,
    ).toEqual(['a', 'b']);
    expect((await tw.verify(await mint(rsa, claims(clock, { roles: { a: 1 } })))).roles).toEqual(
      [],
    );
  });

  it('rbac resolves global roles for unbound tokens and organization roles for bound ones', async () => {
    const clock = new Clock();
    const tw = tokenward(
      {
        rbac: {
          roles: { editor: ['write:report'] },
          organizationRoles: { editor: ['write:org-report'] },
        },
      },
      clock,
    );
    const global = await tw.verify(await mint(rsa, claims(clock, { roles: ['editor'] })));
    expect(global.scopes).toEqual(['read:report', 'write:report']);
    const bound = await tw.verify(
      await mint(rsa, claims(clock, { roles: ['editor'], organization_id: 'org-1' })),
    );
    expect(bound.scopes).toEqual(['read:report', 'write:org-report']);
  });

  describe('organization', () => {
    it('from the organization_id claim', async () => {
      const clock = new Clock();
      const auth = await accept(
        tokenward({}, clock),
        await mint(rsa, claims(clock, { organization_id: 'org-1' })),
      );
      expect(auth.organizationId).toBe('org-1');
      expect(auth.organizationToken).toBe(false);
    });

    it.each([
      ['', ''],
      ['a number', 42],
      ['an array', ['org-1']],
      ['null', null],
    ])('organization_id as %s is invalid_claim', async (_label, organization_id) => {
      const clock = new Clock();
      await refuse(
        tokenward({}, clock),
        await mint(rsa, claims(clock, { organization_id })),
        'invalid_claim',
      );
    });

    it('from an organization-token aud, only with organizationTokens: true', async () => {
      const clock = new Clock();
      const aud = 'urn:logto:organization:org-42';
      const token = await mint(rsa, claims(clock, { aud }));
      await refuse(tokenward({}, clock), token, 'audience_mismatch');
      const tw = tokenward({ organizationTokens: true }, clock);
      const auth = await accept(tw, token);
      expect(auth.organizationId).toBe('org-42');
      expect(auth.organizationToken).toBe(true);
      expect(auth.audiences).toEqual([aud]);
      // a matching organization_id is fine
      await accept(tw, await mint(rsa, claims(clock, { aud, organization_id: 'org-42' })));
    });

    it('conflicting organization ids are invalid_claim', async () => {
      const clock = new Clock();
      const tw = tokenward({ organizationTokens: true }, clock);
      await refuse(
        tw,
        await mint(
          rsa,
          claims(clock, { aud: 'urn:logto:organization:org-42', organization_id: 'org-43' }),
        ),
        'invalid_claim',
      );
    });

    it('organization-token audiences that do not check out are audience_mismatch', async () => {
      const clock = new Clock();
      const tw = tokenward({ organizationTokens: true }, clock);
      for (const aud of [
        'urn:logto:organization:',
        ['urn:logto:organization:a', 'urn:logto:organization:b'],
        ['urn:logto:organization:a', 'https://other.example'],
        'URN:LOGTO:ORGANIZATION:a',
        'urn:logto:organizations:a',
      ]) {
        await refuse(tw, await mint(rsa, claims(clock, { aud })), 'audience_mismatch');
      }
    });

    it('with our audience in the array, the org urn is just another audience', async () => {
      const clock = new Clock();
      const tw = tokenward({ organizationTokens: true }, clock);
      const auth = await accept(
        tw,
        await mint(rsa, claims(clock, { aud: [AUDIENCE, 'urn:logto:organization:a'] })),
      );
      expect(auth.organizationToken).toBe(false);
      expect(auth.organizationId).toBeUndefined();
    });
  });

  it.each([
    ['gty client-credentials', { gty: 'client-credentials' }, true],
    ['sub equal to client_id', { sub: 'client-1' }, true],
    ['no sub, a client_id', { sub: undefined }, true],
    ['no sub, an azp', { sub: undefined, client_id: undefined, azp: 'client-9' }, true],
    ['a user sub', {}, false],
    ['no sub and no client', { sub: undefined, client_id: undefined }, false],
    ['gty password', { gty: 'password' }, false],
  ])('isMachine with %s is %s', async (_label, extra, expected) => {
    const clock = new Clock();
    const auth = await tokenward({}, clock).verify(await mint(rsa, claims(clock, extra)));
    expect(auth.isMachine).toBe(expected);
  });

  it('custom claim names via the claims option', async () => {
    const clock = new Clock();
    const tw = tokenward(
      { claims: { scopes: ['perms'], roles: 'groups', organization: 'tenant', clientId: ['cid'] } },
      clock,
    );
    const auth = await tw.verify(
      await mint(
        rsa,
        claims(clock, {
          scope: 'ignored:scope',
          perms: ['read:report', 'write:report'],
          roles: ['ignored'],
          groups: 'admin',
          organization_id: 'ignored-org',
          tenant: 't-1',
          client_id: 'ignored-client',
          cid: 'c-9',
        }),
      ),
    );
    expect(auth.scopes).toEqual(['read:report', 'write:report']);
    expect(auth.roles).toEqual(['admin']);
    expect(auth.organizationId).toBe('t-1');
    expect(auth.clientId).toBe('c-9');
    // the string-typed standard claims are still checked
    await refuse(tw, await mint(rsa, claims(clock, { client_id: 5 })), 'invalid_claim');
  });
});

describe('multiple issuers', () => {
  const ISSUER_A = 'https://a.issuer.example';
  const ISSUER_B = 'https://b.issuer.example';
  const AUD_A = 'https://api-a.example';
  const AUD_B = 'https://api-b.example';
  let keyA: TestKey;
  let keyB: TestKey;
  let fetch: ReturnType<typeof countingFetch>;
  let tw: Tokenward;
  const clock = new Clock();

  beforeAll(async () => {
    [keyA, keyB] = await Promise.all([
      createKey('ES256', { kid: 'key-a' }),
      createKey('RS256', { kid: 'key-b' }),
    ]);
    fetch = countingFetch();
    tw = createTokenward({
      issuers: [
        { issuer: ISSUER_A, audience: AUD_A, jwks: [keyA.jwk] },
        { issuer: ISSUER_B, audience: AUD_B, jwks: [keyB.jwk] },
        // a remote issuer, discovered from its URL: must never be contacted in these tests
        { issuer: server.url('/tenant-c'), audience: AUD_A },
        { issuer: 'https://d.issuer.example', audience: AUD_A, jwksUri: server.url('/d-jwks') },
      ],
      fetch,
      now: clock.now,
    });
  });

  it("each issuer's tokens verify with its own keys and audience", async () => {
    const a = await accept(tw, await mint(keyA, claims(clock, { iss: ISSUER_A, aud: AUD_A })));
    expect(a.issuer).toBe(ISSUER_A);
    const b = await accept(tw, await mint(keyB, claims(clock, { iss: ISSUER_B, aud: AUD_B })));
    expect(b.issuer).toBe(ISSUER_B);
  });

  it("A's token with B's audience is audience_mismatch", async () => {
    await refuse(
      tw,
      await mint(keyA, claims(clock, { iss: ISSUER_A, aud: AUD_B })),
      'audience_mismatch',
    );
    await refuse(
      tw,
      await mint(keyB, claims(clock, { iss: ISSUER_B, aud: AUD_A })),
      'audience_mismatch',
    );
  });

  it("B's key signing a token that claims A's iss is refused", async () => {
    const codes: AuthErrorCode[] = [
      'invalid_signature',
      'no_matching_key',
      'algorithm_not_allowed',
    ];
    await refuse(tw, await mint(keyB, claims(clock, { iss: ISSUER_A, aud: AUD_A })), codes);
    await refuse(
      tw,
      await mint({ ...keyB, kid: keyA.kid }, claims(clock, { iss: ISSUER_A, aud: AUD_A })),
      codes,
    );
    await refuse(
      tw,
      await mint(keyB, claims(clock, { iss: ISSUER_A, aud: AUD_A }), { kid: undefined }),
      codes,
    );
    // same key type as A's key, and A's kid: the signature is what fails
    const otherEc = await createKey('ES256', { kid: keyA.kid });
    await refuse(
      tw,
      await mint(otherEc, claims(clock, { iss: ISSUER_A, aud: AUD_A })),
      'invalid_signature',
    );
  });

  it('an unknown issuer is unknown_issuer and nothing is fetched', async () => {
    for (const iss of [
      'https://c.issuer.example',
      `${server.url('/tenant-c')}/`,
      server.url('/tenant-C'),
      server.url('/tenant-c/.well-known/openid-configuration'),
      `${ISSUER_A}/`,
    ]) {
      await refuse(tw, await mint(keyA, claims(clock, { iss, aud: AUD_A })), 'unknown_issuer');
    }
    expect(fetch.calls).toEqual([]);
    expect(server.count('/d-jwks')).toBe(0);
    expect(
      server.requests.filter((r) => r.includes('tenant-c') || r.includes('well-known')),
    ).toEqual([]);
  });

  it('status() reports every issuer', () => {
    const status = tw.status();
    expect(Object.keys(status).sort()).toEqual(
      [ISSUER_A, ISSUER_B, server.url('/tenant-c'), 'https://d.issuer.example'].sort(),
    );
    expect(status[ISSUER_A]?.state).toBe('static');
    expect(status[server.url('/tenant-c')]?.state).toBe('empty');
  });

  it('issuers cannot be mixed with inline issuer options, nor listed twice', () => {
    expect(() =>
      createTokenward({
        issuers: [{ issuer: ISSUER_A, audience: AUD_A, jwks: [keyA.jwk] }],
        audience: AUD_A,
      }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createTokenward({
        issuers: [
          { issuer: ISSUER_A, audience: AUD_A, jwks: [keyA.jwk] },
          { issuer: ISSUER_A, audience: AUD_B, jwks: [keyB.jwk] },
        ],
      }),
    ).toThrow(ConfigurationError);
  });
});

describe('no token in errors, responses or decision events', () => {
  it('onDecision events never carry the token', async () => {
    const clock = new Clock();
    const events: DecisionEvent[] = [];
    const tw = tokenward({ onDecision: (event) => events.push(event) }, clock);
    const tokens = [
      await mint(rsa, claims(clock)),
      await mint(rsa, claims(clock, { exp: clock.seconds - 100 })),
      await mint(attackerRsa, claims(clock), { kid: rsa.kid }),
      await mint(rsa, claims(clock, { aud: 'https://x.example' })),
    ];
    for (const token of tokens) await tw.authenticate({ authorization: `Bearer ${token}` });
    expect(events.map((e) => e.outcome)).toEqual(['allowed', 'denied', 'denied', 'denied']);
    expect(events.map((e) => e.code)).toEqual([
      undefined,
      'token_expired',
      'invalid_signature',
      'audience_mismatch',
    ]);
    for (const event of events) {
      const { error, ...rest } = event;
      const text = JSON.stringify({
        ...rest,
        message: error?.message,
        cause: String(error?.cause),
      });
      for (const token of tokens) expect(leaksToken(text, token)).toBe(false);
    }
  });

  it('a throwing onDecision observer does not change the decision', async () => {
    const clock = new Clock();
    const tw = tokenward(
      {
        onDecision: () => {
          throw new Error('observer');
        },
      },
      clock,
    );
    const ok = await tw.authenticate({ authorization: `Bearer ${await mint(rsa, claims(clock))}` });
    expect(ok.ok).toBe(true);
  });
});

describe('sender-constrained tokens presented as bearer tokens', () => {
  it.each([
    ['DPoP (cnf.jkt)', { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' }],
    ['mTLS (cnf.x5t#S256)', { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' }],
    ['an empty cnf', {}],
  ])('refuses %s with 401 token_unsupported', async (_label, cnf) => {
    const clock = new Clock();
    const tw = tokenward({}, clock);
    await refuse(tw, await mint(rsa, claims(clock, { cnf })), 'token_unsupported');
  });
});
