import {
  base64url,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  type JWTVerifyOptions,
  jwtVerify,
  UnsecuredJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestAlgorithm, type TestIssuer } from '../src/index.js';
import { errorCode, FIXED_NOW, strictOptions } from './verify-options.js';

const HOUR_MS = 3_600_000;

/** The jose error a token fails strict verification with: code, and claim when it has one. */
async function failure(
  issuer: TestIssuer,
  token: string,
  options: JWTVerifyOptions = strictOptions(issuer),
) {
  try {
    await jwtVerify(token, createLocalJWKSet(issuer.jwks()), options);
    return { code: 'resolved' };
  } catch (error) {
    const { code, claim } = error as { code?: string; claim?: string };
    return claim === undefined ? { code } : { code, claim };
  }
}

describe.each<TestAlgorithm>(['RS256', 'ES256', 'EdDSA'])('tokens (%s)', (algorithm) => {
  let issuer: TestIssuer;
  let keySet: ReturnType<typeof createLocalJWKSet>;
  beforeAll(async () => {
    issuer = await createTestIssuer({ algorithm, listen: false, now: () => FIXED_NOW });
    keySet = createLocalJWKSet(issuer.jwks());
  });
  afterAll(() => issuer.close());

  it('valid() passes strict verification, with claim overrides', async () => {
    const { payload } = await jwtVerify(
      await issuer.tokens.valid({ scope: 'a b' }),
      keySet,
      strictOptions(issuer),
    );
    expect(payload.scope).toBe('a b');
  });

  it('expired() fails only on exp, by one hour', async () => {
    const token = await issuer.tokens.expired();
    expect(await failure(issuer, token)).toEqual({ code: 'ERR_JWT_EXPIRED', claim: 'exp' });
    const payload = decodeJwt(token);
    expect(payload.exp).toBe(FIXED_NOW / 1000 - 3600);
    expect(payload.iat).toBeLessThan(payload.exp ?? 0);
    const then = new Date(FIXED_NOW - HOUR_MS - 1000);
    await expect(jwtVerify(token, keySet, strictOptions(issuer, then))).resolves.toBeDefined();
  });

  it('notYetValid() fails only on nbf, one hour ahead', async () => {
    const token = await issuer.tokens.notYetValid();
    expect(await failure(issuer, token)).toEqual({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'nbf',
    });
    expect(decodeJwt(token).nbf).toBe(FIXED_NOW / 1000 + 3600);
    const later = new Date(FIXED_NOW + HOUR_MS + 1000);
    await expect(jwtVerify(token, keySet, strictOptions(issuer, later))).resolves.toBeDefined();
  });

  it('wrongAudience() fails only on aud', async () => {
    const token = await issuer.tokens.wrongAudience();
    expect(await failure(issuer, token)).toEqual({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
    const options = { ...strictOptions(issuer), audience: 'https://other-api.example.test' };
    await expect(jwtVerify(token, keySet, options)).resolves.toBeDefined();
  });

  it('wrongIssuer() fails only on iss, and is signed by the real key', async () => {
    const token = await issuer.tokens.wrongIssuer();
    expect(await failure(issuer, token)).toEqual({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
    const options = { ...strictOptions(issuer), issuer: 'https://issuer.test/evil' };
    await expect(jwtVerify(token, keySet, options)).resolves.toBeDefined();
  });

  it('foreignKey() has the current kid and valid claims but a signature from another key', async () => {
    const token = await issuer.tokens.foreignKey();
    expect(decodeProtectedHeader(token)).toEqual({
      alg: algorithm,
      typ: 'at+jwt',
      kid: issuer.currentKey.kid,
    });
    expect(await failure(issuer, token)).toEqual({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    const [, payload] = token.split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload ?? '')));
    const unsecured = new UnsecuredJWT(claims).encode();
    const { issuer: iss, audience, requiredClaims, currentDate } = strictOptions(issuer);
    expect(() =>
      UnsecuredJWT.decode(unsecured, { issuer: iss, audience, requiredClaims, currentDate }),
    ).not.toThrow();
  });

  it("algNone() is 'xxx.yyy.' with alg none and otherwise valid claims", async () => {
    const token = await issuer.tokens.algNone();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.$/);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'none', typ: 'at+jwt' });
    expect(await failure(issuer, token)).toEqual({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
    const { issuer: iss, audience, requiredClaims, currentDate } = strictOptions(issuer);
    expect(
      UnsecuredJWT.decode(token, { issuer: iss, audience, requiredClaims, currentDate }).payload
        .sub,
    ).toBe('user-123');
  });

  it('hs256WithPublicKey() verifies only with the public key PEM as HMAC secret', async () => {
    const token = await issuer.tokens.hs256WithPublicKey();
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'HS256',
      typ: 'at+jwt',
      kid: issuer.currentKey.kid,
    });
    expect(await failure(issuer, token)).toEqual({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
    const noAllowlist = { ...strictOptions(issuer), algorithms: undefined };
    expect(await failure(issuer, token, noAllowlist)).toEqual({ code: 'ERR_JOSE_NOT_SUPPORTED' });
    // jose refuses a public CryptoKey for HS256 with a plain TypeError (no `code`).
    await expect(jwtVerify(token, issuer.currentKey.publicKey)).rejects.toThrow(TypeError);
    const secret = new TextEncoder().encode(await exportSPKI(issuer.currentKey.publicKey));
    const attack = { ...strictOptions(issuer), algorithms: ['HS256'] };
    await expect(jwtVerify(token, secret, attack)).resolves.toBeDefined();
  });

  it('idToken() is an OIDC ID token for the API audience, rejected by typ', async () => {
    const token = await issuer.tokens.idToken();
    expect(decodeProtectedHeader(token)).toEqual({
      alg: algorithm,
      typ: 'JWT',
      kid: issuer.currentKey.kid,
    });
    expect(await failure(issuer, token)).toEqual({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'typ',
    });
    const { payload } = await jwtVerify(token, keySet, { ...strictOptions(issuer), typ: 'JWT' });
    expect(payload).toMatchObject({
      aud: issuer.audience,
      azp: 'client-abc',
      auth_time: FIXED_NOW / 1000,
    });
    expect(payload.nonce).toMatch(/^[\w-]+$/);
    expect(payload.at_hash).toMatch(algorithm === 'EdDSA' ? /^[\w-]{43}$/ : /^[\w-]{22}$/);
    expect(payload).not.toHaveProperty('client_id');
    expect(payload).not.toHaveProperty('scope');
  });

  it('missingExp() fails only on the missing exp', async () => {
    const token = await issuer.tokens.missingExp();
    expect(decodeJwt(token)).not.toHaveProperty('exp');
    expect(await failure(issuer, token)).toEqual({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'exp',
    });
    const options = { ...strictOptions(issuer), requiredClaims: ['iat', 'sub'] };
    await expect(jwtVerify(token, keySet, options)).resolves.toBeDefined();
  });

  it('signs the wrong tokens with the key current at the time', async () => {
    const rotated = await createTestIssuer({ algorithm, listen: false });
    const key = await rotated.rotateKeys();
    expect(decodeProtectedHeader(await rotated.tokens.foreignKey()).kid).toBe(key.kid);
    expect(decodeProtectedHeader(await rotated.tokens.hs256WithPublicKey()).kid).toBe(key.kid);
    expect(
      await errorCode(jwtVerify(await rotated.tokens.expired(), createLocalJWKSet(rotated.jwks()))),
    ).toBe('ERR_JWT_EXPIRED');
  });
});
