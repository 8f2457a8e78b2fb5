/**
 * What the fast-path tests share: a verifier over local keys with the cache on and no hook, and
 * `authenticateNow` answers with whether they came synchronously.
 */
import { expect } from 'vitest';
import {
  type AuthContext,
  createTokenward,
  type Outcome,
  type TokenRequest,
  type Tokenward,
  type TokenwardOptions,
} from '../../src/index.js';
import { AUDIENCE, b64url, Clock, fromB64url, ISSUER, type TestKey } from './mint.js';

/** A verifier over local keys, with the cache on (the default) and no hook. */
export function setup(key: TestKey, options: Partial<TokenwardOptions> = {}) {
  const clock = new Clock();
  const tw = createTokenward({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: [key.jwk],
    now: clock.now,
    ...options,
  } as TokenwardOptions);
  return { tw, clock };
}

/** An answer of `authenticateNow`, and whether it came synchronously. */
export interface Answer {
  readonly outcome: Outcome;
  readonly sync: boolean;
}

export async function answer(tw: Tokenward, request: TokenRequest): Promise<Answer> {
  const now = tw.authenticateNow(request) as Outcome | Promise<Outcome>;
  const sync = !(now instanceof Promise);
  return { outcome: await now, sync };
}

/** The identity of an accepted answer (fails the test on a refusal). */
export function identity({ outcome }: Answer): AuthContext {
  if (!outcome.ok) throw new Error(`refused: ${outcome.error.code}`);
  return outcome.auth;
}

/** The refusal code of an answer, or `ok`. */
export function code({ outcome }: Answer): string {
  return outcome.ok ? 'ok' : outcome.error.code;
}

export const bearer = (token: string, connection?: object): TokenRequest => ({
  authorization: `Bearer ${token}`,
  ...(connection === undefined ? {} : { connection }),
});

/** `token` with the character at `i` replaced by another one (same length). */
export function replaceAt(token: string, i: number): string {
  const swapped = token[i] === 'A' ? 'B' : 'A';
  return `${token.slice(0, i)}${swapped}${token.slice(i + 1)}`;
}

/** `token` with its payload's `sub` replaced by `to` (same length), its signature kept. */
export function withSubject(token: string, to: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(new TextDecoder().decode(fromB64url(payload)));
  const forged = `${header}.${b64url(JSON.stringify({ ...decoded, sub: to }))}.${signature}`;
  expect(forged.length, 'a same-length forgery').toBe(token.length);
  return forged;
}
