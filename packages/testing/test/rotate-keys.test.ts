import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTestIssuer } from '../src/index.js';
import { errorCode } from './verify-options.js';

describe('rotateKeys', () => {
  it('publishes the new key beside the old one and signs with the new kid', async () => {
    const issuer = await createTestIssuer({ listen: false, algorithm: 'ES256' });
    const oldKey = issuer.currentKey;
    const oldToken = await issuer.mintToken();
    const newKey = await issuer.rotateKeys();

    expect(newKey.kid).not.toBe(oldKey.kid);
    expect(issuer.currentKey).toBe(newKey);
    expect(newKey.alg).toBe('ES256');
    expect(issuer.jwks().keys.map((jwk) => jwk.kid)).toEqual([oldKey.kid, newKey.kid]);

    const newToken = await issuer.mintToken();
    expect(decodeProtectedHeader(newToken).kid).toBe(newKey.kid);
    const keySet = createLocalJWKSet(issuer.jwks());
    await expect(jwtVerify(oldToken, keySet)).resolves.toBeDefined();
    await expect(jwtVerify(newToken, keySet)).resolves.toBeDefined();
  });

  it('removes the older keys with retireOld', async () => {
    const issuer = await createTestIssuer({ listen: false });
    const oldToken = await issuer.mintToken();
    await issuer.rotateKeys();
    const newest = await issuer.rotateKeys({ retireOld: true });
    expect(issuer.jwks().keys.map((jwk) => jwk.kid)).toEqual([newest.kid]);
    const keySet = createLocalJWKSet(issuer.jwks());
    expect(await errorCode(jwtVerify(oldToken, keySet))).toBe('ERR_JWKS_NO_MATCHING_KEY');
    await expect(jwtVerify(await issuer.mintToken(), keySet)).resolves.toBeDefined();
  });

  it('returns a fresh JWKS object that callers cannot use to alter the issuer', async () => {
    const issuer = await createTestIssuer({ listen: false });
    const jwks = issuer.jwks();
    jwks.keys.pop();
    const first = issuer.jwks().keys[0];
    expect(first).toBeDefined();
    if (first) first.kid = 'changed';
    expect(issuer.jwks().keys.map((jwk) => jwk.kid)).toEqual([issuer.currentKey.kid]);
  });

  it('creates foreign keys that are never published', async () => {
    const issuer = await createTestIssuer({ listen: false, algorithm: 'EdDSA' });
    const foreign = await issuer.createForeignKey();
    expect(foreign.alg).toBe('EdDSA');
    expect((await issuer.createForeignKey('RS256')).alg).toBe('RS256');
    expect(issuer.jwks().keys.map((jwk) => jwk.kid)).not.toContain(foreign.kid);
  });
});
