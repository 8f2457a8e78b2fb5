import { exportJWK, generateKeyPair } from 'jose';
import { randomId } from './random-id.js';
import { assertTestAlgorithm, type TestAlgorithm } from './test-algorithm.js';
import type { TestKey } from './test-key.js';

/**
 * Generates a fresh signing key pair with WebCrypto (through jose `generateKeyPair`).
 *
 * The private key is extractable. The public JWK carries `kid`, `alg` and `use: 'sig'`.
 *
 * @param alg Algorithm of the key.
 * @param kid Key ID. Default: a random base64url string (16 random bytes).
 */
export async function createKeyPair(
  alg: TestAlgorithm,
  kid: string = randomId(),
): Promise<TestKey> {
  assertTestAlgorithm(alg, 'createKeyPair(alg)');
  if (typeof kid !== 'string' || kid === '') {
    throw new TypeError('createKeyPair(kid) must be a non-empty string');
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const publicJwk = { ...jwk, kid, alg, use: 'sig' };
  return Object.freeze({ kid, alg, privateKey, publicKey, publicJwk: Object.freeze(publicJwk) });
}
