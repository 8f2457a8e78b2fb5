/**
 * A JWS algorithm the local issuer can sign with.
 *
 * - `'RS256'`: RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit RSA keys.
 * - `'ES256'`: ECDSA on curve P-256 with SHA-256.
 * - `'EdDSA'`: EdDSA on curve Ed25519.
 */
export type TestAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

const TEST_ALGORITHMS: readonly TestAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

/**
 * Throws a `TypeError` naming `optionName` unless `value` is a {@link TestAlgorithm}.
 *
 * @internal
 */
export function assertTestAlgorithm(
  value: unknown,
  optionName: string,
): asserts value is TestAlgorithm {
  if (!TEST_ALGORITHMS.includes(value as TestAlgorithm)) {
    throw new TypeError(
      `${optionName} must be one of ${TEST_ALGORITHMS.join(', ')}; got ${String(value)}`,
    );
  }
}
