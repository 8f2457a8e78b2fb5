import type { JWTVerifyOptions } from 'jose';
import type { TestIssuer } from '../src/index.js';

/** A fixed clock for deterministic tests: 2030-01-01T00:00:00Z, in milliseconds. */
export const FIXED_NOW = Date.UTC(2030, 0, 1);

/** Strict access-token verification options for `issuer`, at `currentDate` (default FIXED_NOW). */
export function strictOptions(
  issuer: TestIssuer,
  currentDate = new Date(FIXED_NOW),
): JWTVerifyOptions {
  return {
    issuer: issuer.issuer,
    audience: issuer.audience,
    typ: 'at+jwt',
    algorithms: [issuer.algorithm],
    requiredClaims: ['exp', 'iat', 'sub'],
    currentDate,
  };
}

/** The jose error `code` a promise rejects with (or 'resolved'). */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code?: string }).code ?? `no code: ${String(error)}`;
  }
}
