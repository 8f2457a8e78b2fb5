import { base64url } from 'jose';
import { withoutUndefined } from './without-undefined.js';

/**
 * Encodes a JSON object as a compact JWS segment: base64url of its UTF-8 JSON, with `undefined`
 * members removed.
 *
 * @internal
 */
export function encodeSegment(value: Record<string, unknown>): string {
  return base64url.encode(JSON.stringify(withoutUndefined(value)));
}
