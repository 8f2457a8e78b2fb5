import { InvalidTokenError } from '../errors/auth-error.js';
import type { AudienceWatch } from './audience-watch.js';
import { ORGANIZATION_AUDIENCE_PREFIX } from './auth-context.js';
import type { TokenHeader } from './parse-token.js';

/** Resolved claim rules, shared by every issuer of a verifier. */
export interface ClaimRules {
  /** Seconds. */
  readonly clockTolerance: number;
  /** Seconds, or undefined. */
  readonly maxTokenAge: number | undefined;
  /** Seconds, or undefined. */
  readonly maxTokenLifetime: number | undefined;
  /** RFC 9068 strict mode. */
  readonly strict: boolean;
  readonly requiredClaims: readonly string[];
}

/** The audience rules of one issuer. */
export interface AudienceRules {
  readonly audiences: ReadonlySet<string>;
  readonly organizationTokens: boolean;
  /** Told whether verified tokens' audiences match, to report a misconfigured `audience`. */
  readonly watch?: AudienceWatch | undefined;
}

/** What claim validation learned about the token's audience. */
export interface AudienceResult {
  readonly audiences: readonly string[];
  /** Organization id from an organization-token audience, if that is what matched. */
  readonly organizationAudience: string | undefined;
}

const RFC9068_CLAIMS = ['sub', 'client_id', 'iat', 'jti'] as const;
/** Claims only ID tokens carry (OIDC Core §2, §3.1.3.6). `auth_time` is allowed in access tokens (RFC 9068 §2.2.1). */
const ID_TOKEN_CLAIMS = ['nonce', 'at_hash', 'c_hash'] as const;
const STRING_CLAIMS = ['sub', 'client_id', 'jti', 'azp'] as const;

function invalid(message: string): InvalidTokenError {
  return new InvalidTokenError('invalid_claim', message);
}

function isAccessTokenType(typ: string): boolean {
  const t = typ.toLowerCase();
  return t === 'at+jwt' || t === 'application/at+jwt';
}

function checkType(header: TokenHeader, payload: Record<string, unknown>, strict: boolean): void {
  const typ = header.typ;
  if (typ !== undefined && isAccessTokenType(typ)) return;
  if (strict) {
    throw new InvalidTokenError('invalid_token_type', 'The token is not an access token (typ)');
  }
  if (typ !== undefined && typ.toLowerCase() !== 'jwt' && typ.toLowerCase() !== 'application/jwt') {
    throw new InvalidTokenError('invalid_token_type', 'The token is not an access token (typ)');
  }
  for (const claim of ID_TOKEN_CLAIMS) {
    if (Object.hasOwn(payload, claim)) {
      throw new InvalidTokenError('invalid_token_type', 'An ID token is not an access token');
    }
  }
}

/** A NumericDate claim: absent, or a finite number. */
function numericDate(payload: Record<string, unknown>, name: string): number | undefined {
  if (!Object.hasOwn(payload, name)) return undefined;
  const value = payload[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`The ${name} claim must be a number`);
  }
  return value;
}

function checkAudience(payload: Record<string, unknown>, rules: AudienceRules): AudienceResult {
  const aud = Object.hasOwn(payload, 'aud') ? payload.aud : undefined;
  if (aud === undefined) {
    throw new InvalidTokenError('missing_claim', 'The token has no audience');
  }
  const list = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) {
    throw invalid('The aud claim must be a string or an array of strings');
  }
  const audiences = list as string[];
  for (const a of audiences) {
    if (rules.audiences.has(a)) {
      rules.watch?.matched();
      return { audiences, organizationAudience: undefined };
    }
  }
  if (rules.organizationTokens && audiences.length === 1) {
    const only = audiences[0] as string;
    if (only.startsWith(ORGANIZATION_AUDIENCE_PREFIX)) {
      const id = only.slice(ORGANIZATION_AUDIENCE_PREFIX.length);
      if (id !== '') {
        rules.watch?.matched();
        return { audiences, organizationAudience: id };
      }
    }
  }
  rules.watch?.missed(audiences);
  throw new InvalidTokenError('audience_mismatch', 'The token is not meant for this API');
}

function checkTimes(payload: Record<string, unknown>, rules: ClaimRules, now: number): void {
  const tolerance = rules.clockTolerance;
  const exp = numericDate(payload, 'exp');
  if (exp === undefined) throw new InvalidTokenError('missing_claim', 'The token has no expiry');
  if (exp <= now - tolerance) throw new InvalidTokenError('token_expired', 'The token has expired');
  const nbf = numericDate(payload, 'nbf');
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new InvalidTokenError('token_not_yet_valid', 'The token is not valid yet');
  }
  const iat = numericDate(payload, 'iat');
  if (iat !== undefined && iat > now + tolerance) {
    throw new InvalidTokenError('token_issued_in_future', 'The token is issued in the future');
  }
  if (rules.maxTokenAge !== undefined) {
    if (iat === undefined)
      throw new InvalidTokenError('missing_claim', 'The token has no iat claim');
    if (now - iat - tolerance > rules.maxTokenAge) {
      throw new InvalidTokenError('token_too_old', 'The token is too old');
    }
  }
  if (rules.maxTokenLifetime !== undefined && exp - (iat ?? now) > rules.maxTokenLifetime) {
    throw new InvalidTokenError('lifetime_too_long', 'The token lives longer than allowed');
  }
}

/**
 * Check a signature-verified token's type and claims (the issuer was already matched exactly):
 * `typ` policy, no `cnf` (sender-constrained tokens are not bearer tokens), `aud`, `exp` (required), `nbf`, `iat` (not in the future), `maxTokenAge`,
 * `maxTokenLifetime`, RFC 9068 claims in strict mode, required claims, and the types of `sub`,
 * `client_id`, `jti`, `azp`. Dates are finite numbers; `now` is in seconds.
 */
export function validateClaims(
  header: TokenHeader,
  payload: Record<string, unknown>,
  audience: AudienceRules,
  rules: ClaimRules,
  now: number,
): AudienceResult {
  checkType(header, payload, rules.strict);
  if (Object.hasOwn(payload, 'cnf')) {
    // A sender-constrained token (DPoP, mTLS: RFC 9449, RFC 8705) is only valid with its proof;
    // presented as a plain bearer token it must be refused (RFC 9449 §7.1).
    throw new InvalidTokenError(
      'token_unsupported',
      'A sender-constrained token needs proof of possession',
    );
  }
  const result = checkAudience(payload, audience);
  checkTimes(payload, rules, now);
  for (const claim of STRING_CLAIMS) {
    if (Object.hasOwn(payload, claim) && typeof payload[claim] !== 'string') {
      throw invalid(`The ${claim} claim must be a string`);
    }
  }
  if (rules.strict) {
    for (const claim of RFC9068_CLAIMS) {
      if (!Object.hasOwn(payload, claim)) {
        throw new InvalidTokenError('missing_claim', `The token has no ${claim} claim`);
      }
    }
  }
  for (const claim of rules.requiredClaims) {
    if (!Object.hasOwn(payload, claim)) {
      throw new InvalidTokenError('missing_claim', 'The token lacks a required claim');
    }
  }
  return result;
}
