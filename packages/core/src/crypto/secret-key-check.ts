import { nodeCrypto } from './node-crypto.js';
import { hashBits, type SignatureCheck } from './signature-check.js';

/** A signature check for an HMAC secret and one of HS256/384/512 (constant-time comparison). */
export async function secretKeyCheck(secret: Uint8Array, alg: string): Promise<SignatureCheck> {
  const bits = hashBits(alg) as number;
  const node = nodeCrypto;
  if (node !== undefined) {
    const key = node.createSecretKey(secret);
    return (input, signature) => {
      const expected = node.createHmac(`sha${bits}`, key).update(input).digest();
      return (
        expected.byteLength === signature.byteLength && node.timingSafeEqual(expected, signature)
      );
    };
  }
  const key = await crypto.subtle.importKey(
    'raw',
    secret as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: `SHA-${bits}` },
    false,
    ['verify'],
  );
  return async (input, signature) => {
    try {
      return await crypto.subtle.verify(
        'HMAC',
        key,
        signature as Uint8Array<ArrayBuffer>,
        input as Uint8Array<ArrayBuffer>,
      );
    } catch {
      return false;
    }
  };
}
