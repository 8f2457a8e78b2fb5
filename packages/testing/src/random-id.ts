import { base64url } from 'jose';

/**
 * A random base64url string from `bytes` random bytes (default 16), from WebCrypto.
 *
 * @internal
 */
export function randomId(bytes = 16): string {
  return base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));
}
