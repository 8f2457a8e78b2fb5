import { compactVerify } from 'jose';
import { InvalidTokenError } from '../errors/auth-error.js';

/** jose error codes mapped to tokenward's (by `code`, never by message). */
const JOSE_CODES: Readonly<Record<string, InvalidTokenError['code']>> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'invalid_signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm_not_allowed',
  ERR_JWS_INVALID: 'token_malformed',
  ERR_JOSE_NOT_SUPPORTED: 'token_unsupported',
};

const MESSAGES: Readonly<Record<string, string>> = {
  invalid_signature: 'The token signature is invalid',
  algorithm_not_allowed: 'The token algorithm is not allowed',
  token_malformed: 'The token is malformed',
  token_unsupported: 'The token uses an unsupported feature',
};

/**
 * Verify a compact JWS signature with jose, restricted to `algorithms`. Every failure becomes an
 * {@link InvalidTokenError}; a key jose refuses for the algorithm (too short an RSA modulus, wrong
 * curve) is `no_matching_key`.
 */
export async function verifySignature(
  token: string,
  key: CryptoKey | Uint8Array,
  algorithms: readonly string[],
): Promise<void> {
  try {
    await compactVerify(token, key, { algorithms: algorithms as string[] });
  } catch (cause) {
    const joseCode = (cause as { code?: unknown } | null)?.code;
    const code = typeof joseCode === 'string' ? JOSE_CODES[joseCode] : undefined;
    if (code !== undefined) {
      throw new InvalidTokenError(code, MESSAGES[code] as string, { cause });
    }
    throw new InvalidTokenError('no_matching_key', 'The matching key cannot verify this token', {
      cause,
    });
  }
}
