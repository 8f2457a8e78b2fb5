import { importJWK, type JWK } from 'jose';
import { nodeCrypto } from './node-crypto.js';
import { ECDSA_SIGNATURE_BYTES, hashBits, type SignatureCheck } from './signature-check.js';

/**
 * A signature check for a public JWK and one algorithm: synchronous `node:crypto` on Node,
 * WebCrypto (`crypto.subtle.verify`, key imported once with jose) elsewhere. The key type was
 * already matched to the algorithm; a malformed key rejects here (reported as `no_matching_key`).
 */
export async function publicKeyCheck(jwk: JWK, alg: string): Promise<SignatureCheck> {
  const bits = hashBits(alg);
  const ecdsaBytes = ECDSA_SIGNATURE_BYTES[alg];
  const node = nodeCrypto;
  if (node !== undefined) {
    const key = node.createPublicKey({ key: { ...jwk }, format: 'jwk' });
    const { RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST } = node.constants;
    const digest = bits === undefined ? null : `sha${bits}`;
    const options = alg.startsWith('PS')
      ? { key, padding: RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALTLEN_DIGEST }
      : alg.startsWith('RS')
        ? { key, padding: RSA_PKCS1_PADDING }
        : ecdsaBytes !== undefined
          ? { key, dsaEncoding: 'ieee-p1363' }
          : key;
    return (input, signature) => {
      if (ecdsaBytes !== undefined && signature.byteLength !== ecdsaBytes) return false;
      try {
        return node.verify(digest, input, options, signature);
      } catch {
        return false;
      }
    };
  }
  const key = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey;
  const params = alg.startsWith('PS')
    ? { name: 'RSA-PSS', saltLength: (bits as number) / 8 }
    : alg.startsWith('RS')
      ? { name: 'RSASSA-PKCS1-v1_5' }
      : ecdsaBytes !== undefined
        ? { name: 'ECDSA', hash: `SHA-${bits}` }
        : { name: 'Ed25519' };
  return async (input, signature) => {
    if (ecdsaBytes !== undefined && signature.byteLength !== ecdsaBytes) return false;
    try {
      return await crypto.subtle.verify(
        params,
        key,
        signature as Uint8Array<ArrayBuffer>,
        input as Uint8Array<ArrayBuffer>,
      );
    } catch {
      return false;
    }
  };
}
