import type { JWK } from 'jose';
import { publicKeyCheck } from '../crypto/public-key-check.js';
import type { SignatureCheck } from '../crypto/signature-check.js';
import { ConfigurationError } from '../errors/configuration-error.js';

/** Asymmetric JWS algorithms tokenward verifies, with the key type each requires. */
const KEY_TYPES: Readonly<Record<string, { kty: string; crv?: string }>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
};

/** Smallest accepted RSA modulus, in bytes (2048 bits; RFC 7518 §3.3). */
const MIN_RSA_BYTES = 256;

/** Every asymmetric algorithm tokenward can verify (the default allowlist for key sets). */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = Object.keys(KEY_TYPES);

/** The HMAC algorithms (only with a configured `secret`). */
export const SYMMETRIC_ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512'];

/**
 * A verification key from a JWKS, validated once. Imported lazily per algorithm, once, and the
 * signature check is cached (an RSA key may serve RS256 and PS256).
 */
export class VerificationKey {
  readonly kid: string | undefined;
  readonly kty: string;
  readonly crv: string | undefined;
  readonly alg: string | undefined;
  /**
   * Identity of the published key: every member that decides what it verifies (type, curve,
   * kid, algorithm, modulus and exponent, or point), so a refresh that removes it, or publishes
   * other material or another algorithm under its kid, is noticed (`KeySource.generation`).
   */
  readonly id: string;
  readonly #jwk: JWK;
  readonly #checks = new Map<string, Promise<SignatureCheck>>();
  /** The checks whose import has finished, for synchronous use. */
  readonly #ready = new Map<string, SignatureCheck>();

  constructor(jwk: JWK) {
    this.#jwk = publicPart(jwk);
    this.kid = jwk.kid;
    this.kty = jwk.kty as string;
    this.crv = jwk.crv;
    this.alg = jwk.alg;
    this.id = JSON.stringify([jwk.kty, jwk.crv, jwk.kid, jwk.alg, jwk.n, jwk.e, jwk.x, jwk.y]);
  }

  /** Whether this key may verify a token signed with `alg`. */
  fits(alg: string): boolean {
    const required = KEY_TYPES[alg];
    if (required === undefined || required.kty !== this.kty) return false;
    if (required.crv !== undefined && required.crv !== this.crv) return false;
    // A key that names its algorithm is only used for that algorithm (EdDSA/Ed25519 are one).
    if (this.alg !== undefined && this.alg !== alg && !(isEd(this.alg) && isEd(alg))) return false;
    return true;
  }

  /** The signature check for `alg`; the key is imported once per algorithm. */
  check(alg: string): Promise<SignatureCheck> {
    let check = this.#checks.get(alg);
    if (check === undefined) {
      check = publicKeyCheck(this.#jwk, alg);
      this.#checks.set(alg, check);
      check.then(
        (ready) => this.#ready.set(alg, ready),
        // A failed import is not cached: drop it so a later call can report the same failure.
        () => this.#checks.delete(alg),
      );
    }
    return check;
  }

  /** The check for `alg` if its import has finished, else `undefined`. */
  checkNow(alg: string): SignatureCheck | undefined {
    return this.#ready.get(alg);
  }
}

function isEd(alg: string): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519';
}

/** Keep only the public members a verification key needs (drop `d`, `p`, `k`, `x5c`, ...). */
function publicPart(jwk: JWK): JWK {
  const out: JWK = { kty: jwk.kty };
  for (const name of ['n', 'e', 'crv', 'x', 'y'] as const) {
    if (typeof jwk[name] === 'string') out[name] = jwk[name];
  }
  return out;
}

/**
 * Validate one JWK from a key set. Returns the key if it is a usable public signature key, or
 * `undefined` for keys to skip (encryption keys, symmetric keys, unknown types, keys whose
 * `key_ops` exclude `verify`). Never throws on attacker-shaped input.
 */
export function toVerificationKey(value: unknown): VerificationKey | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const jwk = value as Record<string, unknown>;
  const kty = jwk.kty;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  if (jwk.key_ops !== undefined) {
    if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify')) return undefined;
  }
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') return undefined;
  if (jwk.alg !== undefined && (typeof jwk.alg !== 'string' || !(jwk.alg in KEY_TYPES))) {
    return undefined;
  }
  if (kty === 'RSA' && (typeof jwk.n !== 'string' || typeof jwk.e !== 'string')) return undefined;
  if (kty === 'RSA' && Math.floor(((jwk.n as string).length * 3) / 4) < MIN_RSA_BYTES) {
    return undefined;
  }
  if (kty !== 'RSA' && (typeof jwk.crv !== 'string' || typeof jwk.x !== 'string')) return undefined;
  if (kty === 'EC' && typeof jwk.y !== 'string') return undefined;
  return new VerificationKey(jwk as JWK);
}

/** Outcome of looking a key up in a set. */
export type KeyLookup =
  | { readonly found: VerificationKey }
  | { readonly found: undefined; readonly ambiguous: boolean };

/**
 * Pick the key for a token: keys that fit `alg`, narrowed by `kid` when the token names one.
 * A token without `kid` is only accepted when exactly one key fits (never guess between keys).
 */
export function selectKey(
  keys: readonly VerificationKey[],
  alg: string,
  kid: string | undefined,
): KeyLookup {
  let match: VerificationKey | undefined;
  let count = 0;
  for (const key of keys) {
    if (kid !== undefined && key.kid !== kid) continue;
    if (!key.fits(alg)) continue;
    match = key;
    count++;
  }
  if (count === 1) return { found: match as VerificationKey };
  return { found: undefined, ambiguous: count > 1 };
}

/**
 * Validate a JWKS given in the options: every entry must be a usable public signature key.
 * Throws a {@link ConfigurationError} naming `option` otherwise.
 */
export function parseConfiguredKeys(option: string, value: unknown): VerificationKey[] {
  const list = Array.isArray(value)
    ? value
    : value !== null &&
        typeof value === 'object' &&
        Array.isArray((value as { keys?: unknown }).keys)
      ? (value as { keys: unknown[] }).keys
      : undefined;
  if (list === undefined) {
    throw new ConfigurationError(option, 'expected a JWKS ({ keys: [...] }) or an array of JWKs');
  }
  if (list.length === 0) throw new ConfigurationError(option, 'the key set is empty');
  return list.map((entry, i) => {
    if (entry !== null && typeof entry === 'object' && 'd' in entry) {
      throw new ConfigurationError(
        `${option}[${i}]`,
        'a private key was given; pass the public key',
      );
    }
    if (entry !== null && typeof entry === 'object' && (entry as { kty?: unknown }).kty === 'oct') {
      throw new ConfigurationError(
        `${option}[${i}]`,
        'symmetric (oct) keys are not accepted in a key set; use the "secret" option',
      );
    }
    const key = toVerificationKey(entry);
    if (key === undefined) {
      throw new ConfigurationError(
        `${option}[${i}]`,
        'not a usable public signature key (JWK; RSA keys need at least 2048 bits)',
      );
    }
    return key;
  });
}
