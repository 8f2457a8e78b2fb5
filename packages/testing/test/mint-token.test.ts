import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestAlgorithm, type TestIssuer } from '../src/index.js';
import { errorCode, FIXED_NOW, strictOptions } from './verify-options.js';

const algorithms: TestAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

describe('mintToken', () => {
  const issuers: TestIssuer[] = [];
  const issuerFor = async (algorithm: TestAlgorithm = 'RS256'): Promise<TestIssuer> => {
    const issuer = await createTestIssuer({ algorithm, listen: false, now: () => FIXED_NOW });
    issuers.push(issuer);
    return issuer;
  };
  afterAll(async () => {
    await Promise.all(issuers.map((issuer) => issuer.close()));
  });

  it.each(algorithms)(
    'mints a %s token that verifies strictly against the JWKS',
    async (algorithm) => {
      const issuer = await issuerFor(algorithm);
      const token = await issuer.mintToken();
      const { payload, protectedHeader } = await jwtVerify(
        token,
        createLocalJWKSet(issuer.jwks()),
        strictOptions(issuer),
      );
      expect(protectedHeader).toEqual({
        alg: algorithm,
        typ: 'at+jwt',
        kid: issuer.currentKey.kid,
      });
      const iat = FIXED_NOW / 1000;
      expect(payload).toEqual({
        iss: 'https://issuer.test',
        sub: 'user-123',
        aud: 'https://api.example.test',
        client_id: 'client-abc',
        iat,
        exp: iat + 300,
        jti: expect.stringMatching(/^[\w-]{22}$/),
      });
    },
  );

  it('lets claims override and remove defaults', async () => {
    const issuer = await issuerFor();
    const token = await issuer.mintToken({
      scope: 'read:report',
      sub: 'alice',
      jti: undefined,
      aud: ['a', 'b'],
    });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({ scope: 'read:report', sub: 'alice', aud: ['a', 'b'] });
    expect(payload).not.toHaveProperty('jti');
    expect(decodeJwt(await issuer.mintToken({ exp: undefined }))).not.toHaveProperty('exp');
  });

  it('serializes malformed claim values as given', async () => {
    const issuer = await issuerFor();
    expect(decodeJwt(await issuer.mintToken({ exp: 'tomorrow' })).exp).toBe('tomorrow');
  });

  it('gives random jti values', async () => {
    const issuer = await issuerFor();
    expect(decodeJwt(await issuer.mintToken()).jti).not.toBe(
      decodeJwt(await issuer.mintToken()).jti,
    );
  });

  it('uses expiresIn and the clock', async () => {
    let now = FIXED_NOW;
    const issuer = await createTestIssuer({ listen: false, expiresIn: 60, now: () => now });
    now += 10_500;
    expect(decodeJwt(await issuer.mintToken())).toMatchObject({
      iat: FIXED_NOW / 1000 + 10,
      exp: FIXED_NOW / 1000 + 70,
    });
  });

  it('lets the header be overridden, and members removed', async () => {
    const issuer = await issuerFor();
    const token = await issuer.mintToken({}, { header: { typ: 'JWT', kid: undefined, cty: 'x' } });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', cty: 'x' });
    await expect(issuer.mintToken({}, { header: { alg: 'HS256' } })).rejects.toThrow(/alg/);
  });

  it('signs with another key when given one', async () => {
    const issuer = await issuerFor();
    const foreign = await issuer.createForeignKey('ES256');
    const token = await issuer.mintToken({}, { key: foreign });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: foreign.kid });
    expect(await errorCode(jwtVerify(token, createLocalJWKSet(issuer.jwks())))).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    );
    await expect(
      jwtVerify(token, foreign.publicKey, { currentDate: new Date(FIXED_NOW) }),
    ).resolves.toBeDefined();
  });

  it('supports an array audience', async () => {
    const issuer = await createTestIssuer({
      listen: false,
      audience: ['https://a.test', 'https://b.test'],
    });
    const { payload } = await jwtVerify(
      await issuer.mintToken(),
      createLocalJWKSet(issuer.jwks()),
      {
        audience: 'https://b.test',
      },
    );
    expect(payload.aud).toEqual(['https://a.test', 'https://b.test']);
  });
});
