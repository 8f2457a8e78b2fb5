import { nodeCrypto } from './node-crypto.js';

const encoder = new TextEncoder();

/**
 * Base64 SHA-256 of a string: synchronous with `node:crypto` on Node (under 1 µs), otherwise a
 * promise from WebCrypto.
 */
export function sha256(text: string): string | Promise<string> {
  if (nodeCrypto !== undefined) {
    return nodeCrypto.hash !== undefined
      ? nodeCrypto.hash('sha256', text, 'base64')
      : nodeCrypto.createHash('sha256').update(text).digest('base64');
  }
  return crypto.subtle.digest('SHA-256', encoder.encode(text)).then((buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
    return btoa(binary);
  });
}
