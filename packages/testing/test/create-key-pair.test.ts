import { CompactSign, compactVerify, exportPKCS8, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createKeyPair, type TestAlgorithm } from '../src/index.js';

const algorithms: TestAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

describe('createKeyPair', () => {
  it.each(algorithms)(
    'creates a %s key pair whose public JWK verifies its signatures',
    async (alg) => {
      const key = await createKeyPair(alg);
      expect(key.alg).toBe(alg);
      expect(key.kid).toMatch(/^[\w-]{22}$/);
      expect(key.publicJwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.privateKey.extractable).toBe(true);
      await expect(exportPKCS8(key.privateKey)).resolves.toContain('PRIVATE KEY');

      const jws = await new CompactSign(new TextEncoder().encode('hi'))
        .setProtectedHeader({ alg })
        .sign(key.privateKey);
      const { payload } = await compactVerify(jws, await importJWK(key.publicJwk, alg));
      expect(new TextDecoder().decode(payload)).toBe('hi');
    },
  );

  it('uses the given kid, and random distinct kids otherwise', async () => {
    expect((await createKeyPair('ES256', 'my-kid')).kid).toBe('my-kid');
    const [a, b] = await Promise.all([createKeyPair('ES256'), createKeyPair('ES256')]);
    expect(a.kid).not.toBe(b.kid);
  });

  it('rejects an unknown algorithm and an empty kid', async () => {
    await expect(createKeyPair('HS256' as TestAlgorithm)).rejects.toThrow(TypeError);
    await expect(createKeyPair('ES256', '')).rejects.toThrow(TypeError);
  });
});
