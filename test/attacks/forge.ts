/**
 * Hand-made tokens for the attack table: any header and payload text (duplicate members,
 * `1e400`, `__proto__`, deep nesting), signed for real with WebCrypto or node:crypto HMAC (which,
 * unlike WebCrypto, accepts a blank secret), and string surgery on real tokens.
 */
import { createHmac } from 'node:crypto';

/** A signing key: what `TestKey` has, or an attacker's own. */
export interface SigningKey {
  readonly alg: string;
  readonly kid?: string;
  readonly privateKey: CryptoKey;
}

/** base64url (no padding) of UTF-8 text or bytes. */
export function b64u(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url');
}

/** The bytes of a base64url segment. */
export function fromB64u(segment: string): Buffer {
  return Buffer.from(segment, 'base64url');
}

/** The three segments of a compact token. */
export function split(token: string): [header: string, payload: string, signature: string] {
  const [h, p, s] = token.split('.');
  return [h ?? '', p ?? '', s ?? ''];
}

/** A segment's JSON. */
export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(fromB64u(segment).toString('utf8')) as Record<string, unknown>;
}

function signParams(key: SigningKey): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  if (key.alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5' };
  if (key.alg.startsWith('PS'))
    return { name: 'RSA-PSS', saltLength: Number(key.alg.slice(2)) / 8 };
  if (key.alg === 'ES256') return { name: 'ECDSA', hash: 'SHA-256' };
  if (key.alg === 'ES384') return { name: 'ECDSA', hash: 'SHA-384' };
  if (key.alg === 'EdDSA' || key.alg === 'Ed25519') return { name: 'Ed25519' };
  throw new Error(`forge: no WebCrypto signer for ${key.alg}`);
}

/** Sign `signingInput` (`header.payload`) with `key`; the raw signature bytes. */
export async function signBytes(key: SigningKey, signingInput: string): Promise<Uint8Array> {
  const data = new TextEncoder().encode(signingInput);
  return new Uint8Array(await crypto.subtle.sign(signParams(key), key.privateKey, data));
}

/**
 * A genuinely signed token whose header and payload are exactly these JSON texts (so they may
 * hold duplicate members, `1e400`, `__proto__` members, or not be JSON at all).
 */
export async function signRaw(
  key: SigningKey,
  headerText: string,
  payloadText: string | Uint8Array,
): Promise<string> {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  return `${input}.${b64u(await signBytes(key, input))}`;
}

/** A genuinely signed token with this header (alg is the key's unless given) and claims. */
export function signJson(
  key: SigningKey,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  return signRaw(
    key,
    JSON.stringify({ alg: key.alg, ...(key.kid === undefined ? {} : { kid: key.kid }), ...header }),
    JSON.stringify(claims),
  );
}

/** An HMAC token (HS256/384/512) MACed with exactly these secret bytes (blank allowed). */
export function hmacToken(
  alg: 'HS256' | 'HS384' | 'HS512',
  secret: string | Uint8Array,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const input = `${b64u(JSON.stringify({ alg, ...header }))}.${b64u(JSON.stringify(claims))}`;
  const mac = createHmac(`sha${alg.slice(2)}`, secret)
    .update(input)
    .digest();
  return `${input}.${b64u(mac)}`;
}

/** A token with this header and claims and a meaningless, well-formed signature. */
export function unsigned(
  header: Record<string, unknown> | string,
  claims: Record<string, unknown> | string,
  signature = 'c2lnbmF0dXJl',
): string {
  const h = typeof header === 'string' ? header : JSON.stringify(header);
  const p = typeof claims === 'string' ? claims : JSON.stringify(claims);
  return `${b64u(h)}.${b64u(p)}.${signature}`;
}

/** Replace the header and/or payload of a real token, keeping its (now stale) signature. */
export function resegment(
  token: string,
  change: {
    header?: (h: Record<string, unknown>) => Record<string, unknown>;
    payload?: (p: Record<string, unknown>) => Record<string, unknown>;
  },
): string {
  const [h, p, s] = split(token);
  const header = change.header ? b64u(JSON.stringify(change.header(decodeSegment(h)))) : h;
  const payload = change.payload ? b64u(JSON.stringify(change.payload(decodeSegment(p)))) : p;
  return `${header}.${payload}.${s}`;
}

/** Replace the signature bytes of a token (canonical base64url). */
export function withSignature(token: string, bytes: (sig: Buffer) => Uint8Array): string {
  const [h, p, s] = split(token);
  return `${h}.${p}.${b64u(bytes(fromB64u(s)))}`;
}

/**
 * The same signature with spare bits set in its last base64url character: jose-style lenient
 * decoders read the same bytes, so the token string differs while the signature does not.
 */
export function nonCanonicalSignature(token: string): string {
  const [h, p, s] = split(token);
  const rest = s.length % 4;
  if (rest === 0) throw new Error('forge: a signature without spare bits');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(s.at(-1) as string);
  // 2 spare bits when rest is 3, 4 when rest is 2: set the lowest one.
  return `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 1]}`;
}

/** P-256 group order, for the high-S twin of an ECDSA signature. */
const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

/** The (r, n − s) twin of an ES256 signature: also valid, a different token string. */
export function highS(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
  const twin = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, 32), twin]);
}

/** An ES256 R‖S signature re-encoded as ASN.1 DER (what OpenSSL produces; JWS forbids it). */
export function derSignature(signature: Uint8Array): Uint8Array {
  const integer = (value: Uint8Array): Buffer => {
    let bytes = Buffer.from(value);
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    bytes = bytes.subarray(i);
    if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(signature.subarray(0, 32)), integer(signature.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** Flip one bit of a byte. */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] as number) ^ (1 << bit);
  return copy;
}

/**
 * An attacker's EC P-256 key and a self-signed certificate for it (CN=attacker.example), made with
 * `openssl req -x509 -newkey ec`. Test material only: it proves nothing but that `x5c` is ignored.
 */
export const ATTACKER_CERT = {
  pkcs8: [
    'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg46xKnx7r0/J/8FP1',
    'wZnXVR0GmhKnKqVBK+YMqbhNNwWhRANCAASI+cFNbb13kaN2PykyTVtmO0DPT3yy',
    'kE5g32eGg63DtSs1C2Pbf+OyPNnZAnVA3330klj/HvoN7Id5UiWEUfeV',
  ].join(''),
  x5c: [
    'MIIBjTCCATOgAwIBAgIUchziATFQKb7SCwRaxrvU1F3Y+CQwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQYXR0YWNrZXIu',
    'ZXhhbXBsZTAgFw0yNjExMjIwMDM0NTdaGA8yMTI2MTAyOTAwMzQ1N1owGzEZMBcGA1UEAwwQYXR0YWNrZXIuZXhhbXBs',
    'ZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIj5wU1tvXeRo3Y/KTJNW2Y7QM9PfLKQTmDfZ4aDrcO1KzULY9t/47I8',
    '2dkCdUDfffSSWP8e+g3sh3lSJYRR95WjUzBRMB0GA1UdDgQWBBTnWZ2nqRKUmyE+j2T5w0jMK6llGzAfBgNVHSMEGDAW',
    'gBTnWZ2nqRKUmyE+j2T5w0jMK6llGzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQCJqOwSpIuotUP4',
    'Ni/h8xN9inz4M/3My07JjEM+0bpH/AIgCvz0aysmI+/a0E+W5GVRcIUFgT9xo6IRmmqVBbTSP48=',
  ].join(''),
} as const;

/** Import the attacker certificate's private key for ES256 signing. */
export async function attackerCertKey(): Promise<SigningKey> {
  const privateKey = await crypto.subtle.importKey(
    'pkcs8',
    Buffer.from(ATTACKER_CERT.pkcs8, 'base64'),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  return { alg: 'ES256', privateKey };
}

/** A 1024-bit RSA key (too weak; jose's generateKeyPair refuses to make one). */
export async function weakRsaKey(kid: string): Promise<SigningKey & { publicJwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return {
    alg: 'RS256',
    kid,
    privateKey: pair.privateKey,
    publicJwk: { kty: publicJwk.kty, n: publicJwk.n, e: publicJwk.e },
  };
}
