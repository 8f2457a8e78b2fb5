import { InvalidTokenError } from '../errors/auth-error.js';

/** The protected header of a token, after the shape checks in {@link parseToken}. */
export interface TokenHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [member: string]: unknown;
}

/** A token split and decoded, but not verified. Nothing here may be trusted yet. */
export interface ParsedToken {
  readonly header: TokenHeader;
  readonly payload: Record<string, unknown>;
  /** The JWS signing input, `<header>.<payload>` as ASCII bytes. */
  readonly signingInput: Uint8Array;
  /** The decoded signature. */
  readonly signature: Uint8Array;
}

/** Longest accepted `kid`, in characters. */
const MAX_KID_LENGTH = 256;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Last characters allowed when a base64url segment has 2 or 4 spare bits (canonical encoding). */
const LAST_OF_2 = /[AQgw]$/;
const LAST_OF_3 = /[AEIMQUYcgkosw048]$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextEncoder();

function malformed(message = 'The token is malformed'): InvalidTokenError {
  return new InvalidTokenError('token_malformed', message);
}

/** Decode one canonical base64url segment (no padding, no spare bits set) or throw. */
function decodeSegment(segment: string): Uint8Array {
  if (!SEGMENT.test(segment)) throw malformed();
  const rest = segment.length % 4;
  if (rest === 1) throw malformed();
  if (rest === 2 && !LAST_OF_2.test(segment)) throw malformed();
  if (rest === 3 && !LAST_OF_3.test(segment)) throw malformed();
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeJsonObject(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(decodeSegment(segment)));
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    throw malformed();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed();
  return value as Record<string, unknown>;
}

/**
 * Split a compact JWS (RFC 7515 §7.1) and decode its header and claims, strictly: exactly three
 * canonical base64url segments, a non-empty signature, JSON objects for header and claims, a
 * string `alg`, a string `kid` (if any), no `crit`, no `b64`, no JWE (`enc`, five segments).
 * Nothing from the header is ever used to locate keys (`jku`, `x5u`, `jwk`, `x5c` are ignored).
 */
export function parseToken(token: string): ParsedToken {
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1) throw malformed();
  const third = token.indexOf('.', second + 1);
  if (third !== -1) {
    // Five segments is a JWE: refused, never decrypted. Four, or six and more, is no JOSE at all.
    const segments = token.split('.', 7).length;
    if (segments === 5) {
      throw new InvalidTokenError('token_unsupported', 'Encrypted tokens are not accepted');
    }
    throw malformed();
  }
  const header = decodeJsonObject(token.slice(0, first));
  const signature = token.slice(second + 1);
  if (signature === '') {
    throw new InvalidTokenError('algorithm_not_allowed', 'Unsigned tokens are not accepted');
  }
  const signatureBytes = decodeSegment(signature);
  if (typeof header.alg !== 'string' || header.alg === '') throw malformed();
  if (header.alg.toLowerCase() === 'none') {
    throw new InvalidTokenError('algorithm_not_allowed', 'Unsigned tokens are not accepted');
  }
  if (header.enc !== undefined) {
    throw new InvalidTokenError('token_unsupported', 'Encrypted tokens are not accepted');
  }
  if (header.crit !== undefined || header.b64 !== undefined) {
    throw new InvalidTokenError('token_unsupported', 'The token uses unsupported JWS extensions');
  }
  if (header.kid !== undefined) {
    if (typeof header.kid !== 'string' || header.kid.length > MAX_KID_LENGTH) throw malformed();
  }
  if (header.typ !== undefined && typeof header.typ !== 'string') throw malformed();
  const payload = decodeJsonObject(token.slice(first + 1, second));
  const signingInput = ascii.encode(token.slice(0, second));
  return { header: header as TokenHeader, payload, signingInput, signature: signatureBytes };
}
