import {
  type CompactJWSHeaderParameters,
  CompactSign,
  exportJWK,
  generateKeyPair,
  type JWK,
} from 'jose';

/** The issuer most tests trust. */
export const ISSUER = 'https://issuer.example';
/** The API resource indicator (audience) most tests accept. */
export const AUDIENCE = 'https://api.reports.example';
/** A fixed start time for the controllable clock, in ms (2030-01-01T00:00:00Z). */
export const START = Date.UTC(2030, 0, 1);

/** A controllable clock: pass `clock.now` as the `now` option (milliseconds). */
export class Clock {
  ms: number;

  constructor(ms = START) {
    this.ms = ms;
  }

  readonly now = (): number => this.ms;

  /** The current time in whole seconds (what `exp`/`iat` are compared with). */
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A real key pair plus its public JWK (with `kid`, and `alg` unless asked not to). */
export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

let counter = 0;

/** Generate a real key pair with jose for `alg` (RS256, PS256, ES256, ES384, ES512, EdDSA). */
export async function createKey(
  alg: string,
  options: { kid?: string; jwkAlg?: boolean } = {},
): Promise<TestKey> {
  const kid = options.kid ?? `${alg.toLowerCase()}-${++counter}`;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const exported = await exportJWK(publicKey);
  const jwk: JWK = { ...exported, kid, use: 'sig' };
  if (options.jwkAlg !== false) jwk.alg = alg;
  return { alg, kid, privateKey, publicKey, jwk };
}

const encoder = new TextEncoder();

/** base64url without padding. */
export function b64url(input: string | Uint8Array): string {
  return Buffer.from(typeof input === 'string' ? encoder.encode(input) : input).toString(
    'base64url',
  );
}

/** Decode base64url (lenient, test side only). */
export function fromB64url(input: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(input, 'base64url'));
}

/** The standard claims of a valid access token at `clock`, with overrides (`undefined` drops). */
export function claims(
  clock: Clock,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    client_id: 'client-1',
    iat: clock.seconds,
    exp: clock.seconds + 600,
    jti: 'token-1',
    scope: 'read:report',
    ...overrides,
  };
}

/**
 * Sign a token with jose's `CompactSign`. The header defaults to `{ alg, kid, typ: 'at+jwt' }`;
 * `header` overrides members (an `undefined` value removes one). `payload` may be an object
 * (JSON-encoded) or a string (signed byte for byte, e.g. hand-crafted JSON).
 */
export async function mint(
  key: Pick<TestKey, 'alg' | 'kid' | 'privateKey'>,
  payload: Record<string, unknown> | string,
  header: Record<string, unknown> = {},
): Promise<string> {
  const protectedHeader: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'at+jwt' };
  for (const [name, value] of Object.entries(header)) {
    if (value === undefined) delete protectedHeader[name];
    else protectedHeader[name] = value;
  }
  const bytes = encoder.encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return new CompactSign(bytes)
    .setProtectedHeader(protectedHeader as CompactJWSHeaderParameters)
    .sign(key.privateKey);
}

/** WebCrypto parameters to sign with a JWS algorithm. */
function subtleParams(alg: string): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  switch (alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'PS256':
      return { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams;
    case 'PS384':
      return { name: 'RSA-PSS', saltLength: 48 } as RsaPssParams;
    case 'ES256':
      return { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams;
    case 'ES384':
      return { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams;
    case 'ES512':
      return { name: 'ECDSA', hash: 'SHA-512' } as EcdsaParams;
    case 'EdDSA':
    case 'Ed25519':
      return { name: 'Ed25519' };
    case 'HS256':
    case 'HS384':
    case 'HS512':
      return { name: 'HMAC' };
    default:
      throw new Error(`no WebCrypto parameters for ${alg}`);
  }
}

/**
 * Sign arbitrary, already-encoded header and payload segments with WebCrypto (for tokens jose
 * would refuse to produce: non-canonical base64url, invalid UTF-8, odd headers). `signAlg` is the
 * algorithm the key really signs with, whatever the header claims.
 */
export async function signSegments(
  privateKey: CryptoKey,
  signAlg: string,
  headerSegment: string,
  payloadSegment: string,
): Promise<string> {
  const input = encoder.encode(`${headerSegment}.${payloadSegment}`);
  const signature = await crypto.subtle.sign(subtleParams(signAlg), privateKey, input);
  return `${headerSegment}.${payloadSegment}.${b64url(new Uint8Array(signature))}`;
}

/** Sign a raw header JSON text and a raw payload (JSON text or bytes) with WebCrypto. */
export function signRaw(
  key: Pick<TestKey, 'alg' | 'privateKey'>,
  headerJson: string,
  payload: string | Uint8Array,
): Promise<string> {
  return signSegments(key.privateKey, key.alg, b64url(headerJson), b64url(payload));
}

/** An HMAC signing key from raw secret bytes, for `alg` HS256/HS384/HS512. */
export function hmacKey(secret: Uint8Array | string, alg: string): Promise<CryptoKey> {
  const hash = `SHA-${alg.slice(2)}`;
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : new Uint8Array(secret);
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash }, false, ['sign']);
}

/** An RSA key pair of `bits` (jose refuses < 2048; WebCrypto does not) for RS256. */
export async function weakRsaKey(bits: number, kid: string): Promise<TestKey> {
  const pair = (await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const exported = await exportJWK(pair.publicKey);
  return {
    alg: 'RS256',
    kid,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    jwk: { ...exported, kid, alg: 'RS256', use: 'sig' },
  };
}

/** Whether `text` contains the token or any of its (non-trivial) segments. */
export function leaksToken(text: string, token: string): boolean {
  if (token.length >= 8 && text.includes(token)) return true;
  return token.split('.').some((segment) => segment.length >= 12 && text.includes(segment));
}

/** A random base64url string of `bytes` random bytes. */
export function randomId(bytes = 12): string {
  return b64url(crypto.getRandomValues(new Uint8Array(bytes)));
}
