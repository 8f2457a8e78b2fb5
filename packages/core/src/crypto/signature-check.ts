/**
 * Checks a JWS signature over the signing input (`header.payload` as bytes). Returns (or resolves
 * to) whether it is genuine. Created once per key and algorithm; never throws for a bad signature.
 */
export type SignatureCheck = (
  signingInput: Uint8Array,
  signature: Uint8Array,
) => boolean | Promise<boolean>;

/** The hash size, in bits, of a JWS algorithm (`RS256` → 256; `EdDSA` → undefined). */
export function hashBits(alg: string): 256 | 384 | 512 | undefined {
  const bits = alg.endsWith('256')
    ? 256
    : alg.endsWith('384')
      ? 384
      : alg.endsWith('512')
        ? 512
        : 0;
  return bits === 0 || alg.startsWith('Ed') ? undefined : bits;
}

/** The exact length of an ECDSA signature (r ‖ s, RFC 7518 §3.4), in bytes. */
export const ECDSA_SIGNATURE_BYTES: Readonly<Record<string, number>> = {
  ES256: 64,
  ES384: 96,
  ES512: 132,
};
