import { base64url } from 'jose';
import type { TestAlgorithm } from './test-algorithm.js';

/**
 * The OIDC `at_hash` of an access token (OpenID Connect Core 1.0, section 3.1.3.6): base64url of
 * the left half of the hash of its ASCII bytes. The hash is SHA-256 for RS256 and ES256, and
 * SHA-512 for EdDSA with Ed25519.
 *
 * @internal
 */
export async function computeAtHash(accessToken: string, alg: TestAlgorithm): Promise<string> {
  const hash = alg === 'EdDSA' ? 'SHA-512' : 'SHA-256';
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest(hash, new TextEncoder().encode(accessToken)),
  );
  return base64url.encode(digest.slice(0, digest.length / 2));
}
