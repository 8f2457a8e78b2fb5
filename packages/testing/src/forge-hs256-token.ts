import { base64url, exportSPKI } from 'jose';
import { encodeSegment } from './encode-segment.js';
import type { TestKey } from './test-key.js';

/**
 * Builds the classic key-confusion token by hand: `alg: 'HS256'`, `kid` of `key`, MACed with
 * HMAC-SHA-256 whose secret is the UTF-8 bytes of `key`'s public key as SPKI PEM (exactly as jose
 * `exportSPKI` returns it: no trailing newline). A verifier that takes the algorithm from the
 * token and uses the PEM it holds as an HMAC secret would accept it.
 *
 * @internal
 */
export async function forgeHs256Token(
  key: TestKey,
  claims: Record<string, unknown>,
): Promise<string> {
  const pem = await exportSPKI(key.publicKey);
  const secret = await globalThis.crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(pem),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signingInput = `${encodeSegment({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${encodeSegment(claims)}`;
  const mac = await globalThis.crypto.subtle.sign(
    'HMAC',
    secret,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${base64url.encode(new Uint8Array(mac))}`;
}
