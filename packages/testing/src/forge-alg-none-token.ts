import { encodeSegment } from './encode-segment.js';

/**
 * Builds an unsecured token (`alg: 'none'`, RFC 7519 section 6) by hand: header
 * `{ alg: 'none', typ: 'at+jwt' }`, the given claims, and an empty signature (`xxx.yyy.`).
 *
 * @internal
 */
export function forgeAlgNoneToken(claims: Record<string, unknown>): string {
  return `${encodeSegment({ alg: 'none', typ: 'at+jwt' })}.${encodeSegment(claims)}.`;
}
