import { nodeBuffer } from '../crypto/node-crypto.js';
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
/** base64url alphabet value of each ASCII code, -1 for characters outside it. */
const ALPHABET = (() => {
  const table = new Int8Array(128).fill(-1);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < letters.length; i++) table[letters.charCodeAt(i)] = i;
  return table;
})();
const utf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextEncoder();

function malformed(message = 'The token is malformed'): InvalidTokenError {
  return new InvalidTokenError('token_malformed', message);
}

/** The 6-bit value of the base64url character at `i`, or -1. */
function sextet(segment: string, i: number): number {
  const code = segment.charCodeAt(i);
  return code < 128 ? (ALPHABET[code] as number) : -1;
}

/** A whole segment over the base64url alphabet (checked before Node's lenient decoder runs). */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Decode one canonical base64url segment or throw: only the base64url alphabet, no padding, not
 * empty, a length that is not 1 modulo 4, and the spare bits of the last character zero (so one
 * byte string has exactly one encoding). On Node the checked segment is decoded by `Buffer`
 * (native, pooled); elsewhere in one pass with a lookup table.
 */
function decodeSegment(segment: string): Uint8Array {
  const length = segment.length;
  const rest = length % 4;
  if (length === 0 || rest === 1) throw malformed();
  if (nodeBuffer !== undefined) {
    if (!SEGMENT.test(segment)) throw malformed();
    const last = sextet(segment, length - 1);
    if ((rest === 2 && (last & 0x0f) !== 0) || (rest === 3 && (last & 0x03) !== 0)) {
      throw malformed();
    }
    return nodeBuffer.from(segment, 'base64url');
  }
  const bytes = new Uint8Array((length * 3) >> 2);
  const whole = length - rest;
  let out = 0;
  for (let i = 0; i < whole; i += 4) {
    const a = sextet(segment, i);
    const b = sextet(segment, i + 1);
    const c = sextet(segment, i + 2);
    const d = sextet(segment, i + 3);
    if ((a | b | c | d) < 0) throw malformed();
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[out++] = bits >> 16;
    bytes[out++] = (bits >> 8) & 0xff;
    bytes[out++] = bits & 0xff;
  }
  if (rest === 2) {
    const a = sextet(segment, whole);
    const b = sextet(segment, whole + 1);
    if ((a | b) < 0 || (b & 0x0f) !== 0) throw malformed();
    bytes[out] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = sextet(segment, whole);
    const b = sextet(segment, whole + 1);
    const c = sextet(segment, whole + 2);
    if ((a | b | c) < 0 || (c & 0x03) !== 0) throw malformed();
    const bits = (a << 12) | (b << 6) | c;
    bytes[out++] = bits >> 10;
    bytes[out] = (bits >> 2) & 0xff;
  }
  return bytes;
}

/** The JWS signing input as ASCII bytes (both segments were checked to be base64url). */
function signingInputOf(token: string, end: number): Uint8Array {
  const text = token.slice(0, end);
  return nodeBuffer !== undefined ? nodeBuffer.from(text, 'latin1') : ascii.encode(text);
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
  const signingInput = signingInputOf(token, second);
  return { header: header as TokenHeader, payload, signingInput, signature: signatureBytes };
}
